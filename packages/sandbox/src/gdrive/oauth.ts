/**
 * Google's OAuth 2.0 endpoints, at the paths Google uses on its own hosts (one emulator serves
 * them all, so a client needs one base URL):
 *
 *   GET  /o/oauth2/v2/auth     authorization: signs in as the sandbox's browser user, auto-approves,
 *                              and redirects to the loopback redirect_uri with `code` and `state`
 *   POST /token                authorization_code (PKCE S256/plain checked), refresh_token,
 *                              urn:ietf:params:oauth:grant-type:jwt-bearer (RS256, optional `sub`)
 *   POST /revoke               revokes an access or refresh token
 *   GET|POST /tokeninfo        (and /oauth2/v3/tokeninfo) who a token is for, its scopes, expiry
 *   GET  /oauth2/v3/userinfo   (and /oauth2/v2/userinfo, /v1/userinfo) the signed-in user
 *
 * Answers follow Google's: RFC 6749 error bodies (`invalid_grant` "Token has been expired or
 * revoked." for a revoked refresh token), a refresh token only on the first consent with
 * `access_type=offline` (or `prompt=consent`), access tokens that expire after
 * `state.accessTokenLifetimeSeconds`.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Route } from '../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse, textResponse } from '../core/http.js';
import { bearerOf } from './api.js';
import { GoogleApiError, oauthError } from './errors.js';
import { type GdriveState, SCOPE_PREFIX, scopeUrl, shortScope } from './state.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Scopes the authorization endpoint knows: Drive's, Sheets', Docs', Slides' and OpenID's. */
const KNOWN_SCOPES = new Set([
  ...[
    'drive',
    'drive.appdata',
    'drive.apps.readonly',
    'drive.file',
    'drive.meet.readonly',
    'drive.metadata',
    'drive.metadata.readonly',
    'drive.photos.readonly',
    'drive.readonly',
    'drive.scripts',
    'spreadsheets',
    'spreadsheets.readonly',
    'documents',
    'documents.readonly',
    'presentations',
    'presentations.readonly',
    'userinfo.email',
    'userinfo.profile',
  ].map((s) => SCOPE_PREFIX + s),
  'openid',
  'email',
  'profile',
]);

const NO_STORE = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' };

/** Form fields of a POST (Google also takes JSON). */
function fields(req: SandboxRequest): URLSearchParams {
  const type = req.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const body = req.json<Record<string, unknown>>() ?? {};
    return new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
  }
  const out = req.form();
  // Parameters may also come in the query string.
  for (const [k, v] of req.query) if (!out.has(k)) out.set(k, v);
  return out;
}

/** A Google error page (the authorization endpoint never redirects an error it cannot trust). */
function errorPage(status: number, error: string, detail: string): SandboxResponse {
  return textResponse(
    status,
    `<!DOCTYPE html><html lang="en"><head><title>Error ${status} (${error})</title></head><body><h1>Access blocked: Authorization Error</h1><p>Error ${status}: ${error}</p><p>${detail}</p></body></html>`,
    'text/html; charset=utf-8',
  );
}

function isLoopback(uri: URL): boolean {
  return uri.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(uri.hostname);
}

function redirectAllowed(client: { type: string; redirectUris: string[] }, redirectUri: string): boolean {
  let uri: URL;
  try {
    uri = new URL(redirectUri);
  } catch {
    return false;
  }
  // Desktop clients may use any loopback port and path; web clients only registered URIs.
  if (client.type === 'installed' && isLoopback(uri)) return true;
  return client.redirectUris.includes(redirectUri);
}

function authorize(req: SandboxRequest, state: GdriveState): SandboxResponse {
  const q = req.query;
  const client = state.clients.get(q.get('client_id') ?? '');
  if (!client) return errorPage(401, 'invalid_client', 'The OAuth client was not found.');
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!redirectAllowed(client, redirectUri))
    return errorPage(
      400,
      'redirect_uri_mismatch',
      `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${redirectUri}`,
    );
  const back = (params: Record<string, string>): SandboxResponse => {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    if (q.has('state')) target.searchParams.set('state', q.get('state')!);
    return { status: 302, headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' };
  };
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  const scopes = (q.get('scope') ?? '')
    .split(/[\s+]+/)
    .filter(Boolean)
    .map(scopeUrl);
  if (scopes.length === 0) return errorPage(400, 'invalid_request', 'Missing required parameter: scope');
  const unknown = scopes.filter((s) => !KNOWN_SCOPES.has(s));
  if (unknown.length > 0)
    return errorPage(400, 'invalid_scope', `Some requested scopes were invalid. {invalid=[${unknown.join(', ')}]}`);
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256' && method !== 'plain')
    return errorPage(400, 'invalid_request', 'Invalid code_challenge_method value.');
  if (challenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge))
    return errorPage(400, 'invalid_request', 'Invalid code_challenge value.');
  const hint = q.get('login_hint')?.toLowerCase();
  const subject = hint && state.users.has(hint) ? hint : state.browserUser;
  if (state.consentDecision === 'deny') return back({ error: 'access_denied' });

  const key = `${client.clientId} ${subject}`;
  const granted = state.consents.get(key);
  const prompt = (q.get('prompt') ?? '').split(/\s+/);
  const offline = q.get('access_type') === 'offline';
  // Google hands out a refresh token when the user consents, which it asks for the first time
  // (or for new scopes) and again only with prompt=consent.
  const consentShown = !granted || prompt.includes('consent') || scopes.some((s) => !granted.has(s));
  const all = new Set([...(granted ?? []), ...scopes]);
  state.consents.set(key, all);
  const code = `4/0A${createHash('sha256').update(`${key}:${Date.now()}:${Math.random()}`).digest('base64url').slice(0, 60)}`;
  state.authCodes.set(code, {
    code,
    clientId: client.clientId,
    redirectUri,
    subject,
    scopes: q.get('include_granted_scopes') === 'true' ? [...all] : scopes,
    ...(challenge ? { codeChallenge: challenge, codeChallengeMethod: method as 'S256' | 'plain' } : {}),
    withRefreshToken: offline && consentShown,
    expiresAt: Date.now() + 10 * 60 * 1000,
    used: false,
  });
  return back({ code, scope: scopes.join(' '), authuser: '0', prompt: consentShown ? 'consent' : 'none' });
}

/** Client credentials from HTTP Basic or the body; 401 `invalid_client` when they do not match. */
function authenticateClient(req: SandboxRequest, form: URLSearchParams, state: GdriveState) {
  let id = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(.+)$/i.exec(req.header('authorization') ?? '');
  if (basic) {
    const [user = '', pass = ''] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    id = decodeURIComponent(user);
    secret = decodeURIComponent(pass);
  }
  const client = state.clients.get(id ?? '');
  if (!client) throw oauthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (secret !== client.clientSecret) throw oauthError(401, 'invalid_client', 'Unauthorized');
  return client;
}

function tokenAnswer(body: Record<string, unknown>): SandboxResponse {
  return jsonResponse(200, body, NO_STORE);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function authorizationCodeGrant(req: SandboxRequest, form: URLSearchParams, state: GdriveState): SandboxResponse {
  const client = authenticateClient(req, form, state);
  const code = state.authCodes.get(form.get('code') ?? '');
  if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== client.clientId)
    throw oauthError(400, 'invalid_grant', 'Bad Request');
  if (form.get('redirect_uri') !== code.redirectUri) throw oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
  if (code.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (!verifier) throw oauthError(400, 'invalid_grant', 'Missing code verifier.');
    const computed = code.codeChallengeMethod === 'S256' ? s256(verifier) : verifier;
    if (computed !== code.codeChallenge) throw oauthError(400, 'invalid_grant', 'Invalid code verifier.');
  }
  code.used = true;
  const refresh = code.withRefreshToken
    ? state.issueRefreshToken({ subject: code.subject, clientId: client.clientId, scopes: code.scopes })
    : undefined;
  const access = state.issueAccessToken({
    subject: code.subject,
    scopes: code.scopes,
    clientId: client.clientId,
    ...(refresh ? { refreshToken: refresh.token } : {}),
  });
  return tokenAnswer({
    access_token: access.token,
    expires_in: state.accessTokenLifetimeSeconds,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    scope: code.scopes.join(' '),
    token_type: 'Bearer',
  });
}

function refreshTokenGrant(req: SandboxRequest, form: URLSearchParams, state: GdriveState): SandboxResponse {
  const client = authenticateClient(req, form, state);
  const record = state.refreshTokens.get(form.get('refresh_token') ?? '');
  if (!record || record.revoked) throw oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
  if (record.clientId !== client.clientId) throw oauthError(401, 'unauthorized_client', 'Unauthorized');
  let scopes = record.scopes;
  const narrowed = form.get('scope');
  if (narrowed) {
    const wanted = narrowed.split(/\s+/).filter(Boolean).map(scopeUrl);
    if (wanted.some((s) => !record.scopes.includes(s))) throw oauthError(400, 'invalid_scope', 'Bad Request');
    scopes = wanted;
  }
  const access = state.issueAccessToken({
    subject: record.subject,
    scopes,
    clientId: client.clientId,
    refreshToken: record.token,
  });
  return tokenAnswer({
    access_token: access.token,
    expires_in: state.accessTokenLifetimeSeconds,
    scope: scopes.join(' '),
    token_type: 'Bearer',
  });
}

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw oauthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a signed JWT.');
}

/** The JWT bearer grant of a service account (RFC 7523), with domain-wide delegation through `sub`. */
function jwtBearerGrant(form: URLSearchParams, state: GdriveState, tokenUrl: string): SandboxResponse {
  const parts = (form.get('assertion') ?? '').split('.');
  if (parts.length !== 3) throw oauthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a signed JWT.');
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  const account = state.serviceAccounts.get(iss);
  if (!account) throw oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
  const publicKey = state.publicKeyOf(iss);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (header['alg'] !== 'RS256' || !publicKey || !verify('RSA-SHA256', signed, createPublicKey(publicKey), signature))
    throw oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
  const audiences = [GOOGLE_TOKEN_URL, 'https://www.googleapis.com/oauth2/v4/token', tokenUrl];
  if (!audiences.includes(String(claims['aud'])))
    throw oauthError(400, 'invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${GOOGLE_TOKEN_URL}`);
  const now = Math.floor(Date.now() / 1000);
  const iat = Number(claims['iat']);
  const exp = Number(claims['exp']);
  if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now - 300 || iat > now + 300 || exp - iat > 3600)
    throw oauthError(
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  const scopes = String(claims['scope'] ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(scopeUrl);
  if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.has(s)))
    throw oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  let subject = iss;
  const sub = typeof claims['sub'] === 'string' ? claims['sub'].toLowerCase() : undefined;
  if (sub && sub !== iss) {
    if (account.delegatedScopes.length === 0 || scopes.some((s) => !account.delegatedScopes.includes(s)))
      throw oauthError(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    const user = state.users.get(sub);
    if (user?.kind !== 'user' || user.domain !== account.domain)
      throw oauthError(400, 'invalid_grant', 'Invalid email or User ID');
    subject = sub;
  }
  const access = state.issueAccessToken({ subject, scopes, serviceAccount: iss });
  return tokenAnswer({ access_token: access.token, expires_in: state.accessTokenLifetimeSeconds, token_type: 'Bearer' });
}

function token(req: SandboxRequest, state: GdriveState, baseUrl: string): SandboxResponse {
  const form = fields(req);
  const grant = form.get('grant_type');
  switch (grant) {
    case 'authorization_code':
      return authorizationCodeGrant(req, form, state);
    case 'refresh_token':
      return refreshTokenGrant(req, form, state);
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return jwtBearerGrant(form, state, `${baseUrl}/token`);
    case null:
      throw oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
    default:
      throw oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
  }
}

function revoke(req: SandboxRequest, state: GdriveState): SandboxResponse {
  const value = fields(req).get('token') ?? '';
  const refresh = state.refreshTokens.get(value);
  const access = state.accessTokens.get(value);
  if (refresh && !refresh.revoked) state.revokeRefreshToken(value);
  else if (access && !access.revoked && access.expiresAt > Date.now()) {
    // Revoking an access token revokes the grant it came from.
    access.revoked = true;
    if (access.refreshToken) state.revokeRefreshToken(access.refreshToken);
  } else throw oauthError(400, 'invalid_token', 'Token expired or revoked');
  return jsonResponse(200, {}, NO_STORE);
}

function tokeninfo(req: SandboxRequest, state: GdriveState): SandboxResponse {
  const form = req.method === 'POST' ? fields(req) : req.query;
  const value = form.get('access_token') ?? bearerOf(req) ?? '';
  const resolved = state.resolveAccessToken(value);
  if (!('record' in resolved)) throw oauthError(400, 'invalid_token', 'Invalid Value');
  const record = resolved.record;
  const user = state.users.get(record.subject);
  const azp = record.clientId ?? state.serviceAccounts.get(record.serviceAccount ?? '')?.clientId ?? '';
  return jsonResponse(200, {
    azp,
    aud: azp,
    sub: user?.permissionId ?? '',
    scope: record.scopes.join(' '),
    exp: String(Math.floor(record.expiresAt / 1000)),
    expires_in: String(Math.max(0, Math.floor((record.expiresAt - Date.now()) / 1000))),
    email: record.subject,
    email_verified: 'true',
    ...(record.refreshToken ? { access_type: 'offline' } : { access_type: 'online' }),
  });
}

function userinfo(req: SandboxRequest, state: GdriveState): SandboxResponse {
  const resolved = state.resolveAccessToken(bearerOf(req) ?? '');
  if (!('record' in resolved))
    return jsonResponse(
      401,
      { error: 'invalid_request', error_description: 'Invalid Credentials' },
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  const record = resolved.record;
  const user = state.users.get(record.subject)!;
  const scopes = new Set(record.scopes.map(shortScope));
  const email = scopes.has('email') || scopes.has('userinfo.email');
  const profile = scopes.has('profile') || scopes.has('userinfo.profile');
  return jsonResponse(200, {
    sub: user.permissionId,
    ...(profile ? { name: user.displayName, given_name: user.displayName.split(' ')[0], picture: user.photoLink } : {}),
    ...(email ? { email: user.email, email_verified: true } : {}),
    ...(user.kind === 'user' && email ? { hd: user.domain } : {}),
  });
}

/** Runs an OAuth handler, answering its thrown error bodies. */
function guarded(
  run: (req: SandboxRequest, ctx: { state: GdriveState; url: string }) => SandboxResponse,
): Route<GdriveState>['handler'] {
  return (req, ctx) => {
    try {
      return run(req, ctx);
    } catch (error) {
      if (error instanceof GoogleApiError) return error.response;
      throw error;
    }
  };
}

export function oauthRoutes(): Route<GdriveState>[] {
  return [
    {
      method: 'GET',
      path: '/o/oauth2/v2/auth',
      operation: 'oauth2.authorize',
      handler: guarded((req, { state }) => authorize(req, state)),
    },
    {
      method: 'GET',
      path: '/o/oauth2/auth',
      operation: 'oauth2.authorize',
      handler: guarded((req, { state }) => authorize(req, state)),
    },
    {
      method: 'POST',
      path: '/token',
      operation: 'oauth2.token',
      handler: guarded((req, { state, url }) => token(req, state, url)),
    },
    { method: 'POST', path: '/revoke', operation: 'oauth2.revoke', handler: guarded((req, { state }) => revoke(req, state)) },
    {
      method: 'GET',
      path: '/tokeninfo',
      operation: 'oauth2.tokeninfo',
      handler: guarded((req, { state }) => tokeninfo(req, state)),
    },
    {
      method: 'POST',
      path: '/tokeninfo',
      operation: 'oauth2.tokeninfo',
      handler: guarded((req, { state }) => tokeninfo(req, state)),
    },
    {
      method: 'GET',
      path: '/oauth2/v3/tokeninfo',
      operation: 'oauth2.tokeninfo',
      handler: guarded((req, { state }) => tokeninfo(req, state)),
    },
    {
      method: 'GET',
      path: '/oauth2/v3/userinfo',
      operation: 'oauth2.userinfo',
      handler: guarded((req, { state }) => userinfo(req, state)),
    },
    {
      method: 'GET',
      path: '/oauth2/v2/userinfo',
      operation: 'oauth2.userinfo',
      handler: guarded((req, { state }) => userinfo(req, state)),
    },
    {
      method: 'GET',
      path: '/v1/userinfo',
      operation: 'oauth2.userinfo',
      handler: guarded((req, { state }) => userinfo(req, state)),
    },
  ];
}
