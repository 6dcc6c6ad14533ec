/**
 * Signing in, the part users fight with most: `patchbay-gdrive auth` (PKCE, loopback redirect,
 * stored 0600, consent asked once), a refresh token used and kept, an expired access token
 * refreshed without a prompt, a revoked one reported in one message, several accounts with
 * --account, service accounts with and without delegation, the reference server's files, read-only
 * scopes — against the emulator's OAuth endpoints, with Google's own auth library.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from '@patchbay/kit';
import { callError, callOk } from '@patchbay/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../src/commands.js';
import { gdriveConnector } from '../src/connector.js';
import { ALEX, ROBOT, SAM, useDrive } from './helpers.js';

const d = useDrive();
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempFile(name: string, contents: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchbay-gdrive-auth-'));
  temps.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, contents, { mode: 0o600 });
  return file;
}

/** Without the sandbox's refresh token: what `auth` and a stored account need. */
const NO_REFRESH = { GDRIVE_OAUTH_REFRESH_TOKEN: undefined };
const noRefreshToken = () => d.env(NO_REFRESH);

/**
 * Run `patchbay-gdrive auth` in this process, playing the browser: follow the address it prints to
 * the emulator's consent page, which redirects to the command's loopback server.
 */
async function authenticate(argv: string[] = [], env = noRefreshToken()) {
  const out: string[] = [];
  const err: string[] = [];
  let visited: URL | undefined;
  let page = '';
  const done = runCommand('auth', ['--no-browser', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l), env });
  const started = Date.now();
  while (!visited && Date.now() - started < 10_000) {
    const line = err.find((l) => l.includes('/o/oauth2/v2/auth?'));
    if (line) {
      visited = new URL(/(http\S+)/.exec(line)![1]!);
      const consent = await fetch(visited, { redirect: 'manual' });
      const back = consent.headers.get('location');
      if (back) page = await (await fetch(back)).text();
      else page = await consent.text();
    } else await new Promise((r) => setTimeout(r, 20));
  }
  const code = await done;
  return { code, out: out.join('\n'), err: err.join('\n'), visited: visited!, page };
}

const storedFile = (email: string) => path.join(d.configDir, 'accounts', `${email}.json`);
const tokenCalls = () => d.sandbox.log.entries({ path: '/token' }).length;

describe('the sandbox’s refresh token', () => {
  it('signs in, and an expired access token is refreshed without a prompt (forceRefreshOnFailure)', async () => {
    const { client } = await d.connect();
    await callOk(client, 'gdrive_search', { name: 'apollo' });
    expect(tokenCalls()).toBe(1);
    // The token now carries an expiry date an hour away; Google expires it early anyway.
    d.sandbox.state.expireAccessTokens(ALEX);
    const again = await callOk<{ account: string; files: unknown[] }>(client, 'gdrive_search', { name: 'apollo' });
    expect(again.data.files).toHaveLength(5);
    expect(tokenCalls()).toBe(2);
    expect(d.sandbox.log.entries({ path: '/drive/v3/files', status: 401 })).toHaveLength(1);
  });

  it('a revoked refresh token is one clear message naming patchbay-gdrive auth, with no token in it', async () => {
    const logs: string[] = [];
    const { client } = await d.connect({ logs });
    await callOk(client, 'gdrive_list_folder', {});
    d.sandbox.state.revokeRefreshToken(d.sandbox.state.defaultRefreshToken);
    const text = await callError(client, 'gdrive_list_folder', {});
    expect(text).toBe(
      'Google Drive no longer accepts the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN: the sign-in was revoked or has expired (invalid_grant: Token has been expired or revoked.). ' +
        'Run `patchbay-gdrive auth` in a terminal to sign in again (or set GDRIVE_OAUTH_REFRESH_TOKEN to a new refresh token), then restart the server. ' +
        'If this happens every week, the OAuth client’s app is in "Testing" in Google Cloud (its refresh tokens last 7 days): publish it to "In production".',
    );
    for (const token of [d.sandbox.state.defaultRefreshToken, ...d.sandbox.state.accessTokens.keys()]) {
      expect(text).not.toContain(token);
      expect(logs.join('\n')).not.toContain(token);
    }
  });
});

describe('patchbay-gdrive auth', () => {
  it('signs in with PKCE and a loopback redirect, stores the account 0600, and the server uses it', async () => {
    const result = await authenticate();
    expect(result.code).toBe(0);
    expect(result.page).toContain('Signed in');
    const asked = result.visited.searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(asked.get('access_type')).toBe('offline');
    expect(asked.get('prompt')).toBe('select_account consent');
    expect(asked.get('scope')).toBe(
      'https://www.googleapis.com/auth/drive https://www.googleapis.com/auth/drive.readonly openid email',
    );
    expect(result.out).toContain(`Signed in as ${ALEX} (Alex Rivera) with drive, drive.readonly, openid, email.`);
    expect(result.out).toContain('It is the default account');

    const file = storedFile(ALEX);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    expect(record).toMatchObject({
      account: ALEX,
      token_uri: `${d.sandbox.url}/token`,
      client_id: d.sandbox.env.GDRIVE_OAUTH_CLIENT_ID,
    });
    expect(d.sandbox.state.refreshTokens.get(record.refresh_token)).toMatchObject({ subject: ALEX, revoked: false });
    // The tokens never reach the terminal.
    for (const token of [record.refresh_token, record.access_token]) expect(`${result.out}\n${result.err}`).not.toContain(token);

    // The server needs nothing else now: the stored default account signs it in.
    const { client } = await d.connect({ env: NO_REFRESH });
    const found = await callOk<{ account: string }>(client, 'gdrive_get_account', {});
    expect(found.data.account).toBe(ALEX);
    expect(found.text).toContain(`the account ${ALEX} stored by patchbay-gdrive auth`);
  });

  it('asks for consent once: signing in again keeps the refresh token, and refreshes are written back', async () => {
    await authenticate();
    const first = JSON.parse(readFileSync(storedFile(ALEX), 'utf8'));
    const again = await authenticate(['--account', ALEX]);
    expect(again.code).toBe(0);
    expect(again.visited.searchParams.get('prompt')).toBeNull();
    expect(again.visited.searchParams.get('login_hint')).toBe(ALEX);
    const second = JSON.parse(readFileSync(storedFile(ALEX), 'utf8'));
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(second.created).toBe(first.created);

    const { client } = await d.connect({ env: NO_REFRESH });
    d.sandbox.state.expireAccessTokens(ALEX);
    await callOk(client, 'gdrive_list_folder', {});
    const third = JSON.parse(readFileSync(storedFile(ALEX), 'utf8'));
    expect(third.access_token).not.toBe(second.access_token);
    expect(third.refresh_token).toBe(first.refresh_token);
    expect(statSync(storedFile(ALEX)).mode & 0o777).toBe(0o600);
  });

  it('keeps several accounts; --account picks one and every result says which account answered', async () => {
    await authenticate();
    d.sandbox.state.browserUser = SAM;
    const sam = await authenticate(['--account', SAM]);
    expect(sam.code).toBe(0);
    expect(sam.out).toContain(`patchbay-gdrive --account ${SAM}`);
    const listed: string[] = [];
    expect(await runCommand('accounts', [], { out: (l) => listed.push(l), err: () => undefined, env: noRefreshToken() })).toBe(0);
    expect(listed[0]).toMatch(new RegExp(`^${ALEX} \\(default\\) · drive, drive.readonly, openid, email`));
    expect(listed[1]).toMatch(new RegExp(`^${SAM} · drive`));

    const asSam = await d.connect({ argv: ['--account', SAM], env: NO_REFRESH });
    const mine = await callOk<{ account: string; files: Array<{ name: string }> }>(asSam.client, 'gdrive_search', {
      owner: 'me',
      type: 'doc',
    });
    expect(mine.data.account).toBe(SAM);
    expect(mine.text.split('\n')[0]).toContain(`as ${SAM}`);
    expect(mine.data.files.map((f) => f.name)).toEqual(['Team handbook']);
    const byDefault = await d.connect({ env: NO_REFRESH });
    expect((await callOk<{ account: string }>(byDefault.client, 'gdrive_list_folder', {})).data.account).toBe(ALEX);

    const unknown = load(gdriveConnector, { argv: ['--account', 'nobody@example.com'], env: noRefreshToken() });
    expect(unknown.status === 'invalid' && unknown.problems[0]).toMatch(/--account nobody@example.com: no such stored account/);
  });

  it('stores nothing when consent is denied or the browser signs in as someone else', async () => {
    d.sandbox.state.consentDecision = 'deny';
    const denied = await authenticate();
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('access was denied in the browser; nothing was stored');
    d.sandbox.state.consentDecision = 'approve';
    d.sandbox.state.browserUser = SAM;
    const other = await authenticate(['--account', 'someone-else@example.com']);
    expect(other.code).toBe(1);
    expect(other.err).toContain(`signed in as ${SAM}, not someone-else@example.com`);
    expect(() => statSync(path.join(d.configDir, 'accounts'))).toThrow();
  });

  it('says how to get an OAuth client when there is none', async () => {
    const err: string[] = [];
    const env = d.env({
      GDRIVE_OAUTH_CLIENT_ID: undefined,
      GDRIVE_OAUTH_CLIENT_SECRET: undefined,
      GDRIVE_OAUTH_REFRESH_TOKEN: undefined,
    });
    expect(await runCommand('auth', ['--no-browser'], { out: () => undefined, err: (l) => err.push(l), env })).toBe(2);
    expect(err.join('\n')).toMatch(/no OAuth client.*"Desktop app".*--oauth-client/);
  });

  it('logout revokes the grant at Google and forgets the account', async () => {
    await authenticate();
    const { refresh_token } = JSON.parse(readFileSync(storedFile(ALEX), 'utf8'));
    const out: string[] = [];
    expect(
      await runCommand('logout', ['--account', ALEX], { out: (l) => out.push(l), err: () => undefined, env: noRefreshToken() }),
    ).toBe(0);
    expect(out[0]).toBe(`Signed out ${ALEX}.`);
    expect(d.sandbox.state.refreshTokens.get(refresh_token).revoked).toBe(true);
    expect(() => statSync(storedFile(ALEX))).toThrow();
  });
});

describe('service accounts', () => {
  const keyFile = () => tempFile('key.json', JSON.stringify(d.sandbox.state.serviceAccountKeyFile(ROBOT, d.sandbox.url)));
  const serviceEnv = (key: string) => ({
    GDRIVE_API_URL: d.sandbox.env.GDRIVE_API_URL,
    GOOGLE_APPLICATION_CREDENTIALS: key,
    GDRIVE_OAUTH_REFRESH_TOKEN: undefined,
    GDRIVE_OAUTH_CLIENT_ID: undefined,
    GDRIVE_OAUTH_CLIENT_SECRET: undefined,
    GDRIVE_OAUTH_TOKEN_URL: undefined,
    GDRIVE_OAUTH_AUTH_URL: undefined,
  });

  it('signs a JWT for the key file’s own token_uri and sees what is shared with the service account', async () => {
    const { client } = await d.connect({ env: serviceEnv(keyFile()) });
    const { data } = await callOk<{ account: string; files: Array<{ name: string }> }>(client, 'gdrive_search', {});
    expect(data.account).toBe(ROBOT);
    expect(data.files.map((f) => f.name).sort()).toEqual(['Robot instructions', 'Shared with the robot']);
    // The grant went to the sandbox's /token (the key file's token_uri), not Google's fixed URL.
    expect(d.sandbox.log.entries({ path: '/token' })).toEqual([expect.objectContaining({ status: 200, method: 'POST' })]);
    d.sandbox.state.expireAccessTokens(ROBOT);
    await callOk(client, 'gdrive_list_folder', {});
    expect(d.sandbox.log.entries({ path: '/token' })).toHaveLength(2);
  });

  it('acts as a user of its domain with --subject (domain-wide delegation), and says what to fix when it may not', async () => {
    const key = keyFile();
    const asAlex = await d.connect({ argv: ['--subject', ALEX], env: serviceEnv(key) });
    const { data } = await callOk<{ account: string; files: Array<{ name: string }> }>(asAlex.client, 'gdrive_search', {
      name: 'apollo',
      type: 'doc',
    });
    expect(data.account).toBe(ALEX);
    expect(data.files.map((f) => f.name)).toEqual(['Apollo project plan']);
    const context = await callOk<{ signed_in_with: string }>(asAlex.client, 'gdrive_get_account', {});
    expect(context.data.signed_in_with).toBe(`the service account ${ROBOT} acting as ${ALEX} (domain-wide delegation)`);

    const outsider = await d.connect({ argv: ['--subject', 'jordan@partner.example'], env: serviceEnv(key) });
    const refused = await callError(outsider.client, 'gdrive_search', {});
    expect(refused).toMatch(/no longer accepts the service account .* acting as jordan@partner.example/);
    expect(refused).toMatch(/domain-wide delegation \(Admin console/);
  });

  it('refuses --subject without a service account, and a key file that is not one', async () => {
    const problems = load(gdriveConnector, { argv: ['--subject', ALEX], env: d.env() });
    expect(problems.status === 'invalid' && problems.problems).toEqual([
      expect.stringMatching(/--subject .* also set GOOGLE_APPLICATION_CREDENTIALS/),
    ]);
    const { client } = await d.connect({ env: serviceEnv(tempFile('oops.json', '{"type":"external_account"}')) });
    expect(await callError(client, 'gdrive_search', {})).toMatch(/is not a service-account key file \(type "external_account"\)/);
  });
});

describe('the reference server’s files and variables', () => {
  it('reads GDRIVE_CREDENTIALS_PATH with the client from GDRIVE_OAUTH_PATH, refreshes it and writes it back 0600', async () => {
    const clientFile = tempFile(
      'gcp-oauth.keys.json',
      JSON.stringify({
        installed: {
          client_id: d.sandbox.env.GDRIVE_OAUTH_CLIENT_ID,
          client_secret: d.sandbox.env.GDRIVE_OAUTH_CLIENT_SECRET,
          auth_uri: d.sandbox.env.GDRIVE_OAUTH_AUTH_URL,
          token_uri: d.sandbox.env.GDRIVE_OAUTH_TOKEN_URL,
          redirect_uris: ['http://localhost'],
        },
      }),
    );
    const expired = d.sandbox.state.issueAccessToken({ subject: ALEX, scopes: ['drive'], lifetimeSeconds: -1 }).token;
    const tokens = tempFile(
      '.gdrive-server-credentials.json',
      JSON.stringify({
        access_token: expired,
        refresh_token: d.sandbox.state.defaultRefreshToken,
        scope: 'https://www.googleapis.com/auth/drive',
        token_type: 'Bearer',
        expiry_date: Date.now() + 3_600_000,
      }),
    );
    const { client } = await d.connect({
      env: {
        GDRIVE_OAUTH_REFRESH_TOKEN: undefined,
        GDRIVE_OAUTH_CLIENT_ID: undefined,
        GDRIVE_OAUTH_CLIENT_SECRET: undefined,
        GDRIVE_OAUTH_TOKEN_URL: undefined,
        GDRIVE_OAUTH_PATH: clientFile,
        GDRIVE_CREDENTIALS_PATH: tokens,
      },
    });
    const { data } = await callOk<{ account: string }>(client, 'gdrive_list_folder', {});
    expect(data.account).toBe(ALEX);
    const saved = JSON.parse(readFileSync(tokens, 'utf8'));
    expect(saved.access_token).not.toBe(expired);
    expect(saved.refresh_token).toBe(d.sandbox.state.defaultRefreshToken);
    expect(statSync(tokens).mode & 0o777).toBe(0o600);
  });

  it('patchbay-gdrive auth also writes the reference’s token file where GDRIVE_CREDENTIALS_PATH points', async () => {
    const tokens = path.join(mkdtempSync(path.join(tmpdir(), 'patchbay-gdrive-ref-')), 'credentials.json');
    temps.push(path.dirname(tokens));
    const result = await authenticate([], d.env({ GDRIVE_OAUTH_REFRESH_TOKEN: undefined, GDRIVE_CREDENTIALS_PATH: tokens }));
    expect(result.code).toBe(0);
    const saved = JSON.parse(readFileSync(tokens, 'utf8'));
    expect(saved).toMatchObject({
      token_type: 'Bearer',
      refresh_token: expect.stringMatching(/^1\/\//),
      access_token: expect.stringMatching(/^ya29\./),
    });
    expect(statSync(tokens).mode & 0o777).toBe(0o600);
    expect(result.out).toContain(`and in ${tokens}`);
  });

  it('says in one line how to sign in when no credential is set', () => {
    const result = load(gdriveConnector, { argv: [], env: { PATCHBAY_GDRIVE_CONFIG_DIR: d.configDir } });
    expect(result.status).toBe('missing-credentials');
    expect(result.status === 'missing-credentials' && result.missing).toEqual([
      expect.stringMatching(/^not signed in to Google Drive\. Run `patchbay-gdrive auth` once in a terminal/),
    ]);
  });
});

describe('read-only', () => {
  it('narrows the token to drive.readonly when the grant has it, and says so', async () => {
    const state = d.sandbox.state;
    const grant = state.issueRefreshToken({
      subject: ALEX,
      clientId: state.defaultClientId,
      scopes: ['drive', 'drive.readonly', 'email'],
    });
    const { client } = await d.connect({ argv: ['--read-only'], env: { GDRIVE_OAUTH_REFRESH_TOKEN: grant.token } });
    const { data, text } = await callOk<{ scopes: Array<{ scope: string }>; can_write: boolean; read_only_server: boolean }>(
      client,
      'gdrive_get_account',
      {},
    );
    expect(data.scopes.map((s) => s.scope)).toEqual(['drive.readonly']);
    expect(data).toMatchObject({ can_write: false, read_only_server: true });
    expect(text).toContain('its token is read-only too (drive.readonly)');
    // The access token itself cannot write.
    const issued = [...state.accessTokens.values()].filter((t: { refreshToken?: string }) => t.refreshToken === grant.token);
    expect(issued.map((t: { scopes: string[] }) => t.scopes)).toEqual([['https://www.googleapis.com/auth/drive.readonly']]);
  });

  it('with a grant that has no drive.readonly, keeps its scopes and says the token could still write', async () => {
    const { client } = await d.connect({ argv: ['--read-only'] });
    const { data, text } = await callOk<{ scopes: Array<{ scope: string }>; can_write: boolean }>(
      client,
      'gdrive_get_account',
      {},
    );
    expect(data.scopes.map((s) => s.scope)).toEqual(['drive', 'openid', 'email']);
    expect(data.can_write).toBe(false);
    expect(text).toContain('The token itself could write');
  });

  it('a stored account signed in with --read-only asks only for drive.readonly', async () => {
    const result = await authenticate(['--read-only']);
    expect(result.code).toBe(0);
    expect(result.visited.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/drive.readonly openid email');
    expect(JSON.parse(readFileSync(storedFile(ALEX), 'utf8')).scope).toBe(
      'https://www.googleapis.com/auth/drive.readonly openid email',
    );
  });

  it('a full-access stored account is narrowed under --read-only from the first call, and the stored token is left alone', async () => {
    await authenticate();
    const before = readFileSync(storedFile(ALEX), 'utf8');
    const { client } = await d.connect({ argv: ['--read-only'], env: NO_REFRESH });
    const { data } = await callOk<{ scopes: Array<{ scope: string }> }>(client, 'gdrive_get_account', {});
    expect(data.scopes.map((s) => s.scope)).toEqual(['drive.readonly']);
    const last = [...d.sandbox.state.accessTokens.values()].at(-1) as { scopes: string[] };
    expect(last.scopes).toEqual(['https://www.googleapis.com/auth/drive.readonly']);
    // The account file still holds the full grant's token, for a server that is not read-only.
    expect(readFileSync(storedFile(ALEX), 'utf8')).toBe(before);
  });
});
