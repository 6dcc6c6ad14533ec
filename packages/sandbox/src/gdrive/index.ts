/**
 * The Google Drive emulator: Drive v3 (`/drive/v3/…`, `/upload/drive/v3/…`), the Sheets API v4
 * reads a connector needs for every sheet (`/v4/spreadsheets/…`) and Google's OAuth 2.0 endpoints
 * (`/token`, `/o/oauth2/v2/auth`, `/revoke`, `/tokeninfo`, `/oauth2/v3/userinfo`), all on one
 * origin so a client needs one base URL (`rootUrl`) and one token URL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEmulator, type EmulatorContext } from '../core/emulator.js';
import type { SandboxRequest, SandboxResponse } from '../core/http.js';
import { textResponse } from '../core/http.js';
import { authenticate, bearerOf, type Caller, checkParameters, checkScopes, type DriveMethodId, rememberCaller } from './api.js';
import { driveDiscovery } from './discovery.js';
import {
  backendError,
  driveErrorResponse,
  GoogleApiError,
  insufficientScopes,
  invalidCredentials,
  rateLimited,
  sheetsError,
} from './errors.js';
import { oauthRoutes } from './oauth.js';
import { driveRoutes } from './routes.js';
import { seedDemo, seedServiceAccount } from './seed-demo.js';
import { checkSheetsParameters, SHEETS_SCOPES, sheetsRoutes } from './sheets.js';
import { GdriveState } from './state.js';

export { DEMO } from './seed-demo.js';
export { GdriveState } from './state.js';

type Api = 'drive' | 'sheets' | 'oauth';

function apiOf(operation: string | null | undefined): Api {
  if (operation?.startsWith('sheets.')) return 'sheets';
  if (operation?.startsWith('drive.') || operation?.startsWith('docs.')) return 'drive';
  return 'oauth';
}

/** The scopes that reach a revision's export link (content, not only metadata). */
const EXPORT_SCOPES = ['drive', 'drive.readonly', 'drive.file', 'documents', 'documents.readonly'];

const keyFiles = new Map<string, string>();
let cleanupRegistered = false;

/**
 * Writes a service account's key file (mode 0600) in a temporary folder, once per process and
 * account, and removes it when the process exits: the CLI prints its path as
 * GOOGLE_APPLICATION_CREDENTIALS.
 */
function keyFilePath(state: GdriveState, email: string, url: string): string {
  const cacheKey = `${email} ${url}`;
  const known = keyFiles.get(cacheKey);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-sandbox-gdrive-'));
  const path = join(dir, 'service-account.json');
  writeFileSync(path, `${JSON.stringify(state.serviceAccountKeyFile(email, url), null, 2)}\n`, { mode: 0o600 });
  keyFiles.set(cacheKey, path);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const file of keyFiles.values()) rmSync(join(file, '..'), { recursive: true, force: true });
    });
  }
  return path;
}

function googleNotFound(req: SandboxRequest): SandboxResponse {
  return textResponse(
    404,
    `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${req.path.replace(/[<>&]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`,
    'text/html; charset=UTF-8',
  );
}

async function around(
  req: SandboxRequest,
  ctx: EmulatorContext<GdriveState>,
  next: () => Promise<SandboxResponse>,
): Promise<SandboxResponse> {
  const operation = ctx.route?.operation ?? '';
  const api = apiOf(operation);
  try {
    if (api === 'drive') {
      // A resumable session URI is its own credential: chunk PUTs carry no token.
      if (req.method === 'PUT' && req.query.has('upload_id')) return await next();
      const caller = authenticate(req, ctx.state, 'drive');
      if (!isCaller(caller)) return caller;
      rememberCaller(req, caller);
      if (operation in driveDiscovery.methods) {
        checkParameters(req, operation as DriveMethodId);
        checkScopes(req, operation as DriveMethodId, caller);
      } else if (!EXPORT_SCOPES.some((s) => caller.scopes.has(s)))
        return insufficientScopes('google.apps.drive.v3.DriveFiles.Export');
    } else if (api === 'sheets') {
      const caller = authenticate(req, ctx.state, 'sheets');
      if (!isCaller(caller)) return caller;
      rememberCaller(req, caller);
      checkSheetsParameters(req, operation);
      if (!SHEETS_SCOPES.some((s) => caller.scopes.has(s)))
        throw sheetsError(403, 'Request had insufficient authentication scopes.');
    }
    return await next();
  } catch (error) {
    if (error instanceof GoogleApiError) return error.response;
    throw error;
  }
}

function isCaller(value: Caller | SandboxResponse): value is Caller {
  return 'email' in value;
}

export const gdriveEmulator = defineEmulator<GdriveState>({
  name: 'gdrive',
  title: 'Google Drive',
  createState: () => new GdriveState(),
  seeds: { demo: seedDemo, 'service-account': seedServiceAccount, empty: (state) => emptySeed(state) },
  routes: [...driveRoutes(), ...sheetsRoutes(), ...oauthRoutes()],
  env(url, state) {
    const base = { GDRIVE_API_URL: `${url}/`, GDRIVE_OAUTH_TOKEN_URL: `${url}/token` };
    if (state.credentialKind === 'serviceAccount' && state.defaultServiceAccount)
      return { ...base, GOOGLE_APPLICATION_CREDENTIALS: keyFilePath(state, state.defaultServiceAccount, url) };
    const client = state.clients.get(state.defaultClientId);
    return {
      ...base,
      GDRIVE_OAUTH_AUTH_URL: `${url}/o/oauth2/v2/auth`,
      GDRIVE_OAUTH_CLIENT_ID: client?.clientId ?? '',
      GDRIVE_OAUTH_CLIENT_SECRET: client?.clientSecret ?? '',
      GDRIVE_OAUTH_REFRESH_TOKEN: state.defaultRefreshToken,
    };
  },
  token: (state) => state.defaultAccessToken,
  identify(req, state) {
    const token = bearerOf(req);
    if (token === undefined) return 'anonymous';
    const resolved = state.resolveAccessToken(token);
    if (!('record' in resolved)) return 'invalid';
    const { subject, serviceAccount } = resolved.record;
    return serviceAccount && serviceAccount !== subject ? `${subject} (via ${serviceAccount})` : subject;
  },
  around,
  notFound: (req) => googleNotFound(req),
  errorResponse(status, _req, ctx) {
    const api = apiOf(ctx.route?.operation);
    if (api === 'oauth')
      return {
        status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: {
          error: status >= 500 ? (status === 503 ? 'temporarily_unavailable' : 'internal_failure') : 'invalid_request',
          error_description: 'Backend Error',
        },
      };
    if (api === 'sheets')
      return sheetsError(status, status >= 500 ? 'The service is currently unavailable.' : 'Request failed.').response;
    if (status >= 500) return backendError(status);
    if (status === 401) return invalidCredentials();
    if (status === 429) return rateLimited(429, 'rateLimitExceeded');
    if (status === 403) return rateLimited(403, 'rateLimitExceeded');
    if (status === 404) return driveErrorResponse(404, 'notFound', 'Not Found');
    return driveErrorResponse(status, 'badRequest', 'Bad Request');
  },
  rateLimitResponse(fault, _req, ctx) {
    if (apiOf(ctx.route?.operation) === 'sheets')
      return sheetsError(
        429,
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'.",
      ).response;
    return fault.limit === 'secondary' ? rateLimited(429, 'rateLimitExceeded') : rateLimited(403, 'userRateLimitExceeded');
  },
  badBodyResponse: (error) =>
    driveErrorResponse(
      400,
      'parseError',
      `Invalid JSON payload received. ${error.message.replace(/^request body is not JSON: /, '')}`,
    ),
});

/** Two users, the default client and credentials, no files: for tests that build their own. */
function emptySeed(state: GdriveState): void {
  state.addUser({ email: 'alex@example.com', displayName: 'Alex Rivera' });
  state.addUser({ email: 'sam@example.com', displayName: 'Sam Chen' });
  const client = state.addOAuthClient({ name: 'Patchbay (desktop)' });
  state.defaultAccessToken = state.issueAccessToken({
    subject: 'alex@example.com',
    scopes: ['drive'],
    clientId: client.clientId,
    lifetimeSeconds: 10 * 365 * 24 * 3600,
    name: 'alex-default',
  }).token;
  state.defaultRefreshToken = state.issueRefreshToken({
    subject: 'alex@example.com',
    clientId: client.clientId,
    scopes: ['drive'],
    name: 'alex-default',
  }).token;
}
