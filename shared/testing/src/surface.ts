import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, runNode } from './clients.js';

/** What a client learns without calling anything: initialize's answer and the lists (resources aside). */
async function surfaceOf(client: Client): Promise<Record<string, unknown>> {
  const capabilities = client.getServerCapabilities() ?? {};
  return {
    serverInfo: client.getServerVersion(),
    capabilities,
    instructions: client.getInstructions(),
    tools: (await client.listTools()).tools,
    prompts: capabilities.prompts ? (await client.listPrompts()).prompts : null,
    resourceTemplates: capabilities.resources ? (await client.listResourceTemplates()).resourceTemplates : null,
  };
}

async function resourcesOf(client: Client): Promise<unknown> {
  return client.getServerCapabilities()?.resources ? (await client.listResources()).resources : null;
}

function withoutVersion(surface: Record<string, unknown>): Record<string, unknown> {
  return { ...surface, serverInfo: { ...(surface.serverInfo as object), version: undefined } };
}

/** The built bin over stdio, with its front's debug line about handing over kept. */
/**
 * A --require hook that marks on stderr, in order, every answer the bin writes and the load of
 * its option code (dist/front-lists.cjs).
 */
async function orderHook(): Promise<string> {
  const hook = path.join(await mkdtemp(path.join(tmpdir(), 'patchbay-front-')), 'order.cjs');
  await writeFile(
    hook,
    [
      "const Module = require('node:module');",
      'const load = Module._load;',
      "Module._load = function (request) { if (/front-lists\\.cjs$/.test(request)) process.stderr.write('MARK lists loaded\\n'); return load.apply(this, arguments); };",
      'const write = process.stdout.write.bind(process.stdout);',
      "process.stdout.write = (...a) => { process.stderr.write('MARK answer\\n'); return write(...a); };",
    ].join('\n'),
  );
  return hook;
}

const marks = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('MARK '));

async function spawnBin(bin: string, argv: string[]) {
  return connectStdio(bin, argv, { env: { PATCHBAY_LOG_LEVEL: 'debug' } });
}

/** Byte size of the `tools/list` result as sent on the wire. */
export async function toolListBytes(client: Client): Promise<number> {
  const result = await client.listTools();
  return Buffer.byteLength(JSON.stringify(result));
}

/** The three ways an operator starts a connector that a surface test compares. */
export type SurfaceMode = 'default' | 'read-only' | 'all';
export const SURFACE_MODES: readonly SurfaceMode[] = ['default', 'read-only', 'all'];

/** Where a connector's surface snapshots live, relative to its test folder. */
export const TOOLSNAPS_DIR = '__toolsnaps__';
export const TOOL_NAMES_FILE = '__snapshots__/tool-names.json';

/** A tool description is sent with every conversation; past this it is an essay, not a description. */
export const MAX_TOOL_DESCRIPTION = 500;
/** An input field's description: one or two sentences. */
export const MAX_FIELD_DESCRIPTION = 200;

export interface SurfaceSpec {
  /**
   * The connector as declared (its `ConnectorDefinition`): its name prefixes every tool, and each
   * tool's declared access must match the annotations the model sees.
   */
  connector: { name: string; tools: ReadonlyArray<{ name: string; access: string }> };
  /** A client talking to a fresh server started with these flags (the connector's own `connect`). */
  connect(argv: string[]): Promise<{ client: Client; close(): Promise<void> }>;
  /**
   * The flags of each mode. `all` must offer every tool the connector declares (all toolsets and
   * every operator switch that enables a tool), so every tool has a schema snapshot.
   */
  modes: Record<SurfaceMode, string[]>;
  /**
   * Upper bounds on the `tools/list` bytes per mode: every byte of it is sent with every
   * conversation, so a tool or a long description added by accident shows up here.
   */
  maxListBytes?: Partial<Record<SurfaceMode, number>>;
  /**
   * The built bin (`dist/index.cjs`). Its front answers initialize and the lists from a manifest
   * made at build time; for every mode it must answer exactly what the live server answers.
   */
  bin?: string;
}

/** What one mode's server told the client. */
interface Listing {
  tools: Tool[];
  bytes: number;
}

/**
 * The surface test every connector runs: what a model sees, as snapshots and as conventions.
 *
 * Snapshots (vitest `-u` updates them): one file per tool in `test/__toolsnaps__/<tool>.json`,
 * exactly as `tools/list` sends it, so a description change is a diff in one file; the names of the
 * tools each mode offers in `test/__snapshots__/tool-names.json`. A snapshot file of a tool that no
 * longer exists fails the test (and `-u` deletes it).
 *
 * Conventions: every tool has a title, an object output schema, all four annotations as booleans
 * matching its declared access, a described input field at every depth, a `<connector>_…`
 * snake_case name of at most 64 characters and a description of sane length; `--read-only` offers
 * only read-only tools; resources, resource templates and prompts have titles and descriptions.
 *
 * Call it at the top level of the connector's `test/surface.test.ts`; connector-specific
 * assertions stay in that file.
 */
export function describeSurface(spec: SurfaceSpec): void {
  const { connector } = spec;
  const listings = new Map<SurfaceMode, Listing>();
  const listing = (mode: SurfaceMode): Listing => {
    const found = listings.get(mode);
    if (!found) throw new Error(`no tools/list for mode ${mode}: beforeAll failed`);
    return found;
  };
  const declared = (name: string) => connector.tools.find((t) => t.name === name);

  describe(`${connector.name} tool surface`, () => {
    beforeAll(async () => {
      for (const mode of SURFACE_MODES) {
        const { client, close } = await spec.connect(spec.modes[mode]);
        try {
          const result = await client.listTools();
          listings.set(mode, { tools: result.tools, bytes: Buffer.byteLength(JSON.stringify(result)) });
        } finally {
          await close();
        }
      }
    });

    if (spec.bin) {
      const bin = spec.bin;
      it.each(SURFACE_MODES)(
        'the built bin answers initialize and every list in mode %s as the live server does',
        async (mode) => {
          const argv = spec.modes[mode];
          const live = await spec.connect(argv);
          const front = await spawnBin(bin, argv);
          try {
            // The version is stamped into the bundle from package.json; the source under test has none.
            const [built, source] = [await surfaceOf(front.client), await surfaceOf(live.client)];
            expect((built.serverInfo as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
            expect(withoutVersion(built)).toEqual(withoutVersion(source));
            // Answered by the front alone: the server was not loaded for any of it.
            expect(front.stderr()).not.toContain('front: handing over');
            // resources/list may need I/O (a template that lists): the server answers it when so.
            expect(await resourcesOf(front.client)).toEqual(await resourcesOf(live.client));
          } finally {
            await front.close();
            await live.close();
          }
        },
      );

      it('hands the conversation to the full server on the first call, which then answers everything', async () => {
        const front = await spawnBin(bin, spec.modes.default);
        try {
          const before = await surfaceOf(front.client);
          // A tool name that does not exist: the full server answers it, with the same surface after.
          const result = await front.client.callTool({ name: `${connector.name}_no_such_tool`, arguments: {} });
          expect(result.isError).toBe(true);
          expect(front.stderr()).toContain('front: handing over on tools/call');
          expect(await surfaceOf(front.client)).toEqual(before);
        } finally {
          await front.close();
        }
      });

      it('says a problem with the options found after the front answered initialize, exits 2 and lists nothing', async () => {
        // The front answers initialize before it checks the options; a problem must still end the
        // process the way the full bin does, before any list that depends on the options.
        const messages = [
          { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE_PARAMS },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        ];
        const { code, stdout, stderr } = await runNode(bin, [...spec.modes.default, '--toolsets', 'no_such_toolset'], {
          input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
        });
        expect(code).toBe(2);
        expect(stderr).toContain(`patchbay-${connector.name}: --toolsets: unknown toolset no_such_toolset.`);
        const answered = stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { id?: unknown }).id);
        expect(answered).not.toContain(2);
      });

      it('answers initialize before it loads its option code (dist/front-lists.cjs), every start is that much shorter', async () => {
        const hook = await orderHook();
        const { code, stdout, stderr } = await runNode(bin, spec.modes.default, {
          input: `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE_PARAMS })}\n`,
          end: true,
          nodeArgs: ['--require', hook],
        });
        expect(code).toBe(0);
        expect(JSON.parse(stdout.split('\n')[0] ?? '')).toMatchObject({
          id: 1,
          result: { serverInfo: { name: `patchbay-${connector.name}` } },
        });
        // Loaded all the same (the options are checked once the input ends), but after the answer.
        expect(marks(stderr)).toEqual(['MARK answer', 'MARK lists loaded']);
      });

      it('answers tools/list at the next start with the same options with the tools the first chose, before it loads its option code', async () => {
        const cache = await mkdtemp(path.join(tmpdir(), 'patchbay-remembered-'));
        const hook = await orderHook();
        const messages = [
          { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE_PARAMS },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        ];
        const start = async () => {
          const { code, stdout, stderr } = await runNode(bin, spec.modes.default, {
            input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
            end: true,
            nodeArgs: ['--require', hook],
            env: { PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: cache },
          });
          expect(code, stderr).toBe(0);
          const answers = stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { id: number; result?: { tools?: Tool[] } });
          return { tools: answers.find((a) => a.id === 2)?.result?.tools, stderr };
        };
        try {
          const first = await start();
          expect(first.stderr).not.toContain('remembered');
          expect(marks(first.stderr)).toEqual(['MARK answer', 'MARK lists loaded', 'MARK answer']);
          const second = await start();
          expect(second.stderr).toContain(
            `patchbay-${connector.name} debug front: answered tools/list with the tools remembered`,
          );
          // The option code is still loaded (the options are checked), after both answers.
          expect(marks(second.stderr)).toEqual(['MARK answer', 'MARK answer', 'MARK lists loaded']);
          expect(second.tools).toEqual(first.tools);
          expect(sortedNames(second.tools ?? [])).toEqual(sortedNames(listing('default').tools));
          // Other options are another record: this start chooses again.
          const readOnly = await runNode(bin, [...spec.modes.default, '--read-only'], {
            input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
            end: true,
            env: { PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: cache },
          });
          expect(readOnly.code).toBe(0);
          expect(readOnly.stderr).not.toContain('remembered');
        } finally {
          await rm(cache, { recursive: true, force: true });
        }
      });

      it('answers the other lists at the next start with the same options as the first did, checking the options after them', async () => {
        const cache = await mkdtemp(path.join(tmpdir(), 'patchbay-remembered-'));
        const messages = [
          { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE_PARAMS },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 2, method: 'tools/list' },
          { jsonrpc: '2.0', id: 3, method: 'prompts/list' },
          { jsonrpc: '2.0', id: 4, method: 'resources/templates/list' },
        ];
        const start = async () => {
          const { code, stdout, stderr } = await runNode(bin, spec.modes.default, {
            input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
            end: true,
            env: { PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: cache },
          });
          expect(code, stderr).toBe(0);
          const answers = stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { id: number });
          return { answers: answers.filter((a) => a.id > 1).sort((a, b) => a.id - b.id), stderr };
        };
        try {
          const first = await start();
          const second = await start();
          expect(second.stderr).toContain('answered tools/list with the tools remembered');
          // The same answers (or the same hand-over to the server, for a list that needs I/O).
          expect(second.answers).toEqual(first.answers);
        } finally {
          await rm(cache, { recursive: true, force: true });
        }
      });

      it('loads the full server through the code cache: a second start reads what the first wrote', async () => {
        const cache = await mkdtemp(path.join(tmpdir(), 'patchbay-code-cache-'));
        const messages = [
          { jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE_PARAMS },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          // Only the full server answers a call: the front hands over and the server is loaded.
          { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: `${connector.name}_no_such_tool`, arguments: {} } },
        ];
        const start = async () => {
          const { code, stdout, stderr } = await runNode(bin, spec.modes.default, {
            input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
            end: true,
            env: { PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: cache },
          });
          expect(code).toBe(0);
          const answers = stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { id: number; result?: { isError?: boolean } });
          expect(answers.find((a) => a.id === 2)?.result?.isError).toBe(true);
          return stderr
            .split('\n')
            .filter((line) => line.startsWith(`patchbay-${connector.name} debug code cache: `))
            .map((line) => line.replace(/^.*debug code cache: (\w+).*$/, '$1'));
        };
        try {
          expect(await start()).toEqual(['none', 'wrote']);
          expect(await start()).toEqual(['read']);
        } finally {
          await rm(cache, { recursive: true, force: true });
        }
      });
    }

    it('lists the tools of each mode as in __snapshots__/tool-names.json', async () => {
      const names = Object.fromEntries(SURFACE_MODES.map((mode) => [mode, sortedNames(listing(mode).tools)]));
      await expect(`${JSON.stringify(names, null, 2)}\n`).toMatchFileSnapshot(TOOL_NAMES_FILE);
    });

    it('offers every declared tool in the "all" mode, so each has a schema snapshot', () => {
      expect(sortedNames(listing('all').tools)).toEqual(sortedNames(connector.tools));
    });

    it('describes a tool the same way in every mode that offers it', () => {
      // One snapshot per tool holds only if the mode changes which tools are offered, never how.
      for (const tool of listing('all').tools) {
        for (const mode of SURFACE_MODES) {
          const same = listing(mode).tools.find((t) => t.name === tool.name);
          if (same) expect(same, `${tool.name} in mode ${mode}`).toEqual(tool);
        }
      }
    });

    // One test per tool: a failure names the tool and the file to look at.
    for (const { name } of connector.tools) {
      it(`${name}: schema is as in ${TOOLSNAPS_DIR}/${name}.json`, async () => {
        const tool = listing('all').tools.find((t) => t.name === name);
        expect(tool, `${name} is declared but not offered in the "all" mode`).toBeDefined();
        await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`${TOOLSNAPS_DIR}/${name}.json`);
      });
    }

    it(`keeps no snapshot in ${TOOLSNAPS_DIR} of a tool it no longer has`, async () => {
      const dir = path.join(testDir(), TOOLSNAPS_DIR);
      const live = new Set(connector.tools.map((t) => `${t.name}.json`));
      const stale = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json') && !live.has(f));
      // `vitest -u` is the one way snapshots are updated; it removes obsolete ones too.
      if (expect.getState().snapshotState.snapshotUpdateState === 'all') {
        await Promise.all(stale.map((f) => unlink(path.join(dir, f))));
        return;
      }
      expect(
        stale,
        `obsolete tool snapshots in ${dir}: ${stale.join(', ')} (the tool was removed or renamed): ` +
          'delete them, or run vitest with -u',
      ).toEqual([]);
    });

    it('names every tool <connector>_… in snake_case, at most 64 characters', () => {
      const pattern = new RegExp(`^${connector.name}_[a-z0-9]+(?:_[a-z0-9]+)*$`);
      for (const tool of listing('all').tools) {
        expect(tool.name, tool.name).toMatch(pattern);
        expect(tool.name.length, tool.name).toBeLessThanOrEqual(64);
      }
    });

    it('gives every tool a title, a description of sane length, an object output schema and all four annotations', () => {
      for (const tool of listing('all').tools) {
        expect(tool.title?.trim(), `${tool.name} title`).toBeTruthy();
        expect(tool.description?.trim(), `${tool.name} description`).toBeTruthy();
        expect(tool.description?.length ?? 0, `${tool.name} description length`).toBeLessThanOrEqual(MAX_TOOL_DESCRIPTION);
        expect(tool.inputSchema.type, `${tool.name} input schema`).toBe('object');
        expect(tool.outputSchema?.type, `${tool.name} output schema`).toBe('object');
        for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
          expect(typeof tool.annotations?.[hint], `${tool.name} ${hint}`).toBe('boolean');
        }
      }
    });

    it('describes every input field, nested ones included, in at most a few sentences', () => {
      for (const tool of listing('all').tools) {
        for (const field of inputFields(tool.inputSchema, tool.name)) {
          expect(field.description?.trim(), `${field.path} description`).toBeTruthy();
          expect(field.description?.length ?? 0, `${field.path} description length`).toBeLessThanOrEqual(MAX_FIELD_DESCRIPTION);
        }
      }
    });

    it('annotates each tool as its declared access says: read-only, destructive or neither', () => {
      for (const tool of listing('all').tools) {
        const access = declared(tool.name)?.access;
        expect(access, `${tool.name} is offered but not declared`).toBeDefined();
        expect(tool.annotations?.readOnlyHint, `${tool.name} readOnlyHint (access ${access})`).toBe(access === 'read');
        expect(tool.annotations?.destructiveHint, `${tool.name} destructiveHint (access ${access})`).toBe(
          access === 'destructive',
        );
      }
    });

    it('offers only read-only tools in the read-only mode', () => {
      const { tools } = listing('read-only');
      expect(tools.length).toBeGreaterThan(0);
      for (const tool of tools) {
        expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
        expect(declared(tool.name)?.access, tool.name).toBe('read');
      }
    });

    for (const [mode, max] of Object.entries(spec.maxListBytes ?? {}) as [SurfaceMode, number][]) {
      it(`keeps the ${mode} tool list under ${max.toLocaleString('en')} bytes`, () => {
        expect(listing(mode).bytes).toBeLessThan(max);
      });
    }
  });

  describe(`${connector.name} resources and prompts`, () => {
    let session: { client: Client; close(): Promise<void> } | undefined;
    beforeAll(async () => {
      session = await spec.connect(spec.modes.all);
    });
    afterAll(async () => {
      await session?.close();
    });

    it('gives every resource and resource template a title and a description', async () => {
      const client = session!.client;
      if (!client.getServerCapabilities()?.resources) return;
      const { resourceTemplates } = await client.listResourceTemplates();
      for (const template of resourceTemplates) {
        expect(template.title?.trim(), `${template.name} title`).toBeTruthy();
        expect(template.description?.trim(), `${template.name} description`).toBeTruthy();
        expect(template.description?.length ?? 0, `${template.name} description length`).toBeLessThanOrEqual(
          MAX_TOOL_DESCRIPTION,
        );
      }
      // resources/list also carries what templates enumerate (tables, screenshots): those are data,
      // named by the service. The connector's own fixed resources are the ones no template matches.
      const fromTemplate = resourceTemplates.map((t) => uriTemplatePattern(t.uriTemplate));
      const { resources } = await client.listResources();
      for (const resource of resources.filter((r) => !fromTemplate.some((p) => p.test(r.uri)))) {
        expect(resource.title?.trim(), `${resource.name} title`).toBeTruthy();
        expect(resource.description?.trim(), `${resource.name} description`).toBeTruthy();
        expect(resource.description?.length ?? 0, `${resource.name} description length`).toBeLessThanOrEqual(
          MAX_TOOL_DESCRIPTION,
        );
      }
    });

    it('gives every prompt a title and a description, and describes its arguments', async () => {
      const client = session!.client;
      if (!client.getServerCapabilities()?.prompts) return;
      const { prompts } = await client.listPrompts();
      for (const prompt of prompts) {
        expect(prompt.title?.trim(), `${prompt.name} title`).toBeTruthy();
        expect(prompt.description?.trim(), `${prompt.name} description`).toBeTruthy();
        expect(prompt.description?.length ?? 0, `${prompt.name} description length`).toBeLessThanOrEqual(MAX_TOOL_DESCRIPTION);
        for (const argument of prompt.arguments ?? []) {
          expect(argument.description?.trim(), `${prompt.name}.${argument.name} description`).toBeTruthy();
        }
      }
    });
  });
}

function sortedNames(tools: ReadonlyArray<{ name: string }>): string[] {
  return tools.map((t) => t.name).sort();
}

/** The folder of the test file that is running: snapshots are kept beside it. */
function testDir(): string {
  const testPath = expect.getState().testPath;
  if (!testPath) throw new Error('describeSurface must run inside a vitest test file');
  return path.dirname(testPath);
}

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/**
 * Every named field of an input schema at any depth (object properties, also inside arrays, maps
 * and unions), with a path for the failure message (`postgres_execute.statements[].sql`).
 */
function inputFields(schema: JsonSchema, at: string): Array<{ path: string; description: string | undefined }> {
  const fields: Array<{ path: string; description: string | undefined }> = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    fields.push({ path: `${at}.${name}`, description: field.description });
    fields.push(...inputFields(field, `${at}.${name}`));
  }
  for (const item of [schema.items ?? []].flat()) fields.push(...inputFields(item, `${at}[]`));
  if (typeof schema.additionalProperties === 'object') fields.push(...inputFields(schema.additionalProperties, `${at}{}`));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    fields.push(...inputFields(branch, at));
  }
  return fields;
}

/** A URI template (RFC 6570) as a pattern its expansions match: each `{…}` stands for any text. */
function uriTemplatePattern(template: string): RegExp {
  const literal = template.split(/\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`);
}

const INITIALIZE_PARAMS = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'surface-test', version: '0' } };
