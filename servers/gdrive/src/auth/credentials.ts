/**
 * Which credential signs the server in, decided once, in a fixed order the README documents:
 *
 *   1. --account (GDRIVE_ACCOUNT): that account stored by `patchbay-gdrive auth`;
 *   2. GDRIVE_OAUTH_REFRESH_TOKEN, with the OAuth client it was issued to;
 *   3. GDRIVE_CREDENTIALS_PATH: a saved token file (the reference server's format);
 *   4. GOOGLE_APPLICATION_CREDENTIALS: a service-account key file (or a gcloud `authorized_user`
 *      file), with --subject for domain-wide delegation;
 *   5. the default stored account.
 *
 * Everything read from a file that is secret (refresh tokens, client secrets, private keys) is
 * registered with the kit's redaction before anything else happens with it.
 */
import { readFileSync } from 'node:fs';
import { type OptionValues, registerSecret } from '@patchbay/kit';
import type { GdriveOptions } from '../config.js';
import { checkedTokenUri, GOOGLE, resolveOAuthUrl } from '../endpoints.js';
import { configDirOf, defaultAccount, listAccounts, readAccount, type StoredAccount } from './store.js';

/** An OAuth client (a "Desktop app" client from Google Cloud). */
export interface OAuthClientInfo {
  clientId: string;
  clientSecret?: string | undefined;
  tokenUri: string;
  authUri?: string | undefined;
}

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string | undefined;
  tokenUri: string;
}

/** Tokens as Google's token endpoint gives them (and as the reference server saves them). */
export interface SavedTokens {
  access_token?: string;
  refresh_token?: string;
  expiry_date?: number;
  scope?: string;
  token_type?: string;
}

export type CredentialSource =
  | { kind: 'stored'; dir: string; record: StoredAccount }
  | { kind: 'refresh-token'; refreshToken: string; client: OAuthClientInfo }
  | { kind: 'token-file'; path: string; tokens: SavedTokens; client: OAuthClientInfo | undefined }
  | { kind: 'authorized-user'; path: string; refreshToken: string; client: OAuthClientInfo }
  | { kind: 'service-account'; path: string; key: ServiceAccountKey; subject: string | undefined };

/** How the credential is named to people: in the context tool, in errors, in the log. */
export function describeSource(source: CredentialSource): string {
  switch (source.kind) {
    case 'stored':
      return `the account ${source.record.account} stored by patchbay-gdrive auth`;
    case 'refresh-token':
      return 'the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN';
    case 'token-file':
      return `the token file ${source.path} (GDRIVE_CREDENTIALS_PATH)`;
    case 'authorized-user':
      return `the user credentials file ${source.path} (GOOGLE_APPLICATION_CREDENTIALS)`;
    case 'service-account':
      return source.subject
        ? `the service account ${source.key.clientEmail} acting as ${source.subject} (domain-wide delegation)`
        : `the service account ${source.key.clientEmail}`;
  }
}

/** What to do when this credential stops working: the one command or setting that repairs it. */
export function repairAdvice(source: CredentialSource): string {
  switch (source.kind) {
    case 'stored':
      return `Run \`patchbay-gdrive auth --account ${source.record.account}\` in a terminal to sign in again, then call again (no restart needed for a stored account).`;
    case 'refresh-token':
      return 'Run `patchbay-gdrive auth` in a terminal to sign in again (or set GDRIVE_OAUTH_REFRESH_TOKEN to a new refresh token), then restart the server.';
    case 'token-file':
      return 'Run `patchbay-gdrive auth` in a terminal to sign in again (or replace the token file), then restart the server.';
    case 'authorized-user':
      return 'Run `gcloud auth application-default login` again, or use `patchbay-gdrive auth`, then restart the server.';
    case 'service-account':
      return source.subject
        ? `An administrator must allow the service account's client id the Drive scope for domain-wide delegation (Admin console → Security → API controls), and ${source.subject} must be a user of that domain.`
        : 'Check that the key in GOOGLE_APPLICATION_CREDENTIALS is still active (Google Cloud console → IAM → Service accounts → Keys), then restart the server.';
  }
}

type Options = OptionValues<GdriveOptions>;

/** Decide and read the credential. Throws an Error with a sentence a person can act on. */
export function resolveCredential(options: Options): CredentialSource {
  const dir = configDirOf(options.configDir);
  if (options.account) return stored(dir, options.account);
  if (options.refreshToken) {
    const client = oauthClientOf(options);
    if (!client) {
      throw new Error(
        'GDRIVE_OAUTH_REFRESH_TOKEN needs the OAuth client it was issued to: set GDRIVE_OAUTH_CLIENT_ID and GDRIVE_OAUTH_CLIENT_SECRET (or GDRIVE_OAUTH_PATH).',
      );
    }
    return { kind: 'refresh-token', refreshToken: options.refreshToken, client };
  }
  if (options.tokenFile) return tokenFile(options.tokenFile, oauthClientOf(options));
  if (options.serviceAccountKey) return keyFile(options.serviceAccountKey, options);
  const chosen = defaultAccount(dir);
  if (chosen) return stored(dir, chosen);
  const accounts = listAccounts(dir);
  if (accounts.length > 1) {
    throw new Error(
      `${accounts.length} accounts are stored (${accounts.join(', ')}) and none is the default: start the server with --account <email>, or mark one with \`patchbay-gdrive auth --account <email> --default\`.`,
    );
  }
  throw new Error('not signed in: run `patchbay-gdrive auth` in a terminal, or set GOOGLE_APPLICATION_CREDENTIALS.');
}

function stored(dir: string, email: string): CredentialSource {
  const record = readAccount(dir, email);
  registerSecret(record.refresh_token);
  registerSecret(record.access_token);
  registerSecret(record.client_secret);
  return { kind: 'stored', dir, record };
}

/**
 * The OAuth client from the options: GDRIVE_OAUTH_CLIENT_ID/SECRET, else the client file
 * (GDRIVE_OAUTH_PATH: Google Cloud's `{"installed": {…}}` download). GDRIVE_OAUTH_TOKEN_URL and
 * GDRIVE_OAUTH_AUTH_URL override the file's endpoints.
 */
export function oauthClientOf(
  options: Pick<Options, 'clientId' | 'clientSecret' | 'oauthClient' | 'tokenUrl' | 'authUrl'>,
): OAuthClientInfo | undefined {
  const tokenUrl = options.tokenUrl ? resolveOAuthUrl(options.tokenUrl, 'token').url : undefined;
  const authUrl = options.authUrl ? resolveOAuthUrl(options.authUrl, 'authorization').url : undefined;
  if (options.clientId) {
    registerSecret(options.clientSecret);
    return {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenUri: tokenUrl ?? GOOGLE.tokenUrl,
      authUri: authUrl,
    };
  }
  if (!options.oauthClient) return undefined;
  const file = readJson(options.oauthClient, 'GDRIVE_OAUTH_PATH');
  const body = (file.installed ?? file.web ?? file) as Record<string, unknown>;
  if (typeof body.client_id !== 'string') {
    throw new Error(
      `GDRIVE_OAUTH_PATH (${options.oauthClient}) is not an OAuth client file: it has no client_id. Download the client of type "Desktop app" from Google Cloud → APIs & Services → Credentials.`,
    );
  }
  const secret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  registerSecret(secret);
  return {
    clientId: body.client_id,
    clientSecret: secret,
    tokenUri: tokenUrl ?? checkedTokenUri(body.token_uri, `GDRIVE_OAUTH_PATH (${options.oauthClient})`),
    authUri: authUrl ?? (typeof body.auth_uri === 'string' ? body.auth_uri : undefined),
  };
}

function tokenFile(path: string, client: OAuthClientInfo | undefined): CredentialSource {
  const tokens = readJson(path, 'GDRIVE_CREDENTIALS_PATH') as SavedTokens;
  if (typeof tokens.refresh_token !== 'string' && typeof tokens.access_token !== 'string') {
    throw new Error(
      `GDRIVE_CREDENTIALS_PATH (${path}) holds no access_token or refresh_token. Run \`patchbay-gdrive auth\` to make one.`,
    );
  }
  registerSecret(tokens.refresh_token);
  registerSecret(tokens.access_token);
  return { kind: 'token-file', path, tokens, client };
}

function keyFile(path: string, options: Options): CredentialSource {
  const file = readJson(path, 'GOOGLE_APPLICATION_CREDENTIALS');
  if (file.type === 'authorized_user') {
    // gcloud's application-default user credentials: a refresh token and the client it belongs to.
    if (typeof file.refresh_token !== 'string' || typeof file.client_id !== 'string') {
      throw new Error(
        `GOOGLE_APPLICATION_CREDENTIALS (${path}) is an authorized_user file without a refresh_token or client_id.`,
      );
    }
    registerSecret(file.refresh_token);
    registerSecret(file.client_secret as string | undefined);
    return {
      kind: 'authorized-user',
      path,
      refreshToken: file.refresh_token,
      client: {
        clientId: file.client_id,
        clientSecret: file.client_secret as string | undefined,
        tokenUri: options.tokenUrl ?? checkedTokenUri(file.token_uri, `GOOGLE_APPLICATION_CREDENTIALS (${path})`),
      },
    };
  }
  if (file.type !== 'service_account' || typeof file.client_email !== 'string' || typeof file.private_key !== 'string') {
    throw new Error(
      `GOOGLE_APPLICATION_CREDENTIALS (${path}) is not a service-account key file (type "${String(file.type)}"): download a JSON key from Google Cloud → IAM → Service accounts → Keys.`,
    );
  }
  registerSecret(file.private_key);
  return {
    kind: 'service-account',
    path,
    subject: options.subject,
    key: {
      clientEmail: file.client_email,
      privateKey: file.private_key,
      privateKeyId: typeof file.private_key_id === 'string' ? file.private_key_id : undefined,
      // The key file names its own token endpoint; GDRIVE_OAUTH_TOKEN_URL overrides it.
      tokenUri: options.tokenUrl ?? checkedTokenUri(file.token_uri, `GOOGLE_APPLICATION_CREDENTIALS (${path})`),
    },
  };
}

function readJson(path: string, variable: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${variable} (${path}) cannot be read: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}.`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${variable} (${path}) is not a JSON object.`);
}
