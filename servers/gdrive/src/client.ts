import { createHash } from 'node:crypto';
import type { drive_v3 } from '@googleapis/drive';
import type { sheets_v4 } from '@googleapis/sheets';
import {
  type KitSettings,
  type Lazy,
  type Logger,
  lazy,
  type OptionValues,
  type RequestSummary,
  serviceFetch,
  ToolError,
} from '@patchbay/kit';
import { type CredentialSource, describeSource, resolveCredential } from './auth/credentials.js';
import type { DriveAuth } from './auth/google-auth.js';
import { scopesFor } from './auth/scopes.js';
import type { GdriveOptions } from './config.js';
import { resolveApiUrl } from './endpoints.js';
import { googleProfile } from './errors.js';

/** Who answers: the account every result names. */
export interface Identity {
  email: string;
  name?: string | undefined;
  /** How it signed in, in words (`the account … stored by patchbay-gdrive auth`). */
  via: string;
}

/** The Google clients of one process, made on the first call. */
export interface Google {
  source: CredentialSource;
  auth: DriveAuth;
  drive: drive_v3.Drive;
  sheets: sheets_v4.Sheets;
  /** The APIs root (`https://www.googleapis.com/`, or the sandbox's). */
  rootUrl: string;
  /** The fetch every request goes through (retries, rate-limit gate). */
  fetch: typeof fetch;
}

export interface GdriveServices {
  options: OptionValues<GdriveOptions>;
  readOnly: boolean;
  rootUrl: string;
  log: Logger;
  google: Lazy<Google>;
  /** The signed-in account, asked of Drive once per process (or known from the credential). */
  identity(signal?: AbortSignal): Promise<Identity>;
  /** The identity if it is known already, without a request (for error messages). */
  knownIdentity(): Identity | undefined;
  /** Shared drives the account is a member of, id → name (asked at most every few minutes). */
  driveNames(signal?: AbortSignal): Promise<ReadonlyMap<string, string>>;
  dispose(): Promise<void>;
}

export function createGdriveServices(options: OptionValues<GdriveOptions>, settings: KitSettings, log: Logger): GdriveServices {
  const api = resolveApiUrl(options.apiUrl);
  // The option's own validation refused a bad URL before this point.
  if ('problem' in api) throw new Error(api.problem);
  const readOnly = settings.readOnly === true;
  const google = lazy(() => connect(options, api.url, readOnly, log));
  let identity: Identity | undefined;
  let asking: Promise<Identity> | undefined;
  let drives: { at: number; names: Promise<ReadonlyMap<string, string>> } | undefined;

  const services: GdriveServices = {
    options,
    readOnly,
    rootUrl: api.url,
    log,
    google,
    knownIdentity: () => identity,
    driveNames(signal) {
      if (drives && Date.now() - drives.at < DRIVE_NAMES_TTL_MS) return drives.names;
      // Names are a nicety: without them (a failure, a scope that cannot list drives) ids are shown,
      // and the next call asks again.
      const names = listDriveNames(google, signal).catch((error: unknown) => {
        log.debug('could not list shared drives', { error: (error as Error).message });
        if (drives?.names === names) drives = undefined;
        return new Map<string, string>() as ReadonlyMap<string, string>;
      });
      drives = { at: Date.now(), names };
      return names;
    },
    async identity(signal) {
      if (identity) return identity;
      asking ??= (async () => {
        const g = await google.get();
        const known = knownEmail(g.source);
        if (known) return { email: known, via: describeSource(g.source) };
        const { data } = await g.drive.about.get({ fields: 'user(emailAddress,displayName)' }, { signal });
        return {
          email: data.user?.emailAddress ?? 'an unknown account',
          name: data.user?.displayName ?? undefined,
          via: describeSource(g.source),
        };
      })().then(
        (found) => {
          identity = found;
          log.info(`signed in as ${found.email} (${found.via})`);
          return found;
        },
        (error: unknown) => {
          asking = undefined;
          throw error;
        },
      );
      return asking;
    },
    async dispose() {
      await google.dispose();
    },
  };
  // A fresh sign-in (patchbay-gdrive auth run again) is read on the next call after a failure.
  const reset = google.reset.bind(google);
  google.reset = async () => {
    identity = undefined;
    asking = undefined;
    await reset();
  };
  return services;
}

/** How long shared drive names are kept: a new shared drive shows by name within this time. */
const DRIVE_NAMES_TTL_MS = 5 * 60 * 1000;

async function listDriveNames(google: Lazy<Google>, signal: AbortSignal | undefined): Promise<ReadonlyMap<string, string>> {
  const g = await google.get();
  const names = new Map<string, string>();
  let pageToken: string | undefined;
  // Ten pages of 100: an account in more shared drives sees the rest by id.
  for (let page = 0; page < 10; page++) {
    const { data } = await g.drive.drives.list(
      { pageSize: 100, fields: 'nextPageToken,drives(id,name)', ...(pageToken ? { pageToken } : {}) },
      { signal },
    );
    for (const d of data.drives ?? []) if (d.id) names.set(d.id, d.name ?? d.id);
    pageToken = data.nextPageToken ?? undefined;
    if (!pageToken) break;
  }
  return names;
}

/** The email a credential names by itself, without asking Drive. */
function knownEmail(source: CredentialSource): string | undefined {
  if (source.kind === 'stored') return source.record.account;
  if (source.kind === 'service-account') return source.subject ?? source.key.clientEmail;
  return undefined;
}

/** The rate-limit gate of an account: its quota is per user, whatever access token it holds now. */
function gateOf(source: CredentialSource): string {
  const hash = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 16);
  switch (source.kind) {
    case 'stored':
      return `gdrive ${source.record.account}`;
    case 'service-account':
      return `gdrive ${source.key.clientEmail} ${source.subject ?? ''}`;
    case 'refresh-token':
    case 'authorized-user':
      return `gdrive ${hash(source.refreshToken)}`;
    case 'token-file':
      return `gdrive ${source.path}`;
  }
}

/**
 * How safe a Drive request is to send again, beyond what its method says: a PATCH of metadata
 * (rename, move, trash) sets fields to values, so repeating it changes nothing; starting a
 * resumable upload session (POST or PATCH) creates nothing until its content arrives. Everything else keeps the
 * kit's default (GET safe; PUT, DELETE idempotent; POST never repeated).
 */
export function driveRequestKind(request: RequestSummary): 'idempotent' | undefined {
  const path = request.url.pathname;
  if (request.method === 'PATCH' && /^\/drive\/v3\/files\/[^/]+$/.test(path)) return 'idempotent';
  if (request.url.searchParams.get('uploadType') === 'resumable' && request.url.pathname.startsWith('/upload/'))
    return 'idempotent';
  return undefined;
}

async function connect(options: OptionValues<GdriveOptions>, rootUrl: string, readOnly: boolean, log: Logger): Promise<Google> {
  let source: CredentialSource;
  try {
    source = resolveCredential(options);
  } catch (error) {
    throw new ToolError(`Google Drive sign-in: ${(error as Error).message}`);
  }
  // Loaded on the first call: the clients cost nothing at start-up.
  const [{ drive }, { sheets }, { createDriveAuth }] = await Promise.all([
    import('@googleapis/drive'),
    import('@googleapis/sheets'),
    import('./auth/google-auth.js'),
  ]);
  const fetchWithRetries = serviceFetch({
    ...googleProfile(),
    maxWaitMs: options.rateLimitWait * 1000,
    gateKey: gateOf(source),
    requestKind: driveRequestKind,
    onRetry: (event) => log.warn('retrying Google Drive', { ...event }),
  });
  const auth = createDriveAuth({
    source,
    scopes: scopesFor(readOnly),
    readOnly,
    fetch: fetchWithRetries,
    onSaveError: (error) => log.warn('could not save the refreshed token', { error: (error as Error).message }),
  });
  // One retry layer (serviceFetch's): the clients' own is off, or a write could be sent twice over.
  const common = { auth: auth.client, rootUrl, fetchImplementation: fetchWithRetries, retry: false } as const;
  return {
    source,
    auth,
    drive: drive({ version: 'v3', ...common }),
    sheets: sheets({ version: 'v4', ...common }),
    rootUrl,
    fetch: fetchWithRetries,
  };
}
