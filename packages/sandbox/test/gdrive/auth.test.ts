/**
 * Auth as google-auth-library runs it against the sandbox's OAuth endpoints — the installed-app
 * flow with PKCE and a loopback redirect, refresh on expiry, a revoked grant, the service-account
 * JWT grant with and without domain-wide delegation — and the failures a connector must survive:
 * 401 for a dead token, 5xx and rate limits.
 */
import { CodeChallengeMethod } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { ALEX, failure, jsonOf, ROBOT, reasonOf, useDrive } from './harness.js';

const h = useDrive();
const DRIVE = 'https://www.googleapis.com/auth/drive';

/** Follows the authorization URL the way a browser would, up to the loopback redirect. */
async function approve(authUrl: string): Promise<URL> {
  const res = await fetch(authUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('the installed-app flow', () => {
  it('issues tokens for a code redirected to the loopback URI, checking the PKCE verifier', async () => {
    const client = h.oauth();
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      scope: [DRIVE, 'email'],
      state: 'xyz',
      code_challenge: codeChallenge!,
      code_challenge_method: CodeChallengeMethod.S256,
      prompt: 'consent',
    });
    const back = await approve(authUrl);
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:8765/callback');
    expect(back.searchParams.get('state')).toBe('xyz');
    const code = back.searchParams.get('code')!;
    const wrong = await failure(client.getToken({ code, codeVerifier: `${codeVerifier}x` }));
    expect(wrong.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    // The failed attempt did not use up the code.
    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      scope: `${DRIVE} email`,
      refresh_token: expect.stringMatching(/^1\/\//),
    });
    expect((await failure(client.getToken({ code, codeVerifier }))).data.error).toBe('invalid_grant');
    client.setCredentials(tokens);
    const about = await h.driveWith(client).about.get({ fields: 'user/emailAddress' });
    expect(about.data.user?.emailAddress).toBe(ALEX);
    const info = await client.getTokenInfo(tokens.access_token!);
    expect(info).toMatchObject({ email: ALEX, scopes: [DRIVE, 'email'] });
    const me = await fetch(`${h.sandbox.url}/oauth2/v3/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await jsonOf(me)).toEqual({
      sub: expect.stringMatching(/^\d+$/),
      email: ALEX,
      email_verified: true,
      hd: 'example.com',
    });
  });

  it('gives a refresh token only with access_type=offline, and on a repeat consent only with prompt=consent', async () => {
    const client = h.oauth();
    const ask = async (options: Record<string, string>) => {
      const back = await approve(
        client.generateAuthUrl({ scope: ['https://www.googleapis.com/auth/drive.readonly'], ...options }),
      );
      return (await client.getToken(back.searchParams.get('code')!)).tokens;
    };
    expect((await ask({})).refresh_token).toBeUndefined();
    // Consent was given by the first request: a second offline request gets no refresh token…
    expect((await ask({ access_type: 'offline' })).refresh_token).toBeUndefined();
    // …unless it asks for consent again.
    expect((await ask({ access_type: 'offline', prompt: 'consent' })).refresh_token).toMatch(/^1\/\//);
  });

  it('shows Google’s error page for an unknown client or a non-loopback redirect, and redirects a denial', async () => {
    const unknown = await fetch(
      `${h.sandbox.url}/o/oauth2/v2/auth?client_id=nope&redirect_uri=http://127.0.0.1:1/&response_type=code&scope=${DRIVE}`,
    );
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('invalid_client');
    const client = h.oauth();
    const remote = await fetch(client.generateAuthUrl({ scope: DRIVE, redirect_uri: 'https://evil.example/cb' }), {
      redirect: 'manual',
    });
    expect(remote.status).toBe(400);
    h.sandbox.state.consentDecision = 'deny';
    const denied = await approve(client.generateAuthUrl({ scope: DRIVE, state: 's' }));
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: 'access_denied', state: 's' });
  });
});

describe('refresh', () => {
  it('refreshes a token the server expired early, when the OAuth2Client is told to retry a 401 (forceRefreshOnFailure)', async () => {
    const env = h.sandbox.env;
    const setUp = (force: boolean) => {
      const first = h.sandbox.state.issueAccessToken({
        subject: ALEX,
        scopes: [DRIVE],
        clientId: env['GDRIVE_OAUTH_CLIENT_ID']!,
        lifetimeSeconds: 3600,
      });
      const client = h.oauth({
        access_token: first.token,
        refresh_token: env['GDRIVE_OAUTH_REFRESH_TOKEN']!,
        expiry_date: Date.now() + 3600_000,
      });
      client.forceRefreshOnFailure = force;
      // The server expires it while the client still believes it valid (a revoked session, a clock skew).
      h.sandbox.state.expireAccessToken(first.token);
      return { client, first };
    };
    // google-auth-library's default: a token with an expiry date in the future is not refreshed on 401.
    const plain = setUp(false);
    const surfaced = await failure(h.driveWith(plain.client).files.list({ pageSize: 1 }));
    expect(surfaced.status).toBe(401);
    const { client, first } = setUp(true);
    const mark = h.sandbox.log.mark;
    const { data } = await h.driveWith(client).files.list({ pageSize: 1, fields: 'files(name)' });
    expect(data.files).toHaveLength(1);
    const calls = h.sandbox.log.entries({ since: mark }).map((e) => [e.method, e.path, e.status]);
    expect(calls).toEqual([
      ['GET', '/drive/v3/files', 401],
      ['POST', '/token', 200],
      ['GET', '/drive/v3/files', 200],
    ]);
    expect(client.credentials.access_token).not.toBe(first.token);
    expect(client.credentials.refresh_token).toBe(env['GDRIVE_OAUTH_REFRESH_TOKEN']);
  });

  it('honours a short expires_in: the client refreshes before each call once the token is due', async () => {
    h.sandbox.state.accessTokenLifetimeSeconds = 1;
    const client = h.oauth({ refresh_token: h.sandbox.env['GDRIVE_OAUTH_REFRESH_TOKEN']! });
    // google-auth-library refreshes 5 minutes early by default; with 1 s tokens that means every call.
    client.eagerRefreshThresholdMillis = 0;
    const drive = h.driveWith(client);
    await drive.files.list({ pageSize: 1 });
    const token = client.credentials.access_token!;
    expect(client.credentials.expiry_date! - Date.now()).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(h.sandbox.state.resolveAccessToken(token)).toEqual({ problem: 'expired' });
    await drive.files.list({ pageSize: 1 });
    expect(client.credentials.access_token).not.toBe(token);
    expect(h.sandbox.log.entries({ path: '/token' })).toHaveLength(2);
  });

  it('answers a revoked refresh token with invalid_grant "Token has been expired or revoked."', async () => {
    const refresh = h.sandbox.env['GDRIVE_OAUTH_REFRESH_TOKEN']!;
    h.sandbox.state.revokeRefreshToken(refresh);
    const client = h.oauth({ refresh_token: refresh });
    const error = await failure(h.driveWith(client).files.list({}));
    expect(error.status).toBe(400);
    expect(error.data).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('revokes through /revoke: the access token and its grant stop working', async () => {
    const client = h.oauth({ refresh_token: h.sandbox.env['GDRIVE_OAUTH_REFRESH_TOKEN']! });
    const { token } = await client.getAccessToken();
    await client.revokeToken(token!);
    const dead = await failure(h.driveWith(h.oauth({ access_token: token! })).files.list({}));
    expect(dead.status).toBe(401);
    expect((await failure(client.refreshAccessToken())).data.error).toBe('invalid_grant');
  });

  it('answers a dead or missing token with 401 in Drive’s shape, and logs who called, never the token', async () => {
    const bad = await failure(h.driveWith(h.oauth({ access_token: 'ya29.nope' })).files.list({}));
    expect(bad.status).toBe(401);
    expect(bad.data.error).toMatchObject({ code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED' });
    expect(reasonOf(bad.data)).toMatchObject({ reason: 'authError', location: 'Authorization', locationType: 'header' });
    const none = await fetch(`${h.sandbox.url}/drive/v3/files`);
    expect(none.status).toBe(401);
    expect((await jsonOf(none)).error.errors[0].reason).toBe('required');
    await h.drive.files.list({ pageSize: 1 });
    expect(h.sandbox.log.entries().map((e) => e.identity)).toEqual(['invalid', 'anonymous', ALEX]);
    expect(JSON.stringify(h.sandbox.log.entries())).not.toContain(h.sandbox.token);
  });
});

describe('service accounts', () => {
  it('signs a JWT with the key file and acts as the service account itself without sub', async () => {
    const drive = h.driveWith(h.jwt());
    const about = await drive.about.get({ fields: 'user/emailAddress' });
    expect(about.data.user?.emailAddress).toBe(ROBOT);
    const { data } = await drive.files.list({ fields: 'files(name)', orderBy: 'name' });
    expect(data.files?.map((f) => f.name)).toEqual(['Robot instructions', 'Shared with the robot']);
    expect(h.sandbox.log.entries({ path: '/token' })[0]).toMatchObject({ status: 200 });
  });

  it('acts as a user of the domain with sub (domain-wide delegation), within the delegated scopes', async () => {
    const drive = h.driveWith(h.jwt({ subject: ALEX }));
    const about = await drive.about.get({ fields: 'user/emailAddress' });
    expect(about.data.user?.emailAddress).toBe(ALEX);
    expect(h.sandbox.log.last()?.identity).toBe(`${ALEX} (via ${ROBOT})`);
    const outside = await failure(
      h.jwt({ subject: ALEX, scopes: ['https://www.googleapis.com/auth/drive.file'] }).getAccessToken(),
    );
    expect(outside.data).toEqual({
      error: 'unauthorized_client',
      error_description:
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    });
    const stranger = await failure(h.jwt({ subject: 'jordan@partner.example' }).getAccessToken());
    expect(stranger.data.error).toBe('invalid_grant');
  });

  it('rejects a JWT signed with another key', async () => {
    const jwt = h.jwt();
    const { privateKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    );
    jwt.key = privateKey;
    const error = await failure(jwt.getAccessToken());
    expect(error.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  });
});

describe('faults', () => {
  it('answers 5xx with backendError; the client retries a GET and succeeds, and does not repeat a POST', async () => {
    h.sandbox.faults.add({ kind: 'error', status: 503, route: 'drive.files.list', times: 1 });
    const { data } = await h.drive.files.list({ pageSize: 1, fields: 'files(name)' });
    expect(data.files).toHaveLength(1);
    expect(h.sandbox.log.entries({ route: 'drive.files.list' }).map((e) => e.status)).toEqual([503, 200]);
    h.sandbox.faults.add({ kind: 'error', status: 500, route: 'drive.files.create', times: 1 });
    const error = await failure(h.drive.files.create({ requestBody: { name: 'once' } }));
    expect(error.status).toBe(500);
    expect(error.data.error).toMatchObject({
      code: 500,
      message: 'Backend Error',
      status: 'INTERNAL',
      errors: [{ reason: 'backendError', domain: 'global' }],
    });
  });

  it('answers rate limits as Drive does: 403 userRateLimitExceeded (not retried by the client) and 429 rateLimitExceeded', async () => {
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', route: 'drive.files.get', times: 1 });
    const quota = await failure(h.drive.files.get({ fileId: h.id('notes.txt') }));
    expect(quota.status).toBe(403);
    expect(reasonOf(quota.data)).toMatchObject({
      reason: 'userRateLimitExceeded',
      domain: 'usageLimits',
      message: 'User Rate Limit Exceeded',
    });
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', route: 'drive.files.list', times: 1 });
    const raw = await fetch(`${h.sandbox.url}/drive/v3/files`, { headers: { authorization: `Bearer ${h.sandbox.token}` } });
    expect(raw.status).toBe(429);
    expect((await jsonOf(raw)).error.errors[0]).toMatchObject({ reason: 'rateLimitExceeded', domain: 'usageLimits' });
    h.sandbox.faults.add({ kind: 'error', status: 403, route: 'drive.files.list', times: 1 });
    expect(reasonOf((await failure(h.drive.files.list({}))).data).reason).toBe('rateLimitExceeded');
  });
});
