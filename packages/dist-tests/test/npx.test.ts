/**
 * npx, as users will run it: every publishable package is packed, published to a real registry
 * (Verdaccio on loopback) and run from an empty folder with an empty npm cache and HOME —
 * `npx -y @patchbay/<name> --help`, then an MCP session over stdio (the SDK's Client launching
 * `npx -y @patchbay/<name> …`, as Claude Desktop does) with one real call per connector.
 *
 * One npm cache for the file, empty at the start: git's install is truly cold, the other
 * connectors' nearly so (they share almost no dependencies), the CLI's finds the connectors'
 * dependencies cached. Verdaccio keeps what it fetched upstream for the run, as a mirror would. The figures (install time, installed size,
 * spawn → initialize) go to .tmp/dist-figures.json and a table on stdout. They are printed, never
 * asserted: speed is the bench's business.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startSandbox } from '@patchbay/sandbox';
import { type TempRepo, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTORS, type ConnectorName, type Packed, PUBLISHABLE, pack, ROOT } from '../src/packages.js';
import { type Registry, startRegistry } from '../src/registry.js';

const run = promisify(execFile);

interface Figures {
  package: string;
  tarballKiB: number;
  /** `npx -y <pkg> --help` from an empty cache: download, install, then the help. */
  firstRunMs?: number;
  /** The same again, installed: what npx itself and the bin's start cost. */
  warmHelpMs?: number;
  installedMiB?: number;
  installedPackages?: number;
  /** The SDK Client launching `npx -y <pkg> …` until initialize has been answered. */
  spawnToInitializeMs?: number;
}

let work: string;
let registry: Registry | undefined;
let skip: string | undefined;
const packed = new Map<string, Packed>();
const figures = new Map<string, Figures>();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'patchbay-dist-'));
  const tarballs = path.join(work, 'tarballs');
  await mkdir(tarballs);
  for (const dir of PUBLISHABLE) {
    const p = await pack(dir, tarballs);
    packed.set(p.name, p);
    figures.set(p.name, { package: p.name, tarballKiB: round(p.bytes / 1024, 1) });
  }

  await mkdir(path.join(work, 'registry'));
  const outcome = await startRegistry(path.join(work, 'registry'));
  if ('skip' in outcome) {
    skip = outcome.skip;
    console.warn(`npx tests skipped: ${skip}`);
    return;
  }
  registry = outcome.registry;
  for (const p of packed.values()) {
    // Provenance needs a CI identity; a local publish states plainly that it has none.
    await run('npm', ['publish', p.tarball, '--provenance=false', '--access', 'public'], {
      cwd: work,
      env: userEnv({ home: work, cache: path.join(work, 'publish-cache') }),
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`npm publish ${p.name} failed: ${error.stderr ?? error.message}\n${registry?.output() ?? ''}`);
    });
  }
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (!figures.size) return;
  const rows = [...figures.values()];
  await mkdir(path.join(ROOT, '.tmp'), { recursive: true });
  await writeFile(
    path.join(ROOT, '.tmp/dist-figures.json'),
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), packages: rows }, null, 2)}\n`,
  );
  const cell = (v: number | undefined) => (v === undefined ? '—' : String(v));
  const lines = [
    '| package | tarball KiB | first npx run (install + --help) ms | warm --help ms | installed MiB (packages) | spawn → initialize ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.package} | ${cell(r.tarballKiB)} | ${cell(r.firstRunMs)} | ${cell(r.warmHelpMs)} | ${cell(r.installedMiB)}${r.installedPackages ? ` (${r.installedPackages})` : ''} | ${cell(r.spawnToInitializeMs)} |`,
    ),
  ];
  console.log(`\nnpx figures (.tmp/dist-figures.json):\n${lines.join('\n')}\n`);
});

describe('the tarballs', () => {
  it('hold the bundle, README, CHANGELOG and LICENSE, and no source maps or sources', () => {
    expect([...packed.keys()].sort()).toEqual(
      ['@patchbay/cli', '@patchbay/kit', '@patchbay/sandbox', ...CONNECTORS.map((c) => `@patchbay/${c}`)].sort(),
    );
    for (const p of packed.values()) {
      expect(p.files, p.name).toContain('LICENSE');
      expect(p.files, p.name).toContain('package.json');
      expect(p.files, p.name).toContain('README.md');
      expect(
        p.files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/')),
        p.name,
      ).toEqual([]);
    }
    for (const c of CONNECTORS) {
      const files = packed.get(`@patchbay/${c}`)?.files ?? [];
      expect(files).toEqual(
        expect.arrayContaining([
          'bin.cjs',
          'dist/index.cjs',
          'dist/front-lists.cjs',
          'dist/load.cjs',
          'dist/main.cjs',
          'dist/connector.js',
        ]),
      );
    }
  });
});

/**
 * A user's npm world: HOME and the npm cache are shared by every package in this file (the first
 * install, git's, starts from an empty cache: truly cold; the connectors share almost no
 * dependencies, so theirs are nearly so; the CLI's then finds the connectors' dependencies cached),
 * each package gets its own empty project folder.
 */
interface User {
  home: string;
  cache: string;
  project: string;
}

async function newUser(name: string): Promise<User> {
  const user = {
    home: path.join(work, 'home'),
    cache: path.join(work, 'npm-cache'),
    project: path.join(work, 'projects', name.replace(/\W/g, '_')),
  };
  for (const dir of Object.values(user)) await mkdir(dir, { recursive: true });
  return user;
}

/**
 * The environment a user's shell would give npx: PATH without this workspace's bins, and npm
 * pointed at the test registry. Nothing of pnpm's own npm_config_* leaks in.
 */
function userEnv(user: { home: string; cache: string }): Record<string, string> {
  const PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(path.delimiter);
  return {
    PATH,
    HOME: user.home,
    LANG: 'C.UTF-8',
    npm_config_cache: user.cache,
    npm_config_userconfig: registry?.npmrc ?? '/dev/null',
    npm_config_registry: registry?.url ?? '',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'error',
    // Never a browser download: the system Chromium is used.
    PUPPETEER_SKIP_DOWNLOAD: 'true',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

async function npx(user: User, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = await run('npx', ['-y', ...args], {
    cwd: user.project,
    env: { ...userEnv(user), ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 540_000,
  }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`npx -y ${args.join(' ')} failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  return { ...result, ms: Math.round(performance.now() - started) };
}

/** Where npx installed `pkg`: its own `_npx/<hash>/node_modules` in the cache. */
async function installed(user: User, pkg: string): Promise<{ mib: number; packages: number }> {
  const root = path.join(user.cache, '_npx');
  let modules: string | undefined;
  for (const hash of await readdir(root)) {
    const manifest = JSON.parse(await readFile(path.join(root, hash, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    if (manifest.dependencies?.[pkg]) modules = path.join(root, hash, 'node_modules');
  }
  if (!modules) throw new Error(`npx installed ${pkg} nowhere under ${root}`);
  const { stdout } = await run('du', ['-sk', modules]);
  // npm's hidden lockfile lists every package it placed.
  const lock = JSON.parse(await readFile(path.join(modules, '.package-lock.json'), 'utf8')) as { packages: object };
  const packages = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/')).length;
  return { mib: round(Number(stdout.split('\t')[0]) / 1024, 1), packages };
}

/** Install cold, print --help, then an MCP session over stdio through npx. */
async function throughNpx(
  name: ConnectorName,
  launch: { args?: string[]; env?: Record<string, string> },
  call: { tool: string; arguments?: Record<string, unknown>; expect: RegExp },
) {
  const pkg = `@patchbay/${name}`;
  const user = await newUser(name);
  const env = launch.env ?? {};

  const first = await npx(user, [pkg, '--help'], env);
  expect(first.stdout).toContain(`patchbay-${name}`);
  expect(first.stdout).toMatch(/--read-only/);
  const warm = await npx(user, [pkg, '--help'], env);
  const size = await installed(user, pkg);

  const transport = new StdioClientTransport({
    command: 'npx',
    args: ['-y', pkg, ...(launch.args ?? [])],
    env: { ...userEnv(user), ...env },
    cwd: user.project,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'patchbay-dist-test', version: '0.0.0' });
  const started = performance.now();
  try {
    await client.connect(transport);
    const spawnToInitialize = Math.round(performance.now() - started);
    expect(client.getServerVersion()?.name).toBe(`patchbay-${name}`);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain(call.tool);
    const result = await client.callTool({ name: call.tool, arguments: call.arguments ?? {} });
    const text = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
    expect(result.isError, `${call.tool}: ${text}\n${stderr}`).toBeFalsy();
    expect(text).toMatch(call.expect);
    Object.assign(figures.get(pkg) ?? {}, {
      firstRunMs: first.ms,
      warmHelpMs: warm.ms,
      installedMiB: size.mib,
      installedPackages: size.packages,
      spawnToInitializeMs: spawnToInitialize,
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver stderr:\n${stderr.slice(-3000)}`);
  } finally {
    await client.close();
  }
}

describe('npx -y @patchbay/<connector> from the registry', () => {
  it('git: a temp repository, git_log', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const repo: TempRepo = await tempRepo();
    try {
      await repo.commit('First commit through the registry', { 'README.md': '# dist\n' });
      await throughNpx(
        'git',
        { args: ['--repository', repo.path] },
        { tool: 'git_log', expect: /First commit through the registry/ },
      );
    } finally {
      await repo.remove();
    }
  });

  it('postgres: the test database, postgres_query', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const url = process.env.PATCHBAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    await throughNpx(
      'postgres',
      { args: [url] },
      { tool: 'postgres_query', arguments: { sql: 'SELECT 40 + 2 AS answer' }, expect: /42/ },
    );
  });

  it('puppeteer: the system Chromium, puppeteer_navigate to a local page', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>dist</title><h1>Hello from the registry</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await throughNpx(
        'puppeteer',
        { env: { PUPPETEER_EXECUTABLE_PATH: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' } },
        { tool: 'puppeteer_navigate', arguments: { url: `http://127.0.0.1:${port}/` }, expect: /Hello from the registry/ },
      );
    } finally {
      server.close();
    }
  });

  for (const [name, tool, expected] of [
    ['github', 'github_get_me', /octocat/i],
    ['slack', 'slack_list_channels', /general/],
    ['gdrive', 'gdrive_search', /\S/],
  ] as const) {
    it(`${name}: the sandbox emulator, ${tool}`, async (ctx) => {
      if (skip) return ctx.skip(skip);
      const sandbox = await startSandbox({ service: name, logger: false });
      try {
        await throughNpx(name, { env: sandbox.env }, { tool, expect: expected });
      } finally {
        await sandbox.close();
      }
    });
  }
});

describe('npx -y @patchbay/cli and @patchbay/sandbox from the registry', () => {
  it('the CLI answers --help, and `config` prints the npx form once installed', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const user = await newUser('cli');
    const first = await npx(user, ['@patchbay/cli', '--help']);
    expect(first.stdout).toContain('patchbay config <connector>');
    const warm = await npx(user, ['@patchbay/cli', '--help']);
    const size = await installed(user, '@patchbay/cli');
    Object.assign(figures.get('@patchbay/cli') ?? {}, {
      firstRunMs: first.ms,
      warmHelpMs: warm.ms,
      installedMiB: size.mib,
      installedPackages: size.packages,
    });

    // Installed from the registry (not a clone): the entry launches the published bin with npx.
    const repo = await tempRepo();
    try {
      const config = await npx(user, [
        '@patchbay/cli',
        'config',
        'git',
        '--client',
        'claude-desktop',
        '--git.repository',
        repo.path,
      ]);
      const entry = (JSON.parse(config.stdout) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers[
        'patchbay-git'
      ];
      expect(entry?.command).toBe('npx');
      expect(entry?.args.slice(0, 2)).toEqual(['-y', '@patchbay/git']);
      expect(entry?.args).toEqual(expect.arrayContaining(['--repository', repo.path]));
      expect(config.stderr).not.toContain('From this clone');
    } finally {
      await repo.remove();
    }
  });

  it('the sandbox answers --help', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const user = await newUser('sandbox');
    const first = await npx(user, ['@patchbay/sandbox', '--help']);
    expect(first.stdout).toContain('Usage: patchbay-sandbox');
    Object.assign(figures.get('@patchbay/sandbox') ?? {}, {
      firstRunMs: first.ms,
      installedMiB: (await installed(user, '@patchbay/sandbox')).mib,
    });
  });
});

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
