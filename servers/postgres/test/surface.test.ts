import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeWithCurrentTables, toolListBytes, toolSurface } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { postgresConnector } from '../src/connector.js';
import { connect } from './helpers.js';

/** Listing tools does no I/O, so an unreachable URL is enough here. */
const URL = 'postgres://reader@127.0.0.1:1/none';

/** The names of the tools a server started with `argv` offers. */
async function names(argv: string[]): Promise<string[]> {
  const { client, close } = await connect(argv);
  const { tools } = await client.listTools();
  await close();
  return tools.map((t) => t.name);
}

describe('tool surface', () => {
  it.each([
    ['default', [URL]],
    ['read-only', [URL, '--read-write', 'main', '--read-only', '--toolsets', 'all']],
    ['all', [URL, '--read-write', 'main', '--toolsets', 'all']],
  ])('matches the %s snapshot', async (mode, argv) => {
    const { client, close } = await connect(argv);
    await expect(await toolSurface(client)).toMatchFileSnapshot(`__snapshots__/tools.${mode}.json`);
    await close();
  });

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

  it('keeps the default tool list small: every byte of it is sent with every conversation', async () => {
    const { client, close } = await connect([URL]);
    // 16 KB before the descriptions and output schemas were trimmed and explain and list_schemas
    // left the default set; a tool or a long description added by accident shows up here.
    expect(await toolListBytes(client)).toBeLessThan(10_000);
    await close();
  });

  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(
      postgresConnector,
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md'),
    );
    expect(actual).toBe(expected);
  });
});
