import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { postgresConnector } from '../src/connector.js';
import { BIN, connect } from './helpers.js';

/** Listing tools does no I/O, so an unreachable URL is enough here. */
const URL = 'postgres://reader@127.0.0.1:1/none';

/** The names of the tools a server started with `argv` offers. */
async function names(argv: string[]): Promise<string[]> {
  const { client, close } = await connect(argv);
  const { tools } = await client.listTools();
  await close();
  return tools.map((t) => t.name);
}

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json. `all` has a read-write connection (postgres_execute) and a second
 * connection (postgres_list_connections), so every tool shows.
 */
describeSurface({
  connector: postgresConnector,
  connect: (argv) => connect(argv),
  bin: BIN,
  modes: {
    default: [URL],
    'read-only': [URL, '--read-write', 'main', '--read-only', '--toolsets', 'all'],
    all: [URL, '--connection', `other=${URL}`, '--read-write', 'main', '--toolsets', 'all'],
  },
  // 16 KB before the descriptions and output schemas were trimmed and explain and list_schemas
  // left the default set; a tool or a long description added by accident shows up here.
  maxListBytes: { default: 10_000 },
});

describe('postgres tool selection', () => {
  it('offers the write tool only for a read-write connection and hides it with --read-only', async () => {
    expect(await names([URL])).not.toContain('postgres_execute');
    expect(await names([URL, '--read-write', 'main'])).toContain('postgres_execute');
    expect(await names([URL, '--read-write', 'main', '--read-only'])).not.toContain('postgres_execute');
    expect(await names([URL])).toEqual([
      'postgres_query',
      'postgres_list_tables',
      'postgres_describe_table',
      'postgres_search_schema',
    ]);
  });

  it('offers postgres_list_connections only when there are connections to choose from', async () => {
    expect(await names([URL, '--toolsets', 'all'])).not.toContain('postgres_list_connections');
    expect(await names([URL, '--connection', `other=${URL}`])).toContain('postgres_list_connections');
  });

  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(
      postgresConnector,
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md'),
    );
    expect(actual).toBe(expected);
  });
});
