import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectInMemory, describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { gdriveConnector } from '../src/connector.js';
import { BIN } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// tools/list needs no Google at all: nothing is requested before a call. The credential is a
// dummy, and the API and token URLs point at a closed loopback port, so a stray request (the
// resource listing) fails at once instead of reaching the network. The built bin inherits these.
const env = {
  GDRIVE_OAUTH_REFRESH_TOKEN: '1//surface-test-refresh-token',
  GDRIVE_OAUTH_CLIENT_ID: 'surface-test.apps.googleusercontent.com',
  GDRIVE_OAUTH_CLIENT_SECRET: 'surface-test-secret',
  GDRIVE_API_URL: 'http://127.0.0.1:9/',
  GDRIVE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token',
  PATCHBAY_GDRIVE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), 'patchbay-gdrive-surface-')),
};
Object.assign(process.env, env);
const connect = (argv: string[]) => connectInMemory(gdriveConnector, { argv, env });

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json. `all` switches on permanent delete so every tool has a snapshot.
 */
describeSurface({
  connector: gdriveConnector,
  connect,
  bin: BIN,
  modes: { default: [], 'read-only': ['--read-only'], all: ['--toolsets', 'all', '--allow-permanent-delete'] },
  maxListBytes: { default: 40_000, all: 42_000 },
});

describe('gdrive tool selection', () => {
  const names = async (argv: string[]) => {
    const { client, close } = await connect(argv);
    const tools = (await client.listTools()).tools;
    await close();
    return tools.map((t) => t.name);
  };

  it('offers reading, writing and sharing by default, permanent delete only when the operator allows it', async () => {
    const byDefault = await names([]);
    expect(byDefault).toEqual(
      expect.arrayContaining([
        'gdrive_search',
        'gdrive_read_file',
        'gdrive_update_file',
        'gdrive_share_file',
        'gdrive_trash_file',
      ]),
    );
    expect(byDefault).not.toContain('gdrive_delete_file');
    expect(await names(['--allow-permanent-delete'])).toContain('gdrive_delete_file');
    expect(await names(['--toolsets', 'read'])).toEqual([
      'gdrive_get_account',
      'gdrive_search',
      'gdrive_list_folder',
      'gdrive_list_shared_drives',
      'gdrive_get_file',
      'gdrive_read_file',
      'gdrive_list_revisions',
      'gdrive_read_revision',
      'gdrive_list_permissions',
    ]);
    // --read-only wins over the operator switch.
    expect(await names(['--read-only', '--allow-permanent-delete'])).not.toContain('gdrive_delete_file');
  });
});

describe('README', () => {
  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(gdriveConnector, path.join(here, '../README.md'));
    expect(actual).toBe(expected);
  });
});
