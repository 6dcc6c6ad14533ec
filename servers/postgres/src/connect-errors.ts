import type { ConnectionSpec } from './config.js';

/**
 * Why a session could not be had, in the operator's terms, with what to change. Each cause has
 * its own fix: a wrong password is not a missing database, and neither is worth retrying. Only
 * what passes by itself (a server starting up, too many connections) says to try again.
 */
export interface ConnectProblem {
  /** What went wrong (`there is no database "shop" on db:5432`). */
  what: string;
  /** What to change, naming the setting it is in. */
  fix: string;
  /** It may pass without a change (the server is starting, too many connections). */
  transient: boolean;
}

/** How long a login may take before it counts as unanswered: the pools' and the start-up check's. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A session could not be opened: a pool's connect failed, or the start-up check's login. */
export class ConnectFailed extends Error {
  constructor(
    readonly spec: ConnectionSpec,
    override readonly cause: unknown,
    /** The role it tried to log in as, when not the URL's (the managed read role). */
    readonly role?: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ConnectFailed';
  }
}

/** Where a connection of the database URL logs in, as pg resolves it (the URL, then PG* variables). */
export interface Target {
  host: string;
  port: number;
  /** A Unix-socket directory (`?host=/var/run/postgresql`). */
  socket?: string;
  user: string;
  database: string;
  /** A password is given (in the URL or PGPASSWORD). */
  password?: string;
  /** The URL (or PGSSLMODE) asks for TLS. */
  ssl: boolean;
}

export function targetOf(url: string, env: Readonly<Record<string, string | undefined>> = process.env): Target {
  const parsed = new URL(url);
  const query = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  const hostParam = query('host');
  const socket = hostParam?.startsWith('/') ? hostParam : undefined;
  const host = socket ?? (decode(parsed.hostname).replace(/^\[|\]$/g, '') || hostParam || env.PGHOST || 'localhost');
  const user = decode(parsed.username) || query('user') || env.PGUSER || env.USER || 'postgres';
  const database = decode(parsed.pathname.replace(/^\//, '')) || env.PGDATABASE || user;
  const password = decode(parsed.password) || query('password') || env.PGPASSWORD || undefined;
  const mode = query('sslmode') ?? (query('ssl') ? undefined : env.PGSSLMODE);
  const ssl = ['true', '1'].includes(query('ssl') ?? '') || (mode !== undefined && mode !== 'disable');
  return {
    host,
    port: Number(parsed.port || query('port') || env.PGPORT || 5432),
    ...(socket ? { socket } : {}),
    user,
    database,
    ...(password ? { password } : {}),
    ssl,
  };
}

/** Where the operator set a connection: what to edit to fix it. */
export function whereSet(spec: ConnectionSpec): string {
  return spec.origin === 'url'
    ? 'the database URL (the first argument or DATABASE_URL)'
    : `--connection ${spec.name}=… (or PATCHBAY_POSTGRES_CONNECTIONS)`;
}

/**
 * The problem behind a failed connect — pg's error, a socket error, or the start-up check's — or
 * undefined when it is not a connection problem.
 */
export function connectProblem(error: unknown, spec: ConnectionSpec, role?: string): ConnectProblem | undefined {
  const cause = error instanceof ConnectFailed ? error.cause : error;
  const { code, message } = facts(cause);
  const target = targetOf(spec.url);
  const user = role ?? (error instanceof ConnectFailed ? error.role : undefined) ?? target.user;
  const where = whereSet(spec);
  const address = target.socket ? `the socket in ${target.socket} (port ${target.port})` : `${target.host}:${target.port}`;
  const unreachable = `Check that PostgreSQL runs there and that the host and port in ${where} are right`;
  const problem = (what: string, fix: string, transient = false): ConnectProblem => ({ what, fix, transient });

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return problem(`the host name "${target.host}" does not resolve (${code})`, `Check the host in ${where}.`);
  }
  if (code === 'ECONNREFUSED') {
    return problem(`nothing accepts connections at ${address} (ECONNREFUSED)`, `${unreachable}.`);
  }
  if (code === 'ENOENT' && target.socket) {
    return problem(`there is no PostgreSQL socket in ${target.socket} for port ${target.port}`, `${unreachable}.`);
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    /timeout expired|connection timeout/i.test(message)
  ) {
    return problem(
      `${address} did not answer${code && code !== 'ETIMEDOUT' ? ` (${code})` : ' in time'}`,
      `${unreachable}, and that no firewall stands between this machine and it.`,
    );
  }
  // pg's words for it (SCRAM), or the start-up check's code.
  const noPassword =
    code === 'NOPASSWORD' || /client password must be a (non-empty )?string|password must be a string/i.test(message);
  if (noPassword || (code === '28P01' && !target.password && !role)) {
    return problem(
      `the server asks role "${user}" for a password and none is given`,
      // Written without the scheme: a URL with a password in it would be masked as a secret.
      `Put the password in ${where} after the user name (${user}:PASSWORD@${target.host}, percent-encoded), or set PGPASSWORD.`,
    );
  }
  if (code === '28P01') {
    return problem(
      `PostgreSQL refused the password of role "${user}": it is wrong, or there is no role "${user}" (PostgreSQL does not say which)`,
      role
        ? 'The server sets this role’s password itself; see the PostgreSQL log for why it was refused.'
        : `Correct the user or the password in ${where}; a password may also come from PGPASSWORD.`,
    );
  }
  if (code === '28000' && /role ".*" does not exist/.test(message)) {
    return problem(
      `there is no role "${user}" on ${address}`,
      `Name an existing role as the user in ${where}, or create it (CREATE ROLE "${user}" LOGIN).`,
    );
  }
  if (code === '28000' && /no pg_hba\.conf entry/.test(message)) {
    const plain = /no encryption/.test(message);
    return problem(
      `the server's pg_hba.conf has no line that lets role "${user}" connect to database "${target.database}" from this machine${plain ? ' without TLS' : ''}`,
      `Add one on the server (then SELECT pg_reload_conf())${plain ? `, or connect with TLS (?sslmode=require in ${where})` : ''}.`,
    );
  }
  if (code === '28000') {
    return problem(
      `PostgreSQL refused role "${user}": ${message}`,
      `Let the role log in (ALTER ROLE "${user}" LOGIN) or name another in ${where}; pg_hba.conf decides who may connect.`,
    );
  }
  if (code === '3D000') {
    return problem(
      `there is no database "${target.database}" on ${address}`,
      `Name an existing database in ${where}, or create it (CREATE DATABASE "${target.database}"); psql -l lists them.`,
    );
  }
  if (code === '42501') {
    return problem(
      `role "${user}" may not connect to database "${target.database}": ${message}`,
      `Grant it (GRANT CONNECT ON DATABASE "${target.database}" TO "${user}") or name another role in ${where}.`,
    );
  }
  if (code === '57P03') {
    return problem(`the database is starting up, shutting down or in recovery (${message})`, 'Try again in a moment.', true);
  }
  if (code === '53300' || code === '53000') {
    return problem(
      `the server has no connection slot left (${message})`,
      'Try again in a moment; the operator can raise max_connections or lower --pool-size.',
      true,
    );
  }
  if (/\bSSL\b|certificate/i.test(message)) {
    return problem(`TLS could not be set up with ${address}: ${message}`, `Check sslmode (and the certificates) in ${where}.`);
  }
  return undefined;
}

/** The code (SQLSTATE or errno) and message of an error, wherever pg put them. */
function facts(error: unknown): { code: string | undefined; message: string } {
  if (!(error instanceof Error)) return { code: undefined, message: String(error) };
  const own = (error as { code?: unknown }).code;
  // A failed DNS lookup or connect inside pg may come wrapped (AggregateError for several addresses).
  const inner = (error as { errors?: unknown[] }).errors?.[0] as { code?: unknown; message?: string } | undefined;
  const code = typeof own === 'string' ? own : typeof inner?.code === 'string' ? inner.code : undefined;
  return { code, message: error.message || inner?.message || '' };
}
