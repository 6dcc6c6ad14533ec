import { type Lazy, type Logger, lazy, ToolError } from '@patchbay/kit';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { ConnectionSpec } from './config.js';
import { CONNECT_TIMEOUT_MS, ConnectFailed } from './connect-errors.js';
import { checkFunctions } from './functions.js';
import type { Analysis } from './guard.js';
import { loadPg } from './modules.js';
import {
  checksReader,
  createRoleSql,
  DEFAULT_READ_ROLE,
  decide,
  describePlan,
  grantReading,
  ident,
  judgeReader,
  likelyLoginSql,
  READER_CHECK_SQL,
  type ReadAccess,
  ReaderChanged,
  type ReaderRow,
  type ReadPlan,
  type RoleFacts,
  readerUrl,
  roleFacts,
  setPasswordSql,
} from './reader.js';
import { checkRelations, type SecretRelations } from './relations.js';
import { PIN_READING_SETTINGS } from './settings.js';
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
  /** A superuser, or a member of one (which may SET ROLE to it). */
  canBecomeSuperuser: boolean;
  canWrite: boolean;
  version: string;
  versionNum: number;
  database: string;
  /** Who SQL from a model runs as. */
  reads: ReadPlan;
}

/** What a model's SQL must pass in the database before it runs: the names it calls and reads. */
export type Checks = Pick<Analysis, 'functions' | 'relations'>;

/**
 * Judge more SQL from a model inside a `readUntrusted` transaction, as its first statement was
 * judged: for work that runs several statements it did not know in advance (a workload's).
 * Throws a ToolError saying why a statement may not run.
 */
export type Judge = (checks: Checks) => Promise<void>;

export interface ReadOptions {
  /** EXPLAIN without ANALYZE of a write, planned as the connection's role (see readUntrusted). */
  planOnly?: boolean;
  /**
   * Close the session afterwards instead of returning it to the pool: the work left state in it
   * that a rollback does not undo (hypothetical indexes, which live in the session's memory).
   */
  discardSession?: boolean;
  /** How many statements the work may run, for the watchdog's patience (default a handful). */
  statements?: number;
}

const NO_ACCESS_OPTIONS: ReadAccess = { allowSuperuserReads: false, allowFunction: [] };
/** Errors of two sessions setting up the same role at once; the set-up is tried again. */
const RACE_CODES = new Set(['42710', '23505', 'XX000', '40001', '40P01']);

const APPLICATION = 'patchbay-postgres';
/** How long after the first successful call the role is checked. */
const DOCTOR_DELAY_MS = 1_000;
/** Statements a read transaction may run (catalog lookups, the cursor's batches), for the watchdog. */
const READ_STATEMENTS = 8;

/**
 * One named database: a pool created on first use, and the only ways SQL reaches it — a READ ONLY
 * or READ WRITE transaction with the operator's timeouts set by the server, cancelled in the
 * database when the call is cancelled or runs too long. SQL a model wrote is read in a transaction
 * of its own as the read role (see reader.ts), on a second pool when that role logs in.
 */
export class Database {
  readonly pool: Lazy<Pool>;
  /** Sessions logged in as the read role (superuser connections only). */
  private readonly readerPool: Lazy<Pool>;
  private plan: Promise<ReadPlan> | undefined;
  /** The plan's first half, which changes nothing, when `prepare` started it before the plan. */
  private facts: Promise<PlanFacts> | undefined;
  /** The system relations that hold secrets, found with the plan. */
  private secrets: SecretRelations = { all: [], tables: [] };
  private roleInfo: Promise<RoleInfo> | undefined;
  private doctorDue: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();

  constructor(
    readonly spec: ConnectionSpec,
    private readonly limits: Limits,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly access: ReadAccess = NO_ACCESS_OPTIONS,
  ) {
    const newPool = async (connectionString: string) => {
      const pg = await loadPg();
      const pool = new pg.Pool({
        connectionString,
        max: limits.poolSize,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: APPLICATION,
        keepAlive: true,
        types: rawTypes,
      });
      // An idle session that dies (server restart, idle timeout) must not crash the process.
      pool.on('error', (error) => log.warn('an idle database session failed', { connection: spec.name, error: error.message }));
      return pool;
    };
    this.pool = lazy(
      () => newPool(spec.url),
      (pool) => pool.end(),
    );
    this.readerPool = lazy(
      () => newPool(readerUrl(spec.url, this.readerRole)),
      (pool) => pool.end(),
    );
  }

  /** The role reads log in as on a superuser connection. */
  private get readerRole(): string {
    return this.access.readRole ?? DEFAULT_READ_ROLE;
  }

  get name(): string {
    return this.spec.name;
  }

  get readWrite(): boolean {
    return this.spec.mode === 'read-write';
  }

  /**
   * Run the server's own SQL (catalog lookups, health views) in a READ ONLY transaction that always
   * rolls back, as the connection's role. SQL a model wrote goes through `readUntrusted`.
   */
  read<T>(signal: AbortSignal, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.transaction('read', signal, work, READ_STATEMENTS);
  }

  /**
   * Run SQL a model wrote, in a READ ONLY transaction that always rolls back, as the role reads
   * run as; the relations it names and the functions it calls are judged against the catalog
   * there first. `planOnly` (EXPLAIN without ANALYZE of a write, which the read role may not
   * plan) runs as the connection's role: nothing of the statement is executed.
   */
  async readUntrusted<T>(
    signal: AbortSignal,
    checks: Checks,
    work: (client: PoolClient, judge: Judge) => Promise<T>,
    options: ReadOptions = {},
  ): Promise<T> {
    const plan = await this.readPlan();
    if (plan.kind === 'refused') {
      throw new ToolError(`reads on "${this.name}" are refused: ${plan.why}.`, {
        hint: `The operator can fix it: ${plan.fix}`,
      });
    }
    const reader = plan.kind === 'login' && !options.planOnly;
    const setRole = plan.kind === 'set-role' && !options.planOnly ? plan.role : undefined;
    // `grantsChecked`: after one grant round, a relation still not readable is the database's to
    // refuse (the grant failed, or it is a view that exposes a secret).
    const attempt = (grantsChecked: boolean) =>
      this.transaction(
        'read',
        signal,
        async (client) => {
          const judge: Judge = async (more) => {
            const ungranted = await checkRelations(client, more.relations, this.secrets);
            if (ungranted.length > 0 && reader && !grantsChecked) throw new GrantsMissing(ungranted);
            await checkFunctions(client, more.functions, this.access.allowFunction, options.planOnly === true);
          };
          await judge(checks);
          return work(client, judge);
        },
        options.statements ?? READ_STATEMENTS,
        {
          reader,
          setRole,
          ...(options.discardSession ? { discard: true } : {}),
          ...(!options.planOnly && checksReader(plan)
            ? { withBegin: { sql: READER_CHECK_SQL, row: (row) => judgeReader(row as ReaderRow | undefined, plan) } }
            : {}),
        },
      );
    try {
      return await attempt(false);
    } catch (error) {
      if (error instanceof GrantsMissing) {
        // Relations created since the read role's grants were made: grant, then read again.
        await this.admin((client) => grantReading(client, this.readerRole));
        return attempt(true);
      }
      if (error instanceof ReaderChanged) {
        this.plan = undefined;
        this.roleInfo = undefined;
        throw new ToolError(`reads on "${this.name}" are refused: ${error.message}`, {
          hint: 'The operator can fix the role; the server checks it again on the next call.',
        });
      }
      throw error;
    }
  }

  /**
   * Run `work` in a READ WRITE transaction that commits when it returns and rolls back when it
   * throws. `work` pins the reading settings before each statement it sends (see settings.ts).
   */
  write<T>(signal: AbortSignal, work: (client: PoolClient) => Promise<T>, statements = 1): Promise<T> {
    if (!this.readWrite) {
      throw new ToolError(`connection "${this.name}" is read-only.`, {
        argument: 'connection',
        hint: 'Writes need a connection the operator started with --read-write <name>.',
      });
    }
    return this.transaction('write', signal, work, statements);
  }

  /**
   * How reads run, found out (and set up) on first use. A failure, or a refusal, is not kept: the
   * next call tries again, so an operator who fixes the cause (pg_hba.conf, a role) needs no restart.
   */
  readPlan(): Promise<ReadPlan> {
    if (!this.plan) {
      const plan = this.makePlan();
      this.plan = plan;
      const forget = () => {
        if (this.plan === plan) this.plan = undefined;
      };
      plan.then((found) => {
        if (found.kind === 'refused') forget();
      }, forget);
    }
    return this.plan;
  }

  /**
   * Start what the first read needs and what changes nothing — the catalog facts behind the plan,
   * and the read role's login when the plan will want it — so that it runs beside the parse of
   * the SQL instead of after it. Creating the role, its grants or its password waits for the read.
   */
  prepare(): void {
    if (this.plan || this.facts) return;
    const facts = this.fetchFacts();
    this.facts = facts;
    facts.catch(() => {
      if (this.facts === facts) this.facts = undefined;
    });
  }

  /**
   * The facts `decide` needs, in one read-only transaction as the connection's role. With BEGIN
   * goes one cheap question — is this a superuser connection whose managed read role exists? — and
   * when it is, the read role logs in while the costlier facts are read: the plan will log in
   * as it, and a login changes nothing.
   */
  private async fetchFacts(): Promise<PlanFacts> {
    const role = this.readerRole;
    let login: Promise<unknown> | undefined;
    const { secrets, ...facts } = await this.transaction(
      'read',
      this.shutdown.signal,
      (client) => roleFacts(client, role),
      READ_STATEMENTS,
      {
        withBegin: {
          sql: likelyLoginSql(role),
          row: (row) => {
            if (row?.likely === true) login = this.loginAhead();
          },
        },
      },
    );
    return { facts, secrets, ...(login ? { login } : {}) };
  }

  /** Log in as the read role and leave the session idle in its pool; the outcome, an error or nothing. */
  private loginAhead(): Promise<unknown> {
    return this.readerPool
      .get()
      .then((pool) => pool.connect())
      .then(
        (client) => {
          client.release();
          return undefined;
        },
        (error: unknown) => error,
      );
  }

  private async makePlan(attempt = 1): Promise<ReadPlan> {
    const role = this.readerRole;
    const pending = this.facts ?? this.fetchFacts();
    this.facts = undefined;
    const { facts, secrets, login } = await pending;
    this.secrets = secrets;
    const decision = decide(facts, this.access);
    if (decision.kind !== 'provision') return decision;
    const cannot = (why: string, fix: string): ReadPlan =>
      this.access.allowSuperuserReads
        ? { kind: 'superuser', role: facts.role, why }
        : {
            kind: 'refused',
            why,
            fix: `${fix} Or accept the risk with --allow-superuser-reads: then SQL from a model runs as the superuser, and only this server's SQL checks stand between it and the server's files and programs.`,
          };
    // Nothing to create or grant (a later start, no new tables): no write at all.
    const needed = !facts.target?.exists || facts.target.lacksGrants;
    if (needed && !facts.standby) {
      try {
        await this.admin(async (client) => {
          if (!facts.target?.exists) await client.query(createRoleSql(role));
          await grantReading(client, role);
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string }; code?: string }).code;
        if (attempt < 3 && code && RACE_CODES.has(code)) return this.makePlan(attempt + 1);
        return cannot(
          `the read role "${role}" could not be set up: ${message(error)}`,
          'See the error; the server tries again on the next call.',
        );
      }
    }
    try {
      // The login started with the facts, if it was: its session waits in the pool, or its error here.
      (await this.connectReader(await login)).release();
    } catch (error) {
      return cannot(
        `the read role "${role}" cannot log in: ${message(error)}`,
        `Let "${role}" log in to this database with a password (a pg_hba.conf line such as "host ${this.spec.display.split('/').pop() ?? 'all'} ${role} <client address> scram-sha-256"), or name a role that can with --read-role.`,
      );
    }
    this.log.debug('reads log in as the read role', { connection: this.name, role });
    return { kind: 'login', role, connectionRole: facts.role };
  }

  /**
   * The server's own changes — creating the read role, its grants, its password — in a READ
   * WRITE transaction on the connection's role, on any connection: they are the operator's set-up,
   * not SQL from a model. Races with another server doing the same are retried by the caller.
   */
  private admin<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(
      'write',
      this.shutdown.signal,
      async (client) => {
        // Two servers setting up the same database at once take turns.
        await client.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('patchbay-postgres read role'))");
        return work(client);
      },
      READ_STATEMENTS,
    );
  }

  /**
   * A session as the read role; when the database asks for a password, set this process's and
   * retry. `failed`: the error of a login just tried (`loginAhead`), so it is not tried twice.
   */
  private async connectReader(failed?: unknown): Promise<PoolClient> {
    const pool = await this.readerPool.get();
    try {
      if (failed !== undefined) throw failed;
      return await pool.connect();
    } catch (error) {
      if ((error as { code?: string }).code !== '28P01') throw error;
      await this.admin((client) => client.query(setPasswordSql(this.readerRole)));
      return pool.connect();
    }
  }

  private transaction<T>(
    mode: 'read' | 'write',
    signal: AbortSignal,
    work: (client: PoolClient) => Promise<T>,
    statements: number,
    session: Session = {},
  ): Promise<T> {
    const run = this.runTransaction(mode, AbortSignal.any([signal, this.shutdown.signal]), work, statements, session);
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
    session: Session,
  ): Promise<T> {
    signal.throwIfAborted();
    const client = await this.connect(session.reader === true);
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
      const begun = (await client.query(this.beginSql(mode, session.setRole, session.withBegin?.sql))) as unknown as
        | QueryResult[]
        | QueryResult;
      if (session.withBegin) {
        const results = Array.isArray(begun) ? begun : [begun];
        session.withBegin.row(results[results.length - 1]?.rows[0]);
      }
      const result = await Promise.race([work(client), sessionLost]);
      // A read always rolls back, which also undoes any session setting it changed; session-level
      // advisory locks survive a rollback, so they are released explicitly.
      await client.query(mode === 'read' ? 'ROLLBACK; SELECT pg_catalog.pg_advisory_unlock_all()' : 'COMMIT');
      return result;
    } catch (error) {
      if (!released) await client.query('ROLLBACK').catch(() => release(true));
      if (signal.aborted) throw abortError(signal);
      // As PostgreSQL raised it, SQLSTATE and all: the connector's error table words it for the model.
      throw error;
    } finally {
      clearTimeout(watchdog);
      if (stuck) clearTimeout(stuck);
      signal.removeEventListener('abort', cancel);
      client.off('error', onSessionError);
      // A session that was sent a cancel is not reused: the cancel could land on its next query.
      release(cancelled || lost || session.discard === true);
    }
  }

  /**
   * BEGIN with the access mode and the operator's limits, all LOCAL to this transaction, and the
   * settings that decide how SQL text is read pinned to the parser's (see settings.ts). The
   * closing SELECT takes the transaction's snapshot, after which PostgreSQL refuses `SET
   * TRANSACTION READ WRITE`; it also makes the backend check every second that we are still
   * connected (PostgreSQL 14+), so a query dies with the server process that sent it.
   */
  private beginSql(mode: 'read' | 'write', setRole: string | undefined, last: string | undefined): string {
    const { statementTimeout, lockTimeout, idleTimeout } = this.limits;
    return [
      `BEGIN ISOLATION LEVEL READ COMMITTED ${mode === 'read' ? 'READ ONLY' : 'READ WRITE'}`,
      `SET LOCAL statement_timeout = ${Math.trunc(statementTimeout)}`,
      `SET LOCAL lock_timeout = ${Math.trunc(lockTimeout)}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(idleTimeout)}`,
      PIN_READING_SETTINGS,
      ...(setRole ? [`SET LOCAL ROLE ${ident(setRole)}`] : []),
      "SELECT CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('client_connection_check_interval', '1000', true) END",
      // Last, as the role the SQL will run as: its row is the batch's last result.
      ...(last ? [last] : []),
    ].join('; ');
  }

  private async connect(reader: boolean): Promise<PoolClient> {
    let client: PoolClient;
    try {
      client = reader ? await this.connectReader() : await (await this.pool.get()).connect();
    } catch (error) {
      const as = reader ? ` as the read role "${this.readerRole}"` : '';
      // The role may have been dropped or changed: find out again on the next call.
      if (reader) this.plan = undefined;
      this.log.warn(`cannot connect to the database${as}`, {
        connection: this.name,
        url: this.spec.display,
        error: String(error),
      });
      throw new ConnectFailed(this.spec, error, reader ? this.readerRole : undefined);
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

  /** Who we are connected as and who reads run as, cached; the first call logs the doctor line. */
  role(): Promise<RoleInfo> {
    if (!this.roleInfo) {
      const info = (async (): Promise<RoleInfo> => {
        const row = await this.read(new AbortController().signal, async (client) => {
          const { rows } = await client.query<RoleRow>(ROLE_SQL);
          return rows[0] as RoleRow;
        });
        return {
          role: row.role,
          superuser: row.superuser,
          canBecomeSuperuser: row.can_become_superuser,
          canWrite: row.can_write,
          version: row.version,
          versionNum: Number(row.version_num),
          database: row.database,
          reads: await this.readPlan(),
        };
      })();
      this.roleInfo = info;
      info.then(
        (found) => this.doctor(found),
        () => {
          if (this.roleInfo === info) this.roleInfo = undefined;
        },
      );
    }
    return this.roleInfo;
  }

  /** One line on stderr when the connection's role is more than a reader: what reads run as, and why. */
  private doctor(info: RoleInfo): void {
    const where = `connection "${this.name}" (${this.spec.display}) uses role "${info.role}"`;
    const create = `To create a role that can only read: ${readOnlyRoleSql(info)}`;
    const reads = info.reads;
    if (info.canBecomeSuperuser) {
      const what =
        reads.kind === 'login'
          ? `SQL from a model does not run as it: reads run as "${reads.role}", a role this server manages (it logs in as it; no superuser, SELECT on tables and views, pg_read_all_stats), which cannot write, read server files or run programs.`
          : reads.kind === 'refused'
            ? `SQL from a model would run as it, so reads are refused: ${reads.why}. ${reads.fix}`
            : `SQL from a model runs as it (--allow-superuser-reads): ${reads.kind === 'superuser' ? reads.why : 'no read role'}; only this server's SQL checks stand between a model and the server's files and programs.`;
      const which = info.superuser ? 'which is a superuser' : 'which can become a superuser (it is a member of a superuser role)';
      this.log.warn(`${where}, ${which}. ${what} A connection role that can only read needs none of this. ${create}`);
      return;
    }
    if (reads.kind === 'refused') {
      this.log.warn(`${where}; reads are refused: ${reads.why}. ${reads.fix}`);
      return;
    }
    if (reads.kind === 'self' && reads.canWrite && !this.readWrite) {
      this.log.warn(
        `${where}, which is able to write. SQL from a model runs as it in READ ONLY transactions; a role that can only read is the stronger guarantee: name one with --read-role, or connect as one. ${create}`,
      );
      return;
    }
    if (reads.kind === 'self' && reads.readsSecrets) {
      this.log.warn(
        `${where}, which can read the secret catalogs (pg_authid's password hashes…), e.g. as a member of pg_read_all_data. Name a role that cannot with --read-role.`,
      );
    }
  }

  /** What the doctor says of reads, for the health check and the connection list. */
  async readsStatus(): Promise<ReturnType<typeof describePlan>> {
    return describePlan(await this.readPlan(), this.readWrite);
  }

  /** Cancel every running query in the database and close the pool. */
  async dispose(): Promise<void> {
    this.shutdown.abort(new Error('the server is shutting down'));
    clearTimeout(this.doctorDue);
    await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    await Promise.all([this.pool.dispose().catch(() => undefined), this.readerPool.dispose().catch(() => undefined)]);
  }
}

/** How a transaction's session is had: as the read role, with SET ROLE, or for the server's own set-up. */
interface Session {
  /** On the pool logged in as the read role. */
  reader?: boolean;
  /** SET LOCAL ROLE to this role after BEGIN. */
  setRole?: string;
  /**
   * A question sent in BEGIN's round trip, after SET LOCAL ROLE (the reader check, or whether the
   * read role will log in), and what to do with its row; throwing refuses the transaction.
   */
  withBegin?: { sql: string; row: (row: Record<string, unknown> | undefined) => void };
  /** Close the session afterwards rather than pool it (see ReadOptions.discardSession). */
  discard?: boolean;
}

/** The first half of a read plan: what the catalog says, and the read role's login if it was started. */
interface PlanFacts {
  facts: RoleFacts;
  secrets: SecretRelations;
  /** The outcome of the read role's login, started beside the facts: an error, or undefined. */
  login?: Promise<unknown>;
}

/** Relations a statement names that the read role has no SELECT on yet. */
class GrantsMissing extends Error {
  constructor(readonly relations: string[]) {
    super(`no SELECT on ${relations.join(', ')}`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(signal.reason instanceof Error ? signal.reason.message : 'cancelled');
  error.name = 'AbortError';
  return error;
}

interface RoleRow {
  role: string;
  superuser: boolean;
  can_become_superuser: boolean;
  can_write: boolean;
  version: string;
  version_num: string;
  database: string;
}

/** Superuser, or any privilege that writes: on a table, creating in a schema, or creating schemas. */
const ROLE_SQL = `
SELECT current_user AS role,
  coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser,
  EXISTS (SELECT 1 FROM pg_catalog.pg_roles s WHERE s.rolsuper AND pg_catalog.pg_has_role(current_user, s.oid, 'MEMBER')) AS can_become_superuser,
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

/**
 * The SQL an operator runs to get a role that can read and nothing else: SELECT on the tables of
 * the public schema, now and later. Not pg_read_all_data, which reads pg_authid's password hashes
 * too, for any SQL the checks here do not see.
 */
export function readOnlyRoleSql(info: Pick<RoleInfo, 'database'>): string {
  const db = `"${info.database.replace(/"/g, '""')}"`;
  return (
    `CREATE ROLE mcp_readonly LOGIN PASSWORD '<choose a password>'; GRANT CONNECT ON DATABASE ${db} TO mcp_readonly; ` +
    'GRANT USAGE ON SCHEMA public TO mcp_readonly; GRANT SELECT ON ALL TABLES IN SCHEMA public TO mcp_readonly; ' +
    'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO mcp_readonly; (the same for each schema to read). Then connect as mcp_readonly.'
  );
}
