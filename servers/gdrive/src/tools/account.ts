import * as z from 'zod';
import { accountInfo } from '../account.js';
import { formatSize } from '../files.js';
import { tool } from '../kit.js';
import { accountOutput } from '../session.js';

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
    const info = await accountInfo(ctx.services, ctx.signal);
    const { name, scopes, storage, readOnlyServer: readOnly } = info;
    const canWrite = info.tokenCanWrite && !readOnly;
    const lines = [
      `Signed in as ${info.account}${name ? ` (${name})` : ''}`,
      `with ${info.signedInWith}`,
      `scopes: ${scopes.length ? scopes.map((x) => `${x.scope} — ${x.allows}`).join('; ') : 'unknown (the token endpoint did not say)'}`,
      readOnly
        ? info.tokenCanWrite
          ? 'This server runs read-only (--read-only): it offers no tools that change anything. The token itself could write: the grant has no drive.readonly to narrow to (sign in with `patchbay-gdrive auth --read-only`, or again without it, for one that has).'
          : 'This server runs read-only (--read-only): it offers no tools that change anything, and its token is read-only too (drive.readonly).'
        : info.tokenCanWrite
          ? 'Reads and writes are possible.'
          : 'The token allows reading only: write tools will be refused by Google. Sign in again without --read-only to allow writes.',
      storage
        ? `storage: ${formatSize(storage.used)} used${storage.limit !== undefined ? ` of ${formatSize(storage.limit)}` : ''}`
        : '',
      info.storedAccounts.length
        ? `stored accounts: ${info.storedAccounts.map((a) => `${a}${a === info.defaultAccount ? ' (default)' : ''}`).join(', ')} — pick one with --account`
        : 'no accounts stored by patchbay-gdrive auth',
    ].filter(Boolean);
    return {
      structured: {
        account: info.account,
        ...(name ? { name } : {}),
        signed_in_with: info.signedInWith,
        scopes,
        can_read: info.canRead,
        can_write: canWrite,
        read_only_server: readOnly,
        ...(storage ? { storage } : {}),
        stored_accounts: info.storedAccounts,
      },
      text: lines.join('\n'),
    };
  },
});
