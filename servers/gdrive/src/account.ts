import { untrustedLine } from '@patchbay/kit';
import { describeSource } from './auth/credentials.js';
import { abilities, scopeMeaning, shortScope } from './auth/scopes.js';
import { configDirOf, defaultAccount, listAccounts } from './auth/store.js';
import type { GdriveServices } from './client.js';
import { open } from './session.js';

/**
 * Who is signed in and what the token allows: one `about.get` and the token's scopes. Shared by
 * gdrive_get_account and by the gateway's `patchbay doctor`, so both say the same thing.
 */
export interface AccountInfo {
  account: string;
  name?: string | undefined;
  /** How it signed in, in words (`the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN`). */
  signedInWith: string;
  /** Short names with their meaning; empty when Google did not say. */
  scopes: Array<{ scope: string; allows: string }>;
  canRead: boolean;
  /** The token may write (whether or not this server offers the write tools). */
  tokenCanWrite: boolean;
  readOnlyServer: boolean;
  storage?: { used: number; limit?: number } | undefined;
  /** Accounts stored by `patchbay-gdrive auth` in this server's config folder, and the default one. */
  storedAccounts: string[];
  defaultAccount?: string | undefined;
}

/** Sign in (if not yet) and ask Drive. Errors are the Google client's: map them with the connector's table. */
export async function accountInfo(
  services: GdriveServices,
  signal: AbortSignal = new AbortController().signal,
): Promise<AccountInfo> {
  const s = await open({ services, signal });
  const { data: about } = await s.g.drive.about.get(
    { fields: 'user(displayName,emailAddress),storageQuota(limit,usage)' },
    s.opts,
  );
  const granted = await scopesOf(s);
  const can = abilities(granted);
  const dir = configDirOf(services.options.configDir);
  const used = Number(about.storageQuota?.usage ?? Number.NaN);
  const limit = Number(about.storageQuota?.limit ?? Number.NaN);
  return {
    account: s.who.email,
    name: about.user?.displayName ? untrustedLine(about.user.displayName) : undefined,
    signedInWith: describeSource(s.g.source),
    scopes: granted.map((scope) => ({ scope: shortScope(scope), allows: scopeMeaning(scope) })),
    canRead: can.read || granted.length === 0,
    tokenCanWrite: can.write,
    readOnlyServer: services.readOnly,
    storage: Number.isFinite(used) ? { used, ...(Number.isFinite(limit) ? { limit } : {}) } : undefined,
    storedAccounts: listAccounts(dir),
    defaultAccount: defaultAccount(dir),
  };
}

/**
 * The scopes of the token in use: as the last token response said, else as Google's tokeninfo
 * endpoint says for the current access token.
 */
async function scopesOf(s: Awaited<ReturnType<typeof open>>): Promise<string[]> {
  const split = (value: string) => value.split(/\s+/).filter(Boolean);
  // Make sure there is a current token (a refresh may tell the scopes on its way).
  const { token } = await s.g.auth.client.getAccessToken();
  const known = s.g.auth.grantedScope();
  if (known) return split(known);
  if (!token) return [];
  try {
    const info = await s.g.auth.client.getTokenInfo(token);
    return info.scopes ?? [];
  } catch {
    return [];
  }
}
