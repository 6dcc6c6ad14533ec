import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { gitConnector } from '../src/connector.js';
import { BIN, connect } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json, reviewed like code. `all` has a clone root so git_clone (offered
 * only then) shows.
 */
describeSurface({
  connector: gitConnector,
  connect: (argv) => connect(argv),
  bin: BIN,
  modes: {
    default: [],
    'read-only': ['--read-only'],
    all: ['--toolsets', 'all', '--clone-root', tmpdir()],
  },
  maxListBytes: { default: 40_000 },
});

describe('git tool selection', () => {
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
});

describe('README', () => {
  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(gitConnector, path.join(here, '../README.md'));
    expect(actual).toBe(expected);
  });
});
