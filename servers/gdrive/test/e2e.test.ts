/**
 * The built bin as clients run it: every tool once over stdio and over Streamable HTTP against the
 * Drive emulator; `patchbay-gdrive auth` played through the emulator's consent page, then a server
 * signed in by nothing but the stored account; the one-line exit when nothing signs in.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { callError, callOk, connectBin, connectStdio } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { ALEX, BIN, useDrive } from './helpers.js';

const d = useDrive();

describe.each(['stdio', 'http'] as const)('the built bin over %s', (transport) => {
  it('runs every tool once against the Drive emulator', async () => {
    const server = await connectBin(transport, BIN, ['--allow-permanent-delete'], { env: d.env() });
    try {
      const c = server.client;
      const tools = (await c.listTools()).tools.map((t) => t.name);
      expect(tools).toHaveLength(19);
      const used = new Set<string>();
      const run = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) => {
        used.add(name);
        const result = await callOk<T>(c, name, args);
        expect((result.data as { account?: string }).account).toBe(ALEX);
        return result;
      };
      await run('gdrive_get_account');
      const found = await run<{ files: Array<{ id: string; name: string }> }>('gdrive_search', { name: 'apollo', type: 'sheet' });
      const budget = found.data.files[0]!.id;
      await run('gdrive_list_folder', {});
      await run('gdrive_list_shared_drives');
      await run('gdrive_get_file', { file_id: budget });
      const sheets = await run<{ sheets: unknown[] }>('gdrive_read_file', { file_id: budget });
      expect(sheets.data.sheets).toHaveLength(3);
      const roadmap = d.id('Roadmap 2024');
      await run('gdrive_list_revisions', { file_id: roadmap });
      await run('gdrive_read_revision', { file_id: roadmap, revision_id: '1' });
      await run('gdrive_list_permissions', { file_id: roadmap });
      const folder = await run<{ file: { id: string } }>('gdrive_create_folder', { name: `e2e ${transport}` });
      const file = await run<{ file: { id: string; version: string } }>('gdrive_create_file', {
        name: 'e2e.md',
        content: '# E2E\n',
        as: 'doc',
        folder_id: folder.data.file.id,
      });
      const read = await run<{ file: { version: string } }>('gdrive_read_file', { file_id: file.data.file.id });
      await run('gdrive_update_file', { file_id: file.data.file.id, content: '# E2E, again\n', version: read.data.file.version });
      await run('gdrive_rename_file', { file_id: file.data.file.id, name: 'e2e renamed' });
      await run('gdrive_move_file', { file_id: file.data.file.id, folder_id: 'root' });
      const copy = await run<{ file: { id: string } }>('gdrive_copy_file', { file_id: file.data.file.id, name: 'e2e copy' });
      await run('gdrive_share_file', { file_id: file.data.file.id, role: 'reader', type: 'anyone' });
      await run('gdrive_unshare_file', { file_id: file.data.file.id, who: 'anyone' });
      await run('gdrive_trash_file', { file_id: copy.data.file.id });
      await run('gdrive_delete_file', { file_id: copy.data.file.id });
      expect([...used].sort()).toEqual([...tools].sort());
      // An access token Google expires early is refreshed without a prompt; a revoked grant is one message.
      d.sandbox.state.expireAccessTokens(ALEX);
      await run('gdrive_list_folder', {});
      d.sandbox.state.revokeRefreshToken(d.sandbox.state.defaultRefreshToken);
      d.sandbox.state.expireAccessTokens(ALEX);
      const revoked = await callError(c, 'gdrive_list_folder', {});
      expect(revoked).toMatch(/no longer accepts the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN.*Run `patchbay-gdrive auth`/);
      // Everything the connector asked for is something the emulator serves.
      expect(d.sandbox.log.entries({ unknown: true })).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('patchbay-gdrive auth, through the built bin', () => {
  it('signs in with the browser once, and the server then needs nothing but the stored account', async () => {
    const env = { ...process.env, ...d.env({ GDRIVE_OAUTH_REFRESH_TOKEN: undefined }) } as Record<string, string>;
    delete env.GDRIVE_OAUTH_REFRESH_TOKEN;
    const child = spawn(process.execPath, [BIN, 'auth', '--no-browser'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sign-in address; stderr:\n${stderr}`)), 15_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const consent = await fetch(url, { redirect: 'manual' });
    const page = await (await fetch(consent.headers.get('location')!)).text();
    expect(page).toContain('Signed in');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain(`Signed in as ${ALEX}`);
    const file = path.join(d.configDir, 'accounts', `${ALEX}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { refresh_token, access_token } = JSON.parse(readFileSync(file, 'utf8'));
    expect(`${stdout}${stderr}`).not.toContain(refresh_token);
    expect(`${stdout}${stderr}`).not.toContain(access_token);

    // Only the config folder and the API address: the stored account signs the server in.
    const server = await connectStdio(BIN, [], {
      env: { PATCHBAY_GDRIVE_CONFIG_DIR: d.configDir, GDRIVE_API_URL: d.sandbox.env.GDRIVE_API_URL! },
    });
    try {
      const { data } = await callOk<{ account: string; signed_in_with: string }>(server.client, 'gdrive_get_account', {});
      expect(data).toMatchObject({ account: ALEX, signed_in_with: `the account ${ALEX} stored by patchbay-gdrive auth` });
      expect(server.stderr()).not.toContain(refresh_token);
    } finally {
      await server.close();
    }
  });

  it('exits 2 with one line saying how to sign in when nothing is set', () => {
    const result = spawnSync(process.execPath, [BIN], {
      env: { PATH: process.env.PATH, PATCHBAY_GDRIVE_CONFIG_DIR: d.configDir },
      input: '',
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^patchbay-gdrive: not signed in to Google Drive\. Run `patchbay-gdrive auth`/),
    ]);
  });
});
