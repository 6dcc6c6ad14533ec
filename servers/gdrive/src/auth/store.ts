/**
 * Accounts signed in with `patchbay-gdrive auth`, one file each, in the user's config folder:
 *
 *   <config>/patchbay/gdrive/accounts/<email>.json   mode 0600, folder 0700
 *   <config>/patchbay/gdrive/default-account         the email used when --account is not given
 *
 * A file holds what refreshing needs and nothing else: the OAuth client (id, secret, token URL),
 * the refresh token, the last access token with its expiry, and the scopes granted. Writes go to
 * a temporary file that is renamed over the old one, so a reader never sees half a file and two
 * servers refreshing the same account at once cannot corrupt it.
 *
 * Zod-free and synchronous where the bin's front needs it (is any account stored?).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** One stored account. Field names follow Google's token responses. */
export interface StoredAccount {
  version: 1;
  /** The Google account's email address: the file's name and what --account names. */
  account: string;
  client_id: string;
  client_secret?: string;
  token_uri: string;
  refresh_token: string;
  access_token?: string;
  /** ms since the epoch. */
  expiry_date?: number;
  /** Space-separated scopes granted. */
  scope: string;
  /** When `auth` stored it, and when a refresh last updated it (ISO). */
  created: string;
  updated: string;
}

/** The folder accounts live in: --config-dir, else the platform's config folder. */
export function configDirOf(configured: string | undefined): string {
  if (configured) return path.resolve(configured);
  const env = process.env;
  if (process.platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'patchbay', 'gdrive');
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'patchbay', 'gdrive');
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'patchbay', 'gdrive');
}

const accountsDir = (dir: string) => path.join(dir, 'accounts');

/** The file of one account. Emails are lower-cased; anything outside a safe set is refused. */
export function accountFile(dir: string, email: string): string {
  const name = email.trim().toLowerCase();
  if (!/^[a-z0-9._%+'-]+@[a-z0-9.-]+$/.test(name))
    throw new Error(`"${email}" is not an email address an account can be stored under`);
  return path.join(accountsDir(dir), `${name}.json`);
}

/** Emails of the stored accounts, sorted. */
export function listAccounts(dir: string): string[] {
  try {
    return readdirSync(accountsDir(dir))
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

export function hasStoredAccount(dir: string): boolean {
  return listAccounts(dir).length > 0;
}

export function accountExists(dir: string, email: string): boolean {
  try {
    return existsSync(accountFile(dir, email));
  } catch {
    return false;
  }
}

/** The account used without --account: the one marked default, else the only one. */
export function defaultAccount(dir: string): string | undefined {
  const accounts = listAccounts(dir);
  try {
    const marked = readFileSync(path.join(dir, 'default-account'), 'utf8').trim().toLowerCase();
    if (accounts.includes(marked)) return marked;
  } catch {
    // no marker
  }
  return accounts.length === 1 ? accounts[0] : undefined;
}

export function setDefaultAccount(dir: string, email: string): void {
  ensureDir(dir);
  writePrivate(path.join(dir, 'default-account'), `${email.toLowerCase()}\n`);
}

export function readAccount(dir: string, email: string): StoredAccount {
  const file = accountFile(dir, email);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : 'it is not readable JSON';
    throw new Error(
      `the stored account ${email} cannot be read (${file}: ${why}). Sign it in again with \`patchbay-gdrive auth --account ${email}\`.`,
    );
  }
  const record = parsed as Partial<StoredAccount>;
  if (!record || typeof record.refresh_token !== 'string' || typeof record.client_id !== 'string') {
    throw new Error(
      `the stored account ${email} (${file}) has no refresh token or client. Sign it in again with \`patchbay-gdrive auth --account ${email}\`.`,
    );
  }
  return record as StoredAccount;
}

export function writeAccount(dir: string, record: StoredAccount): string {
  ensureDir(dir);
  const file = accountFile(dir, record.account);
  writePrivate(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** Merge fresh tokens into a stored account (after a refresh). A refresh token Google rotated is kept. */
export function updateAccountTokens(
  dir: string,
  email: string,
  tokens: { access_token?: string | null; expiry_date?: number | null; refresh_token?: string | null; scope?: string | null },
): void {
  const record = readAccount(dir, email);
  if (tokens.access_token) record.access_token = tokens.access_token;
  if (tokens.expiry_date) record.expiry_date = tokens.expiry_date;
  if (tokens.refresh_token) record.refresh_token = tokens.refresh_token;
  if (tokens.scope) record.scope = tokens.scope;
  record.updated = new Date().toISOString();
  writeAccount(dir, record);
}

export function removeAccount(dir: string, email: string): boolean {
  const file = accountFile(dir, email);
  if (!existsSync(file)) return false;
  rmSync(file);
  if (defaultAccount(dir) === undefined) rmSync(path.join(dir, 'default-account'), { force: true });
  return true;
}

/** The config folder and its accounts folder, readable by the user only. */
function ensureDir(dir: string): void {
  for (const folder of [dir, accountsDir(dir)]) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by the umask and leaves an existing folder alone.
    chmodSync(folder, 0o700);
  }
}

/**
 * Write a file only its owner can read, atomically: a temporary file created 0600 (never briefly
 * world-readable), then renamed over the target.
 */
export function writePrivate(file: string, contents: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, contents, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
