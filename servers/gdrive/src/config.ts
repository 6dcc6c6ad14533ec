import { option } from '@patchbay/kit';
import { accountExists, configDirOf, hasStoredAccount } from './auth/store.js';
import { resolveApiUrl, resolveOAuthUrl } from './endpoints.js';

/** The credential group: any one of these (or an account stored by `patchbay-gdrive auth`) signs in. */
const GOOGLE = 'google';

/** Required only when no account is stored (or named): a stored account is a credential too. */
const noStoredAccount = (values: Readonly<Record<string, unknown>>): boolean =>
  !values.account && !hasStoredAccount(configDirOf(values.configDir as string | undefined));

const NOT_SIGNED_IN =
  'not signed in to Google Drive. Run `patchbay-gdrive auth` once in a terminal (a browser opens; the token is kept in your config folder and refreshed from then on), ' +
  'or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or GDRIVE_OAUTH_REFRESH_TOKEN with GDRIVE_OAUTH_CLIENT_ID and GDRIVE_OAUTH_CLIENT_SECRET.';

/** Every option of the Google Drive connector, declared once: flag, environment, type, default, help. */
export const gdriveOptions = {
  account: option.string({
    env: ['GDRIVE_ACCOUNT'],
    placeholder: 'email',
    description:
      'Which account stored by `patchbay-gdrive auth` to use (default: the default one; see `patchbay-gdrive accounts`)',
    validate: (value) =>
      /^[^\s@]+@[^\s@]+$/.test(value) ? undefined : 'must be an email address, as `patchbay-gdrive accounts` lists them',
  }),
  serviceAccountKey: option.string({
    flag: 'service-account-key',
    env: ['GOOGLE_APPLICATION_CREDENTIALS'],
    placeholder: 'PATH',
    credential: { group: GOOGLE, missing: NOT_SIGNED_IN, requiredWhen: noStoredAccount },
    description: 'A service-account key file (JSON) to sign in with instead of a user account; its token_uri is honoured',
  }),
  subject: option.string({
    env: ['GDRIVE_SUBJECT'],
    placeholder: 'email',
    description: 'With a service account: act as this user of its Workspace domain (domain-wide delegation)',
    validate: (value) => (/^[^\s@]+@[^\s@]+$/.test(value) ? undefined : 'must be the email address of a user to act as'),
  }),
  refreshToken: option.string({
    flag: 'refresh-token',
    env: ['GDRIVE_OAUTH_REFRESH_TOKEN'],
    placeholder: 'token',
    secret: true,
    credential: { group: GOOGLE, missing: NOT_SIGNED_IN, requiredWhen: noStoredAccount },
    description: 'An OAuth refresh token a user already granted (with the client id and secret it was issued to)',
  }),
  tokenFile: option.string({
    flag: 'token-file',
    env: ['GDRIVE_CREDENTIALS_PATH'],
    placeholder: 'PATH',
    credential: { group: GOOGLE, missing: NOT_SIGNED_IN, requiredWhen: noStoredAccount },
    description: 'A saved token file (the reference server’s .gdrive-server-credentials.json); refreshed tokens are written back',
  }),
  clientId: option.string({
    flag: 'client-id',
    env: ['GDRIVE_OAUTH_CLIENT_ID'],
    placeholder: 'id',
    description: 'OAuth client id (a "Desktop app" client from Google Cloud) for `auth` and for refreshing',
  }),
  clientSecret: option.string({
    flag: 'client-secret',
    env: ['GDRIVE_OAUTH_CLIENT_SECRET'],
    placeholder: 'secret',
    secret: true,
    description: 'That OAuth client’s secret',
  }),
  oauthClient: option.string({
    flag: 'oauth-client',
    env: ['GDRIVE_OAUTH_PATH'],
    placeholder: 'PATH',
    description:
      'The OAuth client file downloaded from Google Cloud (client_secret_….json, or the reference’s gcp-oauth.keys.json)',
  }),
  configDir: option.string({
    flag: 'config-dir',
    env: ['PATCHBAY_GDRIVE_CONFIG_DIR'],
    placeholder: 'PATH',
    description:
      'Where `patchbay-gdrive auth` keeps accounts (default: ~/.config/patchbay/gdrive, or the platform’s config folder)',
  }),
  apiUrl: option.string({
    flag: 'api-url',
    env: ['GDRIVE_API_URL'],
    placeholder: 'URL',
    description: 'Google APIs root (default https://www.googleapis.com/); HTTPS, or http on loopback for the sandbox',
    validate: (value) => {
      const resolved = resolveApiUrl(value);
      return 'problem' in resolved ? resolved.problem : undefined;
    },
  }),
  tokenUrl: option.string({
    flag: 'token-url',
    env: ['GDRIVE_OAUTH_TOKEN_URL'],
    placeholder: 'URL',
    description: 'OAuth token endpoint (default: the account’s or key file’s token_uri, else Google’s)',
    validate: (value) => resolveOAuthUrl(value, 'token').problem,
  }),
  authUrl: option.string({
    flag: 'auth-url',
    env: ['GDRIVE_OAUTH_AUTH_URL'],
    placeholder: 'URL',
    description: 'OAuth authorization endpoint for `patchbay-gdrive auth` (default Google’s)',
    validate: (value) => resolveOAuthUrl(value, 'authorization').problem,
  }),
  allowPermanentDelete: option.boolean({
    env: ['PATCHBAY_GDRIVE_ALLOW_PERMANENT_DELETE'],
    description: 'Offer gdrive_delete_file, which deletes a file from the trash for good (trash is always offered)',
  }),
  rateLimitWait: option.number({
    env: ['PATCHBAY_GDRIVE_RATE_LIMIT_WAIT'],
    placeholder: 'seconds',
    default: 10,
    description: 'Wait out a rate limit or retry a 5xx within this many seconds per call; beyond it the error says when to retry',
    validate: (n) => (Number.isFinite(n) && n >= 0 && n <= 600 ? undefined : 'must be 0 to 600 seconds'),
  }),
};

export type GdriveOptions = typeof gdriveOptions;

/**
 * What the options cannot say alone: a stored account named with --account must exist; --subject
 * needs a service account; a refresh token needs the client it was issued to.
 */
export function check(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const dir = configDirOf(options.configDir as string | undefined);
  if (typeof options.account === 'string' && !accountExists(dir, options.account)) {
    problems.push(
      `--account ${options.account}: no such stored account in ${dir}. Sign it in with \`patchbay-gdrive auth --account ${options.account}\`, or see \`patchbay-gdrive accounts\`.`,
    );
  }
  if (options.subject && !options.serviceAccountKey) {
    problems.push(
      '--subject acts as a user through a service account: also set GOOGLE_APPLICATION_CREDENTIALS (--service-account-key).',
    );
  }
  if (options.refreshToken && !options.account && !options.oauthClient && !(options.clientId && options.clientSecret)) {
    problems.push(
      'GDRIVE_OAUTH_REFRESH_TOKEN is refreshed with the OAuth client it was issued to: also set GDRIVE_OAUTH_CLIENT_ID and GDRIVE_OAUTH_CLIENT_SECRET (or GDRIVE_OAUTH_PATH).',
    );
  }
  return problems;
}

/** Tools an operator option switches on, by name: decidable from the options alone (the bin's front uses this). */
export const switches = {
  gdrive_delete_file: (options: { allowPermanentDelete?: boolean }) => options.allowPermanentDelete === true,
};

// What the bin's zod-free front needs (see scripts/bundle.mjs): the options, read without zod.
export { gdriveOptions as options };
