import { type Logger, type OptionValues, option, redact, registerSecret } from '@patchbay/kit';

/** The name of the connection given as the first argument or DATABASE_URL. */
export const MAIN_CONNECTION = 'main';

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const ROLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const NO_DATABASE =
  'no database to connect to. Pass a URL as the first argument (patchbay-postgres postgres://user@host:5432/db), set DATABASE_URL, or use --connection name=url.';

const positiveMs = (least: number) => (n: number) =>
  Number.isInteger(n) && n >= least ? undefined : `must be a whole number of milliseconds, at least ${least}`;

/** Every option of the PostgreSQL connector; the kit adds the common ones (--read-only, --http, …). */
export const postgresOptions = {
  url: option.string({
    flag: 'url',
    env: ['DATABASE_URL'],
    placeholder: 'postgres://…',
    positional: true,
    // Not `secret`: that would mask the whole URL everywhere; its password is registered instead.
    credential: { group: 'database', missing: NO_DATABASE },
    description: `Database URL of the connection named "${MAIN_CONNECTION}" (also accepted as the first argument)`,
  }),
  connection: option.list({
    env: ['PATCHBAY_POSTGRES_CONNECTIONS'],
    placeholder: 'name=url',
    credential: { group: 'database', missing: NO_DATABASE },
    description: 'A further named connection; repeatable. Tools pick one with their `connection` argument',
  }),
  readWrite: option.list({
    flag: 'read-write',
    env: ['PATCHBAY_POSTGRES_READ_WRITE'],
    placeholder: 'name',
    description: `Connections that are read-write (e.g. ${MAIN_CONNECTION}); every other connection is read-only. Only these get the write tool`,
  }),
  statementTimeout: option.number({
    env: ['PATCHBAY_POSTGRES_STATEMENT_TIMEOUT'],
    placeholder: 'ms',
    default: 30_000,
    description: 'Longest a statement may run before the database cancels it',
    validate: positiveMs(100),
  }),
  lockTimeout: option.number({
    env: ['PATCHBAY_POSTGRES_LOCK_TIMEOUT'],
    placeholder: 'ms',
    default: 5_000,
    description: 'Longest a statement may wait for a lock',
    validate: positiveMs(100),
  }),
  idleTimeout: option.number({
    flag: 'idle-in-transaction-timeout',
    env: ['PATCHBAY_POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT'],
    placeholder: 'ms',
    default: 15_000,
    description: 'The database ends a session that sits idle inside a transaction this long',
    validate: positiveMs(1_000),
  }),
  poolSize: option.number({
    env: ['PATCHBAY_POSTGRES_POOL_SIZE'],
    placeholder: 'n',
    default: 4,
    description: 'Most database sessions per connection',
    validate: (n) => (Number.isInteger(n) && n >= 1 && n <= 50 ? undefined : 'must be a whole number from 1 to 50'),
  }),
  allowFunction: option.list({
    env: ['PATCHBAY_POSTGRES_ALLOW_FUNCTIONS'],
    placeholder: 'name',
    description:
      'A VOLATILE, SECURITY DEFINER or extension function (name, schema.name, or extension:name for all of one extension) that read-only SQL may call anyway; repeatable. The built-in denylist still applies',
  }),
  readRole: option.string({
    env: ['PATCHBAY_POSTGRES_READ_ROLE'],
    placeholder: 'role',
    description:
      'The role SQL from a model runs as. On a superuser connection the server creates and manages it (default patchbay_readonly) and logs in as it; on another connection reads SET ROLE to it (an existing role the connection role belongs to, unable to write)',
    validate: (v) => (ROLE.test(v) ? undefined : 'must be a role name: a letter or _, then letters, digits or _ (at most 63)'),
  }),
  allowSuperuserReads: option.boolean({
    env: ['PATCHBAY_POSTGRES_ALLOW_SUPERUSER_READS'],
    description:
      'On a superuser connection where reads cannot run as a read role, run them as the superuser instead of refusing them: only the SQL checks then stand between a model and the server',
  }),
};

export type PostgresOptions = OptionValues<typeof postgresOptions>;

export type AccessMode = 'read-only' | 'read-write';

export interface ConnectionSpec {
  name: string;
  /** The URL as given, password included: only ever handed to pg. */
  url: string;
  /** The URL without password or query, safe to show. */
  display: string;
  mode: AccessMode;
  /** Set by the database URL (first argument, --url or DATABASE_URL) or by --connection. */
  origin: 'url' | 'connection';
}

/**
 * The connections the operator named, validated, with every password registered as a secret so
 * that it is masked in every log line and result. Problems never echo a password.
 */
export function connectionSpecs(options: PostgresOptions): { specs: ConnectionSpec[]; problems: string[] } {
  const problems: string[] = [];
  const raw: Array<{ name: string; url: string; origin: string; from: ConnectionSpec['origin'] }> = [];
  const urls = options.url === undefined ? [] : Array.isArray(options.url) ? (options.url as string[]) : [options.url];
  if (urls.length > 1) problems.push('Give one database URL as the argument; name further databases with --connection name=url.');
  if (urls[0] !== undefined) raw.push({ name: MAIN_CONNECTION, url: urls[0], origin: 'the database URL', from: 'url' });
  for (const entry of options.connection) {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? '' : entry.slice(0, eq).trim();
    const url = eq === -1 ? '' : entry.slice(eq + 1).trim();
    if (!NAME.test(name) || !url) {
      problems.push(
        `--connection must look like name=postgres://user@host/db with a lowercase name (got "${isKeyValue(url) ? `${name}=<key=value connection string>` : displayUrl(entry)}").`,
      );
      continue;
    }
    raw.push({ name, url, origin: `--connection ${name}`, from: 'connection' });
  }

  const specs: ConnectionSpec[] = [];
  for (const { name, url, origin, from } of raw) {
    // Parsed once: this runs before the bin's first list is answered (a URL parse is not free).
    const parsed = parseUrl(url);
    registerUrlSecrets(url, parsed);
    if (specs.some((s) => s.name === name)) {
      problems.push(`Two connections are named "${name}"; give each --connection a different name.`);
      continue;
    }
    if (isKeyValue(url)) {
      // libpq's `host=… dbname=… password=…` form: never echoed, since its password may be
      // written in ways no URL parser reads (quoted, with spaces, escaped quotes).
      problems.push(
        `${origin} must be a postgres:// or postgresql:// URL; a key=value connection string (host=… dbname=…) is not read here. ` +
          'Write it as postgres://user@host:5432/db (the password in the URL, percent-encoded, or in PGPASSWORD).',
      );
      continue;
    }
    if (!/^postgres(ql)?:\/\//i.test(url) || !parsed) {
      problems.push(`${origin} must be a postgres:// or postgresql:// URL (got "${displayUrl(url)}").`);
      continue;
    }
    specs.push({
      name,
      url,
      display: displayUrl(url, parsed),
      mode: options.readWrite.includes(name) ? 'read-write' : 'read-only',
      origin: from,
    });
  }
  for (const name of options.readWrite) {
    if (!raw.some((r) => r.name === name)) {
      problems.push(
        `--read-write names "${name}", which is not a connection. Connections: ${[...new Set(raw.map((r) => r.name))].join(', ') || 'none'}.`,
      );
    }
  }
  // Whatever a problem quotes goes through redaction too: the bin prints these before any log line.
  return { specs, problems: problems.map(redact) };
}

/** `host=db dbname=x …`: libpq's key=value form, which starts with a keyword and has no scheme. */
function isKeyValue(text: string): boolean {
  return /^\s*[a-z_]+\s*=/i.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Mask the password wherever it shows up later (raw and percent-decoded), and PGPASSWORD too. */
function registerUrlSecrets(url: string, parsed = parseUrl(url)): void {
  const keyValue = /\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/i.exec(url);
  const passwords = [
    parsed?.password,
    // Any query may hold one (spelled in percent-encoding, too): asked whenever there is a query.
    parsed?.search ? (parsed.searchParams.get('password') ?? undefined) : undefined,
    keyValue?.[1]?.replace(/\\(.)/g, '$1') ?? keyValue?.[2],
    process.env.PGPASSWORD,
  ];
  for (const password of passwords) {
    if (!password) continue;
    registerSecret(password);
    try {
      registerSecret(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the raw form is registered already.
    }
  }
}

/** `postgres://user@host:5432/db`: no password, no query string (which may hold one too). */
export function displayUrl(url: string, parsed = parseUrl(url)): string {
  if (!parsed || !/^postgres(ql)?:$/i.test(parsed.protocol)) {
    // Not a URL we can read: the password is whatever lies between the user's ':' and the last
    // '@', and may hold '/', ':' or '@' itself.
    const masked = url.includes('//') ? url.replace(/(\/\/[^:@/]*):.*@/, '$1:***@') : url.replace(/:.*@/, ':***@');
    return masked.replace(/\?.*$/, '');
  }
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
  const socket = parsed.search ? parsed.searchParams.get('host') : null;
  const host = parsed.host || (socket ? `[${socket}]` : 'localhost');
  return `${parsed.protocol}//${user}${host}${parsed.pathname}`;
}

// What the bin's zod-free front needs besides the options (see scripts/bundle.mjs): the same
// check and switches the connector definition uses.
export { postgresOptions as options };

/** Every problem with the connections named, reported at once before the server starts. */
export const check = (options: PostgresOptions): string[] => connectionSpecs(options).problems;

/**
 * Once per process, after the client initialized: log in to each database and say on stderr what
 * keeps it from working (probe.ts, loaded only then). The bin's front runs this too.
 */
export const startupCheck = async (options: PostgresOptions, log: Logger): Promise<void> =>
  (await import('./probe.js')).checkConnections(connectionSpecs(options).specs, log);

/** Tools offered only for some configurations, decided from the options alone. */
export const switches = {
  /** Only a read-write connection has the write tool. */
  postgres_execute: (options: PostgresOptions) => connectionSpecs(options).specs.some((spec) => spec.mode === 'read-write'),
  /** Choosing among connections makes sense only when there are several. */
  postgres_list_connections: (options: PostgresOptions) => connectionSpecs(options).specs.length > 1,
};
