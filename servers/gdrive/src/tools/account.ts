import { untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { describeSource } from '../auth/credentials.js';
import { abilities, scopeMeaning, shortScope } from '../auth/scopes.js';
import { configDirOf, defaultAccount, listAccounts } from '../auth/store.js';
import { formatSize } from '../files.js';
import { tool } from '../kit.js';
import { accountOutput, open } from '../session.js';

export const getAccount = tool({
  name: 'gdrive_get_account',
  title: 'Who is signed in',
  description:
    'Which Google account answers, how it signed in, its token’s scopes and what they allow, storage used, other stored accounts. ' +
    'Call it when unsure whose Drive this is.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {},
  output: {
    account: accountOutput,
    name: z.string().optional(),
    signed_in_with: z.string(),
    scopes: z.array(z.object({ scope: z.string(), allows: z.string() })),
    can_read: z.boolean(),
    can_write: z.boolean(),
    read_only_server: z.boolean(),
    storage: z.object({ used: z.number(), limit: z.number().optional() }).optional(),
    stored_accounts: z.array(z.string()),
  },
  async handler(_args, ctx) {
    const s = await open(ctx);
    const { data: about } = await s.g.drive.about.get(
      { fields: 'user(displayName,emailAddress),storageQuota(limit,usage)' },
      s.opts,
    );
    const granted = await scopesOf(s);
    const can = abilities(granted);
    const readOnly = ctx.services.readOnly;
    const dir = configDirOf(ctx.services.options.configDir);
    const stored = listAccounts(dir);
    const defaultOne = defaultAccount(dir);
    const name = about.user?.displayName ? untrustedLine(about.user.displayName) : undefined;
    const used = Number(about.storageQuota?.usage ?? Number.NaN);
    const limit = Number(about.storageQuota?.limit ?? Number.NaN);
    const scopes = granted.map((scope) => ({ scope: shortScope(scope), allows: scopeMeaning(scope) }));
    const canWrite = can.write && !readOnly;
    const lines = [
      `Signed in as ${s.who.email}${name ? ` (${name})` : ''}`,
      `with ${describeSource(s.g.source)}`,
      `scopes: ${scopes.length ? scopes.map((x) => `${x.scope} — ${x.allows}`).join('; ') : 'unknown (the token endpoint did not say)'}`,
      readOnly
        ? can.write
          ? 'This server runs read-only (--read-only): it offers no tools that change anything. The token itself could write: the grant has no drive.readonly to narrow to (sign in with `patchbay-gdrive auth --read-only`, or again without it, for one that has).'
          : 'This server runs read-only (--read-only): it offers no tools that change anything, and its token is read-only too (drive.readonly).'
        : can.write
          ? 'Reads and writes are possible.'
          : 'The token allows reading only: write tools will be refused by Google. Sign in again without --read-only to allow writes.',
      Number.isFinite(used) ? `storage: ${formatSize(used)} used${Number.isFinite(limit) ? ` of ${formatSize(limit)}` : ''}` : '',
      stored.length
        ? `stored accounts: ${stored.map((a) => `${a}${a === defaultOne ? ' (default)' : ''}`).join(', ')} — pick one with --account`
        : 'no accounts stored by patchbay-gdrive auth',
    ].filter(Boolean);
    return {
      structured: {
        account: s.who.email,
        ...(name ? { name } : {}),
        signed_in_with: describeSource(s.g.source),
        scopes,
        can_read: can.read || granted.length === 0,
        can_write: canWrite,
        read_only_server: readOnly,
        ...(Number.isFinite(used) ? { storage: { used, ...(Number.isFinite(limit) ? { limit } : {}) } } : {}),
        stored_accounts: stored,
      },
      text: lines.join('\n'),
    };
  },
});

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
