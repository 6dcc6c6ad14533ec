import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeWithCurrentTables, toolListBytes, toolSurface } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { gitConnector } from '../src/connector.js';
import { connect } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * What a model sees, per mode. A change to a name, description, schema or annotation is a diff in
 * these files, reviewed like code. `all` has a clone root so git_clone (offered only then) shows.
 */
const MODES: Record<string, string[]> = {
  default: [],
  'read-only': ['--read-only'],
  all: ['--toolsets', 'all', '--clone-root', tmpdir()],
};

describe('tool surface', () => {
  for (const [mode, argv] of Object.entries(MODES)) {
    it(`matches the ${mode} snapshot`, async () => {
      const { client, close } = await connect(argv);
      await expect(await toolSurface(client)).toMatchFileSnapshot(`__snapshots__/tools.${mode}.json`);
      await close();
    });
  }

  it('gives every tool a title, an output schema and all four annotations', async () => {
    const { client, close } = await connect(MODES.all as string[]);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(gitConnector.tools.length);
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name} ${hint}`).toBe('boolean');
      }
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
      }
    }
    await close();
  });

  it('offers reads and writes by default, remotes on request, and only reads under --read-only', async () => {
    const names = async (argv: string[]) => {
      const { client, close } = await connect(argv);
      const list = (await client.listTools()).tools;
      await close();
      return list;
    };
    const byDefault = await names([]);
    expect(byDefault.map((t) => t.name)).toContain('git_commit');
    expect(byDefault.map((t) => t.name)).not.toContain('git_push');
    const readOnly = await names(['--read-only', '--toolsets', 'all']);
    expect(readOnly.every((t) => t.annotations?.readOnlyHint)).toBe(true);
    expect(readOnly.map((t) => t.name)).toEqual(expect.arrayContaining(['git_status', 'git_diff', 'git_remotes']));
    expect(readOnly.map((t) => t.name)).not.toContain('git_reset_hard');
    const hard = (await names([])).find((t) => t.name === 'git_reset_hard');
    expect(hard?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it('keeps the default tool list small', async () => {
    const { client, close } = await connect([]);
    // A budget on what every conversation pays for, not a timing: the list's bytes on the wire.
    expect(await toolListBytes(client)).toBeLessThan(40_000);
    await close();
  });
});

describe('README', () => {
  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(gitConnector, path.join(here, '../README.md'));
    expect(actual).toBe(expected);
  });
});
