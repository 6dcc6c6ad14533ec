/**
 * What every Drive and Sheets call goes through before its handler: the bearer token (401
 * `authError` when unknown, expired or revoked), the request's parameters checked against the
 * discovery document's (unknown names, booleans, integers, enums — Google's 400s), the token's
 * scopes against the method's (403 "insufficient authentication scopes"); and the helpers
 * handlers share: the caller, file lookup with Drive's visibility rules, `fields` masks and
 * pretty-printed JSON.
 */
import { jsonResponse, type SandboxRequest, type SandboxResponse } from '../core/http.js';
import { driveDiscovery } from './discovery.js';
import {
  driveError,
  fileNotFound,
  GoogleApiError,
  insufficientScopes,
  invalidCredentials,
  invalidValue,
  loginRequired,
  sheetsError,
} from './errors.js';
import { applyFields, checkFields, FieldMaskError, parseFields } from './fields.js';
import { type AccessTokenRecord, type DriveUser, type FileRecord, type GdriveState, type Role, shortScope } from './state.js';

export type DriveMethodId = keyof typeof driveDiscovery.methods;

export interface Caller {
  /** Whose Drive the call acts on. */
  email: string;
  user: DriveUser;
  token: AccessTokenRecord;
  /** Short scope names (`drive.readonly`). */
  scopes: Set<string>;
  /** The OAuth client (or service account) the token was issued to — what `drive.file` is tracked by. */
  clientId: string;
  /** Only `drive.file` among the Drive scopes: the caller sees only files its app created or opened. */
  fileLimited: boolean;
}

const callers = new WeakMap<SandboxRequest, Caller>();

/** The authenticated caller of a Drive or Sheets request (set by the emulator's `around`). */
export function callerOf(req: SandboxRequest): Caller {
  const caller = callers.get(req);
  if (!caller) throw new Error('gdrive: callerOf() outside an authenticated route');
  return caller;
}

/** The bearer credential of a request: the Authorization header, or `access_token`/`oauth_token`. */
export function bearerOf(req: SandboxRequest): string | undefined {
  const header = req.header('authorization');
  // A non-Bearer scheme (Basic, on the token endpoint) carries no access token.
  if (header) return /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  return req.query.get('access_token') ?? req.query.get('oauth_token') ?? undefined;
}

const BROAD_DRIVE_SCOPES = ['drive', 'drive.readonly', 'drive.metadata', 'drive.metadata.readonly'];

/** Authenticates a request; answers Google's 401 (in the API's own shape) when it cannot. */
export function authenticate(req: SandboxRequest, state: GdriveState, api: 'drive' | 'sheets'): Caller | SandboxResponse {
  const token = bearerOf(req);
  const unauthenticated = (missing: boolean): SandboxResponse => {
    if (api === 'drive') return missing ? loginRequired() : invalidCredentials();
    return sheetsError(
      401,
      missing
        ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
        : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    ).response;
  };
  if (token === undefined) return unauthenticated(true);
  const resolved = state.resolveAccessToken(token);
  if (!('record' in resolved)) return unauthenticated(false);
  const record = resolved.record;
  const user = state.users.get(record.subject);
  if (!user) return unauthenticated(false);
  const scopes = new Set(record.scopes.map(shortScope));
  const clientId = record.clientId ?? state.serviceAccounts.get(record.serviceAccount ?? '')?.clientId ?? '';
  return {
    email: user.email,
    user,
    token: record,
    scopes,
    clientId,
    fileLimited: !BROAD_DRIVE_SCOPES.some((s) => scopes.has(s)) && scopes.has('drive.file'),
  };
}

export function rememberCaller(req: SandboxRequest, caller: Caller): void {
  callers.set(req, caller);
}

// Query parameters a route may take besides its method's: the upload session id.
const UPLOAD_EXTRA = new Set(['upload_id']);

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function cannotBind(name: string): GoogleApiError {
  const message = `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`;
  return driveError(400, 'badRequest', message, {
    details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: message }] }],
  });
}

/**
 * Checks query parameters as Google's front end does: a name the method does not have is a 400
 * ("Cannot bind query parameter"), a boolean must be `true`/`false`, an integer an integer, an
 * enum one of its values, a required parameter present.
 */
export function checkParameters(req: SandboxRequest, method: DriveMethodId): void {
  const spec = driveDiscovery.methods[method];
  const params = spec.parameters as Record<
    string,
    { type: string; location: string; required?: boolean; enum?: readonly string[] }
  >;
  const globals = driveDiscovery.globalParameters as Record<string, { type: string; enum?: readonly string[] }>;
  for (const [name, value] of req.query) {
    const def = params[name] ?? globals[name];
    if (!def || (params[name] && params[name].location === 'path')) {
      if (UPLOAD_EXTRA.has(name) && /^\/(resumable\/)?upload\//.test(req.path)) continue;
      throw cannotBind(name);
    }
    if (def.type === 'boolean' && value !== 'true' && value !== 'false')
      throw driveError(400, 'invalid', `Invalid value at '${snake(name)}' (TYPE_BOOL), "${value}"`, { location: name });
    if (def.type === 'integer' && !/^-?\d+$/.test(value))
      throw driveError(400, 'invalid', `Invalid value at '${snake(name)}' (TYPE_INT32), "${value}"`, { location: name });
    if (def.enum && !def.enum.includes(value))
      throw invalidValue(name, `Invalid value '${value}'. Values must be one of: ${def.enum.join(', ')}`);
  }
  for (const [name, def] of Object.entries(params))
    if (def.required && def.location === 'query' && !req.query.has(name))
      throw driveError(400, 'required', `Required parameter: ${name}`, { location: name });
  const alt = req.query.get('alt');
  if (alt === 'proto') throw invalidValue('alt', 'Protocol buffer responses are not supported by the sandbox');
  if (alt === 'media' && !('download' in spec)) throw invalidValue('alt');
}

/** Scopes that reach file content (not only metadata): what `alt=media` needs. */
const CONTENT_SCOPES = new Set(['drive', 'drive.readonly', 'drive.file', 'drive.appdata', 'drive.meet.readonly']);

/** 403 when the token's scopes do not cover the method (and, for downloads, the content). */
export function checkScopes(req: SandboxRequest, method: DriveMethodId, caller: Caller): void {
  let allowed: readonly string[] = driveDiscovery.methods[method].scopes;
  if (req.query.get('alt') === 'media') allowed = allowed.filter((s) => CONTENT_SCOPES.has(s));
  if (!allowed.some((s) => caller.scopes.has(s)))
    throw new GoogleApiError(insufficientScopes(`google.apps.drive.v3.${methodRpcName(method)}`));
}

function methodRpcName(method: string): string {
  const [, resource = '', verb = ''] = method.split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `Drive${cap(resource)}.${cap(verb)}`;
}

/** A boolean query parameter (already checked to be `true`/`false`). */
export function flag(req: SandboxRequest, name: string): boolean {
  return req.query.get(name) === 'true';
}

/** An integer query parameter within Google's range, or its default. */
export function intParam(req: SandboxRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (n < min || n > max) throw invalidValue(name, `Invalid value '${raw}'. Values must be within the range: [${min}, ${max}]`);
  return n;
}

/** A file the caller can see, by id (`root` is their My Drive); Drive's 404 otherwise. */
export function findFile(
  state: GdriveState,
  caller: Caller,
  id: string,
  options: { supportsAllDrives: boolean; location?: string },
): { file: FileRecord; role: Role } {
  const fileId = id === 'root' ? caller.user.rootId : id;
  const file = state.files.get(fileId);
  const notFound = () => fileNotFound(id, options.location);
  if (!file) throw notFound();
  const access = state.access(file, caller.email);
  if (!access) throw notFound();
  if (caller.fileLimited && !file.isRoot && !file.clients.has(caller.clientId)) throw notFound();
  // Without supportsAllDrives a shared-drive item does not exist for the caller.
  if (file.driveId && !options.supportsAllDrives) throw notFound();
  return { file, role: access.role };
}

type SchemaName = keyof typeof driveDiscovery.schemas;

/**
 * A JSON answer with the `fields` mask applied (or `defaults` when the request names none),
 * pretty-printed as Google does unless `prettyPrint=false`.
 */
export function respond(
  req: SandboxRequest,
  status: number,
  body: Record<string, unknown>,
  schema: SchemaName,
  defaults?: string,
): SandboxResponse {
  const mask = req.query.get('fields') ?? defaults;
  let out: unknown = body;
  if (mask !== undefined && mask !== null) {
    try {
      const tree = parseFields(mask);
      checkFields(tree, schema);
      out = applyFields(body, tree);
    } catch (error) {
      if (error instanceof FieldMaskError) throw driveError(400, 'invalidParameter', error.message, { location: 'fields' });
      throw error;
    }
  }
  return json(req, status, out);
}

/** JSON, pretty-printed unless the request says `prettyPrint=false` (Google's default is pretty). */
export function json(req: SandboxRequest, status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  const pretty = req.query.get('prettyPrint') !== 'false';
  return jsonResponse(status, pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body), {
    vary: 'Origin, X-Origin, Referer',
    ...headers,
  });
}

/** Drive's `pageToken`: an opaque cursor bound to the query it came from. */
export function encodePageToken(offset: number, key: string): string {
  return Buffer.from(JSON.stringify({ o: offset, k: key })).toString('base64url');
}

export function decodePageToken(token: string | null, key: string): number {
  if (token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    if (typeof parsed.o === 'number' && parsed.o >= 0 && parsed.k === key) return parsed.o;
  } catch {
    // fall through
  }
  throw invalidValue('pageToken');
}
