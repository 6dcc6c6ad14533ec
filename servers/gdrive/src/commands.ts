/**
 * The bin's commands besides serving: `auth` (sign in once), `accounts` (what is stored) and
 * `logout`. They talk to a person in a terminal: messages on stderr, results on stdout, and never
 * a token in either. The bundled bin dispatches here before its fast front starts
 * (scripts/bundle.mjs reads COMMANDS).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  ConfigError,
  type OptionsSpec,
  type OptionValues,
  option,
  parseOptions,
  redact,
  registerSecret,
  renderHelp,
} from '@patchbay/kit';
import { oauthClientOf } from './auth/credentials.js';
import { SignInError, signIn, type TokenResponse } from './auth/flow.js';
import { scopeUrl, shortScope } from './auth/scopes.js';
import {
  accountFile,
  configDirOf,
  defaultAccount,
  listAccounts,
  readAccount,
  removeAccount,
  type StoredAccount,
  setDefaultAccount,
  writeAccount,
  writePrivate,
} from './auth/store.js';
import { gdriveOptions } from './config.js';
import { GOOGLE, resolveApiUrl, revokeUrlFor } from './endpoints.js';

export const COMMANDS = ['auth', 'accounts', 'logout'] as const;

/** What `auth` needs from the connector's options (the same flags and variables as the server). */
const shared = {
  account: gdriveOptions.account,
  clientId: gdriveOptions.clientId,
  clientSecret: gdriveOptions.clientSecret,
  oauthClient: gdriveOptions.oauthClient,
  configDir: gdriveOptions.configDir,
  apiUrl: gdriveOptions.apiUrl,
  tokenUrl: gdriveOptions.tokenUrl,
  authUrl: gdriveOptions.authUrl,
  tokenFile: gdriveOptions.tokenFile,
};

const authOptions = {
  ...shared,
  readOnly: option.boolean({
    env: ['PATCHBAY_READ_ONLY'],
    description: 'Ask for read-only access (drive.readonly) instead of full Drive access',
  }),
  noBrowser: option.boolean({ description: 'Print the address to open instead of starting a browser' }),
  port: option.number({
    placeholder: 'N',
    default: 0,
    description: 'Loopback port for Google to send the browser back to (default: any free one)',
    validate: (n) => (Number.isInteger(n) && n >= 0 && n <= 65_535 ? undefined : 'must be a port number'),
  }),
  default: option.boolean({ description: 'Make this account the default (the first account stored always is)' }),
};

const logoutOptions = {
  account: gdriveOptions.account,
  configDir: gdriveOptions.configDir,
  keepGrant: option.boolean({ description: 'Only forget the stored token; do not revoke the grant at Google' }),
};

type Io = { out: (line: string) => void; err: (line: string) => void; env: Readonly<Record<string, string | undefined>> };

const stdio: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${redact(line)}\n`),
  env: process.env,
};

/** Run one command; the exit code. */
export async function runCommand(command: string, argv: readonly string[], io: Io = stdio): Promise<number> {
  try {
    if (command === 'auth') return await auth(argv, io);
    if (command === 'accounts') return accounts(argv, io);
    if (command === 'logout') return await logout(argv, io);
    io.err(`patchbay-gdrive: unknown command ${command}`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(`patchbay-gdrive ${command}: ${problem}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`patchbay-gdrive ${command}: ${message}`);
    return 1;
  }
}

function parse<O extends OptionsSpec>(
  specs: O,
  argv: readonly string[],
  io: Io,
  help: { usage: string; description: string; footer?: string },
): OptionValues<O> | undefined {
  const parsed = parseOptions(specs, { argv, env: io.env });
  if (parsed.help) {
    io.out(renderHelp({ bin: 'patchbay-gdrive', ...help }, [{ title: 'Options', specs }]).trimEnd());
    return undefined;
  }
  return parsed.values;
}

async function auth(argv: readonly string[], io: Io): Promise<number> {
  const values = parse(authOptions, argv, io, {
    usage: 'patchbay-gdrive auth [--account <email>] [--oauth-client <file>] [--read-only] [--no-browser]',
    description: 'sign in to Google Drive once; the token is stored for patchbay-gdrive to refresh from then on',
    footer:
      'It needs an OAuth client of type "Desktop app" (Google Cloud console → APIs & Services → Credentials): pass its JSON with\n' +
      '--oauth-client, or GDRIVE_OAUTH_CLIENT_ID and GDRIVE_OAUTH_CLIENT_SECRET. Signing in an account again reuses its client.',
  });
  if (!values) return 0;
  const dir = configDirOf(values.configDir);
  const known = values.account ? safeRead(dir, values.account) : undefined;
  const client =
    oauthClientOf(values) ??
    (known
      ? { clientId: known.client_id, clientSecret: known.client_secret, tokenUri: known.token_uri, authUri: undefined }
      : undefined);
  if (!client) {
    io.err(
      'patchbay-gdrive auth: no OAuth client. Create one of type "Desktop app" in Google Cloud (APIs & Services → Credentials), ' +
        'enable the Google Drive and Google Sheets APIs, then run: patchbay-gdrive auth --oauth-client ~/Downloads/client_secret_….json ' +
        '(or set GDRIVE_OAUTH_CLIENT_ID and GDRIVE_OAUTH_CLIENT_SECRET).',
    );
    return 2;
  }
  const api = resolveApiUrl(values.apiUrl);
  if ('problem' in api) throw new ConfigError([`--api-url: ${api.problem}`]);
  // Full access asks for drive.readonly too, so a server started with --read-only can narrow its
  // refreshes to it (a refresh may only ask for scopes the grant lists by name).
  const scopes = [...(values.readOnly ? [] : [scopeUrl('drive')]), scopeUrl('drive.readonly'), 'openid', 'email'];
  const authUrl = values.authUrl ?? client.authUri ?? GOOGLE.authUrl;
  const open = (url: string) => {
    io.err(`Open this address in a browser to sign in${values.account ? ` as ${values.account}` : ''}:\n\n  ${url}\n`);
    if (!values.noBrowser) openBrowser(url);
    io.err('Waiting for the browser (Ctrl-C to stop)…');
  };
  const flow = (consent: boolean) =>
    signIn({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authUrl,
      tokenUrl: client.tokenUri,
      scopes,
      // Consent is asked once: only when no refresh token is kept for this account and client.
      consent,
      loginHint: values.account,
      port: values.port,
      open,
    });

  let tokens: TokenResponse = await flow(!(known && known.client_id === client.clientId));
  registerSecret(tokens.access_token);
  registerSecret(tokens.refresh_token);
  const who = await whoIs(api.url, tokens.access_token);
  if (values.account && who.email.toLowerCase() !== values.account.toLowerCase()) {
    io.err(
      `patchbay-gdrive auth: the browser signed in as ${who.email}, not ${values.account}. Nothing was stored; run it again and pick ${values.account}.`,
    );
    return 1;
  }
  const previous = safeRead(dir, who.email);
  let refreshToken = tokens.refresh_token ?? (previous?.client_id === client.clientId ? previous.refresh_token : undefined);
  if (!refreshToken) {
    // Google gives a refresh token only on its consent page; this client was approved before.
    io.err('Google sent no refresh token (this app was approved before): asking once more, with its consent page.');
    tokens = await flow(true);
    registerSecret(tokens.access_token);
    registerSecret(tokens.refresh_token);
    refreshToken = tokens.refresh_token;
    if (!refreshToken) {
      io.err(
        'patchbay-gdrive auth: Google still sent no refresh token, so the server could not renew access. Nothing was stored.',
      );
      return 1;
    }
  }
  const now = new Date().toISOString();
  const record: StoredAccount = {
    version: 1,
    account: who.email.toLowerCase(),
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    token_uri: client.tokenUri,
    refresh_token: refreshToken,
    access_token: tokens.access_token,
    ...(tokens.expires_in ? { expiry_date: Date.now() + tokens.expires_in * 1000 } : {}),
    scope: tokens.scope ?? scopes.join(' '),
    created: previous?.created ?? now,
    updated: now,
  };
  const file = writeAccount(dir, record);
  const isFirst = defaultAccount(dir) === undefined || listAccounts(dir).length === 1;
  if (values.default || isFirst) setDefaultAccount(dir, record.account);
  if (values.tokenFile) {
    // The reference server's format, where GDRIVE_CREDENTIALS_PATH points.
    writePrivate(
      values.tokenFile,
      JSON.stringify({
        access_token: record.access_token,
        refresh_token: record.refresh_token,
        scope: record.scope,
        token_type: 'Bearer',
        ...(record.expiry_date ? { expiry_date: record.expiry_date } : {}),
      }),
    );
  }
  const granted = record.scope.split(/\s+/).filter(Boolean).map(shortScope).join(', ');
  io.out(`Signed in as ${record.account}${who.name ? ` (${who.name})` : ''} with ${granted}.`);
  io.out(`Stored in ${file} (readable by you only)${values.tokenFile ? ` and in ${values.tokenFile}` : ''}.`);
  const isDefault = defaultAccount(dir) === record.account;
  io.out(
    isDefault
      ? 'It is the default account: start the server with `patchbay-gdrive` (add --account to pick another).'
      : `Start the server with \`patchbay-gdrive --account ${record.account}\` (or make it the default: patchbay-gdrive auth --account ${record.account} --default).`,
  );
  return 0;
}

/** The signed-in account, asked of Drive (its `about`), as the server will ask it. */
async function whoIs(apiRoot: string, accessToken: string): Promise<{ email: string; name?: string }> {
  const response = await fetch(new URL('drive/v3/about?fields=user(emailAddress%2CdisplayName)', apiRoot), {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const data = (await response.json().catch(() => ({}))) as {
    user?: { emailAddress?: string; displayName?: string };
    error?: { message?: string };
  };
  const email = data.user?.emailAddress;
  if (!response.ok || !email) {
    throw new SignInError(
      `signed in, but Drive would not say who (${response.status}${data.error?.message ? `: ${data.error.message}` : ''}). Is the Google Drive API enabled for this OAuth client's project? Nothing was stored.`,
    );
  }
  return { email, ...(data.user?.displayName ? { name: data.user.displayName } : {}) };
}

function accounts(argv: readonly string[], io: Io): number {
  const values = parse({ configDir: gdriveOptions.configDir }, argv, io, {
    usage: 'patchbay-gdrive accounts',
    description: 'list the accounts signed in with patchbay-gdrive auth',
  });
  if (!values) return 0;
  const dir = configDirOf(values.configDir);
  const list = listAccounts(dir);
  if (list.length === 0) {
    io.out(`No accounts stored in ${dir}. Sign one in with \`patchbay-gdrive auth\`.`);
    return 0;
  }
  const chosen = defaultAccount(dir);
  for (const email of list) {
    const record = safeRead(dir, email);
    const scopes = record ? record.scope.split(/\s+/).filter(Boolean).map(shortScope).join(', ') : 'unreadable';
    io.out(
      `${email}${email === chosen ? ' (default)' : ''} · ${scopes}${record ? ` · signed in ${record.created.slice(0, 10)}` : ''}`,
    );
  }
  io.out(`(${dir})`);
  return 0;
}

async function logout(argv: readonly string[], io: Io): Promise<number> {
  const values = parse(logoutOptions, argv, io, {
    usage: 'patchbay-gdrive logout --account <email> [--keep-grant]',
    description: 'forget a stored account and revoke its access at Google',
  });
  if (!values) return 0;
  const dir = configDirOf(values.configDir);
  const email = values.account ?? defaultAccount(dir);
  if (!email || !existsSync(accountFile(dir, email))) {
    io.err(
      `patchbay-gdrive logout: ${email ? `no stored account ${email}` : 'name the account with --account'} (see patchbay-gdrive accounts).`,
    );
    return 2;
  }
  const record = safeRead(dir, email);
  if (record && !values.keepGrant) {
    registerSecret(record.refresh_token);
    const response = await fetch(revokeUrlFor(record.token_uri), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: record.refresh_token }),
    }).catch(() => undefined);
    // 400 invalid_token: already revoked. Anything else is said, and the token is forgotten anyway.
    if (!response || (!response.ok && response.status !== 400)) {
      io.err(
        `Could not revoke the grant at Google (${response ? response.status : 'no answer'}); remove it at https://myaccount.google.com/permissions.`,
      );
    }
  }
  removeAccount(dir, email);
  io.out(`Signed out ${email}${values.keepGrant ? ' (the grant at Google was kept)' : ''}.`);
  return 0;
}

function safeRead(dir: string, email: string): StoredAccount | undefined {
  try {
    return readAccount(dir, email);
  } catch {
    return undefined;
  }
}

/** Best effort: the platform's way to open a URL. Failing is fine — the address is printed. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // printed above
  }
}
