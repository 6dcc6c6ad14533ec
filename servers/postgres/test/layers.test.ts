import { createLogger, OutputBudget, ToolError } from '@patchbay/kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Database, type Limits, type Metrics } from '../src/database.js';
import { checkFunctions } from '../src/functions.js';
import { checkRead } from '../src/guard.js';
import { fetchRows, TypeNames } from '../src/rows.js';
import { createTestDatabase, NO_DATABASE, runningWith, type TestDatabase } from './helpers.js';

/**
 * Defence in depth: each database-side layer, tested alone with the parser layer bypassed, to show
 * it holds on its own should the layer above ever let something through.
 */
describe.skipIf(NO_DATABASE)('each read-only layer holds on its own', () => {
  let db: TestDatabase;
  const metrics: Metrics = { rowsFetched: 0, cancels: 0 };
  const log = createLogger('test', 'error', () => undefined);
  const open: Database[] = [];
  const never = new AbortController().signal;

  function database(limits: Partial<Limits> = {}): Database {
    const d = new Database(
      { name: 'main', url: db.url, display: 'test', mode: 'read-only' },
      { statementTimeout: 5_000, lockTimeout: 1_000, idleTimeout: 10_000, poolSize: 1, ...limits },
      log,
      metrics,
    );
    open.push(d);
    return d;
  }

  /** Run SQL the way postgres_query does, minus the parser check. */
  const unchecked = (d: Database, sql: string) =>
    d.read(never, (client) => fetchRows(client, sql, [], { budget: new OutputBudget(8_192), metrics, types: new TypeNames() }));

  const victimCount = async () => (await db.sql<{ n: number }>('SELECT count(*)::int AS n FROM victim'))[0]?.n;

  beforeAll(async () => {
    db = await createTestDatabase('layers');
    await db.sql(`
      CREATE TABLE victim (id int PRIMARY KEY);
      CREATE SEQUENCE counter;
      INSERT INTO victim SELECT generate_series(1, 10);
      CREATE FUNCTION public.noisy() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
      CREATE FUNCTION public.calm() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
      CREATE FUNCTION public.lying() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN PERFORM pg_advisory_lock(8); RETURN 1; END $$;
    `);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.dispose()));
  });
  afterAll(() => db?.drop());

  it('the extended query protocol refuses a second statement', async () => {
    await expect(unchecked(database(), 'SELECT 1; DELETE FROM victim')).rejects.toThrow(
      /cannot insert multiple commands into a prepared statement/,
    );
    expect(await victimCount()).toBe(10);
  });

  it('the READ ONLY transaction refuses writes and DDL', async () => {
    const d = database();
    await expect(unchecked(d, 'DELETE FROM victim')).rejects.toThrow(/cannot execute DELETE in a read-only transaction/);
    await expect(unchecked(d, 'CREATE TABLE pwned (a int)')).rejects.toThrow(
      /cannot execute CREATE TABLE in a read-only transaction/,
    );
    await expect(unchecked(d, "SELECT nextval('counter')")).rejects.toThrow(
      /cannot execute nextval\(\) in a read-only transaction/,
    );
    expect(await victimCount()).toBe(10);
  });

  it('the transaction cannot be switched to read-write', async () => {
    // The snapshot taken when the transaction starts makes PostgreSQL refuse the switch.
    await expect(unchecked(database(), 'SET TRANSACTION READ WRITE')).rejects.toThrow(/must be set before any query/);
  });

  it('session settings and advisory locks do not outlive the call', async () => {
    const d = database();
    const show = async () =>
      d.read(never, async (client) =>
        (
          (await client.query('SHOW default_transaction_read_only; SHOW search_path')) as unknown as Array<{
            rows: Array<Record<string, string>>;
          }>
        ).map((r) => Object.values(r.rows[0] ?? {})[0]),
      );
    const [readOnly, searchPath] = await show();
    await unchecked(d, 'SET default_transaction_read_only = on');
    await unchecked(d, "SELECT set_config('search_path', 'pwned', false)");
    await unchecked(d, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
    // A STABLE function that lies about having no side effects passes the catalog check; the
    // session-level lock it takes is released when the call ends.
    await unchecked(d, 'SELECT public.lying()');
    expect(await show()).toEqual([readOnly, searchPath]);
    expect((await db.sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'"))[0]?.n).toBe(0);
  });

  it('statement_timeout set by the server ends a long query in the database', async () => {
    const d = database({ statementTimeout: 300 });
    await expect(unchecked(d, 'SELECT pg_sleep(20) /* layer-timeout */')).rejects.toThrow(/statement timeout/);
    expect(await runningWith(db, 'layer-timeout')).toBe(0);
  });

  it('lock_timeout set by the server stops a read from queueing behind a lock', async () => {
    const holder = await db.session();
    await holder.query('BEGIN; LOCK TABLE victim IN ACCESS EXCLUSIVE MODE');
    try {
      await expect(unchecked(database({ lockTimeout: 200 }), 'SELECT * FROM victim')).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.query('ROLLBACK');
    }
  });

  it('idle_in_transaction_session_timeout set by the server ends a session left idle mid-transaction', async () => {
    const d = database({ idleTimeout: 1_000 });
    const stalled = d.read(never, async (client) => {
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return client.query('SELECT 1');
    });
    await expect(stalled).rejects.toThrow(/idle-in-transaction|terminat|Connection/i);
  });

  it('the catalog check refuses VOLATILE functions unless known harmless or allowed by the operator', async () => {
    const d = database();
    const check = async (sql: string, allowed: string[] = []) => {
      const analysis = await checkRead(sql);
      return d.read(never, (client) => checkFunctions(client, analysis.functions, allowed));
    };
    await expect(check('SELECT public.noisy()')).rejects.toThrow(ToolError);
    await expect(check('SELECT noisy()')).rejects.toThrow(/public\.noisy\(\), a VOLATILE function/);
    await expect(check('SELECT setseed(0.5)')).rejects.toThrow(/pg_catalog\.setseed/);
    await expect(check('SELECT public.noisy()', ['public.noisy'])).resolves.toBeUndefined();
    await expect(check('SELECT calm(), random(), pg_sleep(0), now()')).resolves.toBeUndefined();
  });
});
