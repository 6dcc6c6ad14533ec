import { type Lazy, type Logger, lazy, ToolError } from '@patchbay/kit';
import type { Pool, PoolClient } from 'pg';
import type { ConnectionSpec } from './config.js';
import { databaseError } from './errors.js';
import { loadPg } from './modules.js';
import { rawTypes } from './values.js';

export interface Limits {
  statementTimeout: number;
  lockTimeout: number;
  idleTimeout: number;
  poolSize: number;
}

/** Counters the tests read to prove what reached the database (rows fetched, cancels sent). */
export interface Metrics {
  rowsFetched: number;
  cancels: number;
}

export interface RoleInfo {
  role: string;
  superuser: boolean;
  canWrite: boolean;
  version: string;
  versionNum: number;
  database: string;
}

const APPLICATION = 'patchbay-postgres';
/** How long after the first successful call the role is checked. */
const DOCTOR_DELAY_MS = 1_000;
/** Statements a read transaction may run (catalog lookups, the cursor's batches), for the watchdog. */
const READ_STATEMENTS = 8;

/**
 * One named database: a pool created on first use, and the only ways SQL reaches it — a READ ONLY
 * or READ WRITE transaction with the operator's timeouts set by the server, cancelled in the
 * database when the call is cancelled or runs too long.
 */
export class Database {
  readonly pool: Lazy<Pool>;
  private roleInfo: Promise<RoleInfo> | undefined;
  private doctorDue: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();

  constructor(
    readonly spec: ConnectionSpec,
    private readonly limits: Limits,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.pool = lazy(
      async () => {
        const pg = await loadPg();
        const pool = new pg.Pool({
          connectionString: spec.url,
          max: limits.poolSize,
          idleTimeoutMillis: 30_000,
          connectionTimeoutMillis: 10_000,
          application_name: APPLICATION,
          keepAlive: true,
          types: rawTypes,
        });
        // An idle session that dies (server restart, idle timeout) must not crash the process.
        pool.on('error', (error) => log.warn('an idle database session failed', { connection: spec.name, error: error.message }));
        return pool;
      },
      (pool) => pool.end(),
    );
  }

  get name(): string {
    return this.spec.name;
  }

  get readWrite(): boolean {
    return this.spec.mode === 'read-write';
  }

  /** Run `work` in a READ ONLY transaction that always rolls back. */
  read<T>(signal: AbortSignal, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.transaction('read', signal, work, READ_STATEMENTS);
  }

  /** Run `work` in a READ WRITE transaction that commits when it returns and rolls back when it throws. */
  write<T>(signal: AbortSignal, work: (client: PoolClient) => Promise<T>, statements = 1): Promise<T> {
    if (!this.readWrite) {
      throw new ToolError(`connection "${this.name}" is read-only.`, {
        argument: 'connection',
        hint: 'Writes need a connection the operator started with --read-write <name>.',
      });
    }
    return this.transaction('write', signal, work, statements);
  }

  private transaction<T>(
    mode: 'read' | 'write',
    signal: AbortSignal,
    work: (client: PoolClient) => Promise<T>,
    statements: number,
  ): Promise<T> {
    const run = this.runTransaction(mode, AbortSignal.any([signal, this.shutdown.signal]), work, statements);
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(() => {
      forget();
      if (!this.roleInfo && !this.doctorDue) {
        // The doctor check runs a moment after the first call that reached the database, on a
        // session it gave back: no call waits for it, and the calls that follow the first one
        // closely do not find the session taken and open a second.
        this.doctorDue = setTimeout(() => {
          this.doctorDue = undefined;
          if (!this.shutdown.signal.aborted) void this.role().catch(() => undefined);
        }, DOCTOR_DELAY_MS);
        this.doctorDue.unref();
      }
    }, forget);
    return run;
  }

  private async runTransaction<T>(
    mode: 'read' | 'write',
    signal: AbortSignal,
    work: (client: PoolClient) => Promise<T>,
    statements: number,
  ): Promise<T> {
    signal.throwIfAborted();
    const client = await this.connect();
    if (signal.aborted) {
      client.release();
      throw abortError(signal);
    }
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      client.release(destroy ? true : undefined);
    };
    let cancelled = false;
    let stuck: NodeJS.Timeout | undefined;
    const cancel = () => {
      if (cancelled) return;
      cancelled = true;
      void this.cancelBackend(client);
      // A database that does not answer the cancel: drop the session, which ends the query too.
      stuck = setTimeout(() => release(true), 3_000);
      stuck.unref();
    };
    signal.addEventListener('abort', cancel, { once: true });
    // A checked-out session has no listener of the pool's: the database ending it between queries
    // (idle-in-transaction timeout, a restart) would otherwise be an unhandled 'error' event.
    let lost = false;
    // A session that dies mid-statement without an error message (the server process killed, a
    // dropped connection) never calls back a pg-cursor read: the call would wait for ever. The
    // session's own error event ends the call instead.
    let loseSession: (error: Error) => void = () => undefined;
    const sessionLost = new Promise<never>((_, reject) => {
      loseSession = reject;
    });
    sessionLost.catch(() => undefined);
    const onSessionError = (error: Error) => {
      lost = true;
      this.log.warn('the database ended a session in use', { connection: this.name, error: error.message });
      loseSession(error);
    };
    client.on('error', onSessionError);
    // The database's statement_timeout fires first; this is for a database that stopped answering.
    const watchdog = setTimeout(cancel, this.limits.statementTimeout * (statements + 1) + 5_000);
    watchdog.unref();
    try {
      await client.query(this.beginSql(mode));
      const result = await Promise.race([work(client), sessionLost]);
      // A read always rolls back, which also undoes any session setting it changed; session-level
      // advisory locks survive a rollback, so they are released explicitly.
      await client.query(mode === 'read' ? 'ROLLBACK; SELECT pg_catalog.pg_advisory_unlock_all()' : 'COMMIT');
      return result;
    } catch (error) {
      if (!released) await client.query('ROLLBACK').catch(() => release(true));
      if (signal.aborted) throw abortError(signal);
      throw databaseError(error, this, this.limits.statementTimeout);
    } finally {
      clearTimeout(watchdog);
      if (stuck) clearTimeout(stuck);
      signal.removeEventListener('abort', cancel);
      client.off('error', onSessionError);
      // A session that was sent a cancel is not reused: the cancel could land on its next query.
      release(cancelled || lost);
    }
  }

  /**
   * BEGIN with the access mode and the operator's limits, all LOCAL to this transaction. The
   * closing SELECT takes the transaction's snapshot, after which PostgreSQL refuses `SET
   * TRANSACTION READ WRITE`; it also makes the backend check every second that we are still
   * connected (PostgreSQL 14+), so a query dies with the server process that sent it.
   */
  private beginSql(mode: 'read' | 'write'): string {
    const { statementTimeout, lockTimeout, idleTimeout } = this.limits;
    return [
      `BEGIN ISOLATION LEVEL READ COMMITTED ${mode === 'read' ? 'READ ONLY' : 'READ WRITE'}`,
      `SET LOCAL statement_timeout = ${Math.trunc(statementTimeout)}`,
      `SET LOCAL lock_timeout = ${Math.trunc(lockTimeout)}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(idleTimeout)}`,
      "SELECT CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('client_connection_check_interval', '1000', true) END",
    ].join('; ');
  }

  private async connect(): Promise<PoolClient> {
    let client: PoolClient;
    try {
      const pool = await this.pool.get();
      client = await pool.connect();
    } catch (error) {
      this.log.warn('cannot connect to the database', { connection: this.name, url: this.spec.display, error: String(error) });
      throw new ToolError(
        `could not connect to the database "${this.name}" (${this.spec.display}): ${error instanceof Error ? error.message : String(error)}.`,
        { hint: 'The database may be down or the URL wrong; the operator can check the server log. Retry later.' },
      );
    }
    return client;
  }

  /** Ask the database to cancel what a session is running, from a separate short-lived session. */
  private async cancelBackend(client: PoolClient): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    this.metrics.cancels++;
    const pg = await loadPg();
    const canceller = new pg.Client({
      connectionString: this.spec.url,
      connectionTimeoutMillis: 5_000,
      application_name: `${APPLICATION} cancel`,
    });
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch (error) {
      this.log.warn('could not cancel a running query', { connection: this.name, pid, error: String(error) });
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  /** Who we are connected as, cached; the first call logs the doctor warning when it applies. */
  role(): Promise<RoleInfo> {
    if (!this.roleInfo) {
      this.roleInfo = this.read(new AbortController().signal, async (client) => {
        const { rows } = await client.query<RoleRow>(ROLE_SQL);
        const row = rows[0] as RoleRow;
        return {
          role: row.role,
          superuser: row.superuser,
          canWrite: row.can_write,
          version: row.version,
          versionNum: Number(row.version_num),
          database: row.database,
        };
      });
      this.roleInfo.then(
        (info) => this.doctor(info),
        () => {
          this.roleInfo = undefined;
        },
      );
    }
    return this.roleInfo;
  }

  private doctor(info: RoleInfo): void {
    const reason = info.superuser ? 'a superuser' : info.canWrite && !this.readWrite ? 'able to write' : undefined;
    if (!reason) return;
    this.log.warn(
      `connection "${this.name}" (${this.spec.display}) uses role "${info.role}", which is ${reason}. ` +
        'This server enforces read-only SQL itself, but a role that cannot write is the stronger guarantee. ' +
        `To create one: ${readOnlyRoleSql(info)}`,
    );
  }

  /** Cancel every running query in the database and close the pool. */
  async dispose(): Promise<void> {
    this.shutdown.abort(new Error('the server is shutting down'));
    clearTimeout(this.doctorDue);
    await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    await this.pool.dispose().catch(() => undefined);
  }
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(signal.reason instanceof Error ? signal.reason.message : 'cancelled');
  error.name = 'AbortError';
  return error;
}

interface RoleRow {
  role: string;
  superuser: boolean;
  can_write: boolean;
  version: string;
  version_num: string;
  database: string;
}

/** Superuser, or any privilege that writes: on a table, creating in a schema, or creating schemas. */
const ROLE_SQL = `
SELECT current_user AS role,
  coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser,
  (EXISTS (
     SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
       AND pg_catalog.has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))
   OR EXISTS (
     SELECT 1 FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       AND pg_catalog.has_schema_privilege(n.oid, 'CREATE'))
   OR pg_catalog.has_database_privilege(current_database(), 'CREATE')) AS can_write,
  current_setting('server_version') AS version,
  current_setting('server_version_num') AS version_num,
  current_database() AS database`;

/** The SQL an operator runs to get a role that can read and nothing else. */
export function readOnlyRoleSql(info: Pick<RoleInfo, 'database' | 'versionNum'>): string {
  const db = `"${info.database.replace(/"/g, '""')}"`;
  const grant =
    info.versionNum >= 140000
      ? 'GRANT pg_read_all_data TO mcp_readonly;'
      : 'GRANT USAGE ON SCHEMA public TO mcp_readonly; GRANT SELECT ON ALL TABLES IN SCHEMA public TO mcp_readonly;';
  return `CREATE ROLE mcp_readonly LOGIN PASSWORD '<choose a password>'; GRANT CONNECT ON DATABASE ${db} TO mcp_readonly; ${grant} Then connect as mcp_readonly.`;
}
