/**
 * What each publishable package says about itself on npm and in the MCP Registry: the license
 * file, the package.json fields npm shows and publishes with, and each connector's server.json
 * (valid against the registry's schema, and made from the connector's own option declarations).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CONNECTORS, PUBLISHABLE, ROOT, readPackage } from '../src/packages.js';
import { loadDefinition, SCHEMA_URL, type ServerJson, serverJson } from '../src/server-json.js';

const REPO = 'https://github.com/patchbay-mcp/patchbay';
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('LICENSE', () => {
  it('is MIT for Patchbay contributors at the root', () => {
    const license = read('LICENSE');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Copyright (c) 2026 Patchbay contributors');
  });

  it.each(PUBLISHABLE)('%s carries a copy identical to the root one', (dir) => {
    expect(read(`${dir}/LICENSE`)).toBe(read('LICENSE'));
  });
});

describe('package.json of every publishable package', () => {
  it.each(PUBLISHABLE)('%s: public, with repository, homepage, bugs, keywords, prepack and provenance', (dir) => {
    const pkg = readPackage(dir);
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git`, directory: dir });
    expect(pkg.homepage).toBe(`${REPO}/tree/main/${dir}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPO}/issues` });
    expect(pkg.keywords).toEqual(expect.arrayContaining(['mcp', 'model-context-protocol']));
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    // npm pack builds first, so a tarball never holds a stale or missing dist/.
    expect(pkg.scripts?.prepack).toBe(pkg.scripts?.build);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE', '!**/*.map']));
  });

  it.each(CONNECTORS)('%s: its library entry names the kit, the SDK and zod as optional peers (the bin inlines them)', (name) => {
    const pkg = readPackage(`servers/${name}`) as ReturnType<typeof readPackage> & {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const peers = ['@modelcontextprotocol/sdk', '@patchbay/kit', 'zod'];
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(peers);
    for (const peer of peers) expect(pkg.peerDependenciesMeta?.[peer]?.optional, peer).toBe(true);
    // Not runtime dependencies: npx installs only what the bin needs.
    for (const peer of peers) expect(Object.keys(pkg.dependencies ?? {})).not.toContain(peer);
  });

  it.each(CONNECTORS)('%s: its mcpName is the registry name io.github.patchbay-mcp/<name>', (name) => {
    expect(readPackage(`servers/${name}`).mcpName).toBe(`io.github.patchbay-mcp/${name}`);
  });
});

describe('server.json for the MCP Registry', () => {
  const schema = JSON.parse(read('packages/dist-tests/mcp-registry/server.schema.json')) as { $id: string };
  // The registry's schema uses OpenAPI's `discriminator` and `example` keywords, which draft-07
  // does not define: not strict, so Ajv ignores them as the registry's own validator does.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (formats as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);

  it('validates against the registry schema the files name', () => {
    expect(schema.$id).toBe(SCHEMA_URL);
  });

  it('rejects what the registry rejects (the validation is live)', () => {
    const base = JSON.parse(read('servers/git/server.json')) as ServerJson;
    const latest = structuredClone(base);
    (latest.packages[0] as { version: string }).version = 'latest';
    expect(validate(latest)).toBe(false);
    expect(validate({ ...base, description: 'x'.repeat(101) })).toBe(false);
    expect(validate({ ...base, name: 'no-slash' })).toBe(false);
  });

  it.each(CONNECTORS)('%s: valid, named and versioned like its package, made from its option declarations', async (name) => {
    const file = path.join(ROOT, 'servers', name, 'server.json');
    const expected = serverJson(name, await loadDefinition(name));
    if (process.env.PATCHBAY_WRITE_DOCS === '1') writeFileSync(file, `${JSON.stringify(expected, null, 2)}\n`);
    expect(existsSync(file), `${file} is missing: PATCHBAY_WRITE_DOCS=1 pnpm test:only --project dist -t server.json`).toBe(true);
    const committed = JSON.parse(readFileSync(file, 'utf8')) as ServerJson;

    expect(validate(committed), ajv.errorsText(validate.errors)).toBe(true);
    const pkg = readPackage(`servers/${name}`);
    expect(committed.name).toBe(pkg.mcpName);
    expect(committed.version).toBe(pkg.version);
    expect(committed.packages).toHaveLength(1);
    expect(committed.packages[0]).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version });
    // Everything else (the variables the connector reads, which are secret or required) comes from
    // the connector's own declarations: regenerate with PATCHBAY_WRITE_DOCS=1 after changing them.
    expect(committed).toEqual(expected);
  });

  it('marks the credentials a connector cannot start without as required and secret', () => {
    const github = JSON.parse(read('servers/github/server.json')) as ServerJson;
    const token = github.packages[0]?.environmentVariables.find((v) => v.name === 'GITHUB_PERSONAL_ACCESS_TOKEN');
    expect(token).toMatchObject({ isRequired: true, isSecret: true });
    // Slack takes a bot or a user token: neither alone is required.
    const slack = JSON.parse(read('servers/slack/server.json')) as ServerJson;
    const bot = slack.packages[0]?.environmentVariables.find((v) => v.name === 'SLACK_BOT_TOKEN');
    expect(bot).toMatchObject({ isSecret: true });
    expect(bot?.isRequired).toBeUndefined();
  });
});
