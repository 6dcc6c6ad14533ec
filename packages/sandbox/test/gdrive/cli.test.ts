/**
 * `patchbay-sandbox gdrive` as a person runs it: the built CLI prints the variables, and Google's
 * own client signs in with them (refresh token → access token → Drive); with
 * `--seed service-account` it writes a 0600 key file whose token_uri points at the sandbox and
 * removes it on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { drive as driveClient } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
const running: ChildProcess[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
});

/** Starts the CLI and resolves with the NAME=value lines once it says it is listening. */
function start(args: string[]): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm build first (pnpm test does)`);
  const child = spawn(process.execPath, [CLI, ...args, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      if (String(chunk).includes('Ctrl-C to stop'))
        resolve({
          child,
          env: Object.fromEntries(
            out
              .trim()
              .split('\n')
              .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
          ),
        });
    });
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
  });
}

describe('patchbay-sandbox gdrive', () => {
  it('prints the variables that let Google’s client sign in with the refresh token and use Drive', async () => {
    const { env } = await start(['gdrive']);
    expect(Object.keys(env)).toEqual([
      'GDRIVE_API_URL',
      'GDRIVE_OAUTH_TOKEN_URL',
      'GDRIVE_OAUTH_AUTH_URL',
      'GDRIVE_OAUTH_CLIENT_ID',
      'GDRIVE_OAUTH_CLIENT_SECRET',
      'GDRIVE_OAUTH_REFRESH_TOKEN',
    ]);
    expect(env['GDRIVE_API_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const auth = new OAuth2Client({
      clientId: env['GDRIVE_OAUTH_CLIENT_ID']!,
      clientSecret: env['GDRIVE_OAUTH_CLIENT_SECRET']!,
      endpoints: { oauth2TokenUrl: env['GDRIVE_OAUTH_TOKEN_URL']! },
    });
    auth.setCredentials({ refresh_token: env['GDRIVE_OAUTH_REFRESH_TOKEN']! });
    const drive = driveClient({ version: 'v3', auth, rootUrl: env['GDRIVE_API_URL']! });
    const { data } = await drive.files.list({ q: "name = 'Apollo project plan'", fields: 'files(name)' });
    expect(data.files).toEqual([{ name: 'Apollo project plan' }]);
  });

  it('with --seed service-account hands out a 0600 key file pointing at the sandbox, removed on exit', async () => {
    const { child, env } = await start(['gdrive', '--seed', 'service-account']);
    const path = env['GOOGLE_APPLICATION_CREDENTIALS']!;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const key = JSON.parse(readFileSync(path, 'utf8'));
    expect(key).toMatchObject({
      type: 'service_account',
      client_email: 'patchbay-drive@patchbay-sandbox.iam.gserviceaccount.com',
      token_uri: env['GDRIVE_OAUTH_TOKEN_URL'],
      private_key: expect.stringContaining('-----BEGIN PRIVATE KEY-----'),
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(existsSync(path)).toBe(false);
  });
});
