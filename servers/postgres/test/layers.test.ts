import { randomBytes } from 'node:crypto';
import { createLogger, ToolError } from '@patchbay/kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Database, type Limits, type Metrics } from '../src/database.js';
import { checkFunctions } from '../src/functions.js';
import { checkRead } from '../src/guard.js';
import { type Fetched, fetchRows, TypeNames } from '../src/rows.js';
import { serverFileExists } from './harness/fingerprint.js';
import { adminSql, createTestDatabase, NO_DATABASE, nested, runningWith, SAME_SERVER, type TestDatabase } from './helpers.js';

/** The rows' values as shown. */
const cells = (fetched: Fetched) => ({ ...fetched, rows: fetched.rows.map((row) => row.cells) });

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
      { name: 'main', url: db.url, display: 'test', mode: 'read-only', origin: 'url' },
      { statementTimeout: 5_000, lockTimeout: 1_000, idleTimeout: 10_000, poolSize: 1, ...limits },
      log,
      metrics,
    );
    open.push(d);
    return d;
  }

  /** Run SQL the way postgres_query does, minus the parser check. */
  const unchecked = (d: Database, sql: string) =>
    d.read(never, async (client) => cells(await fetchRows(client, sql, [], { bytes: 8_192, metrics, types: new TypeNames() })));

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

/**
 * The read role, alone: SQL a model wrote runs as a role that cannot write, read server files or
 * run programs, so even SQL no check ever saw (here: with every check of this server bypassed)
 * fails in the database. On a superuser connection that role is a login of its own, never a SET
 * ROLE, which SQL could undo with set_config('role', …).
 */
describe.skipIf(NO_DATABASE)('the read role holds on its own, with every check of this server bypassed', () => {
  let db: TestDatabase;
  let reads: Database;
  const metrics: Metrics = { rowsFetched: 0, cancels: 0 };
  const log = createLogger('test', 'error', () => undefined);
  const never = new AbortController().signal;
  const tag = randomBytes(4).toString('hex');
  const file = (n: number) => `/tmp/pb-layer-${tag}-${n}`;
  const hashRole = `pb_layer_hash_${tag}`;
  const NOTHING_CHECKED = { functions: [], relations: [] };

  /** Run SQL as postgres_query would, minus every check the server makes of the SQL itself. */
  const unchecked = (sql: string) =>
    reads.readUntrusted(never, NOTHING_CHECKED, (client) =>
      fetchRows(client, sql, [], { bytes: 65_536, metrics, types: new TypeNames() }).then(cells),
    );
  const victims = async () => (await db.sql<{ n: number }>('SELECT count(*)::int AS n FROM victim'))[0]?.n;

  beforeAll(async () => {
    db = await createTestDatabase('readrole');
    for (const extension of ['tablefunc', 'xml2', 'dblink', 'adminpack']) await db.sql(`CREATE EXTENSION ${extension}`);
    await db.sql(`
      CREATE TABLE victim (id int PRIMARY KEY);
      INSERT INTO victim SELECT generate_series(1, 10);
      CREATE ROLE ${hashRole} PASSWORD 'pw-${tag}';
      SELECT lo_from_bytea(0, 'lo-${tag}'::bytea);
    `);
    reads = new Database(
      { name: 'main', url: db.url, display: 'test', mode: 'read-only', origin: 'url' },
      { statementTimeout: 5_000, lockTimeout: 1_000, idleTimeout: 10_000, poolSize: 2 },
      log,
      metrics,
    );
  });
  afterAll(async () => {
    await reads?.dispose();
    await db?.drop();
    await adminSql(`DROP ROLE IF EXISTS ${hashRole}`).catch(() => undefined);
  });

  it('reads as a role that is not a superuser and logged in as itself', async () => {
    const result = await unchecked(
      'SELECT current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)',
    );
    const [reader, session, superuser] = result.rows[0] ?? [];
    expect(reader).toBe(session);
    expect(reader).not.toBe('postgres');
    expect(superuser).toBe(false);
  });

  it('can read the tables', async () => {
    expect((await unchecked('SELECT count(*) FROM victim')).rows).toEqual([[10]]);
  });

  const attacks: Array<[string, string, RegExp]> = [
    ['password hashes', 'SELECT rolpassword FROM pg_authid', /permission denied/],
    [
      'password hashes through crosstab',
      "SELECT * FROM crosstab('SELECT rolname::text, ''k''::text, rolpassword::text FROM pg_authid') AS t(r text, h text)",
      /permission denied/,
    ],
    [
      'password hashes through xpath_table',
      "SELECT * FROM xpath_table('k', 'd', '(SELECT rolname::text AS k, ''<a>'' || rolpassword || ''</a>'' AS d FROM pg_authid) s', '/a/text()', 'true') AS t(k text, h text)",
      /permission denied/,
    ],
    ['password hashes through table_to_xml', "SELECT table_to_xml('pg_catalog.pg_authid', true, false, '')", /permission denied/],
    ['a server file', "SELECT pg_read_file('/etc/passwd')", /permission denied/],
    [
      'a server file through crosstab',
      "SELECT * FROM crosstab('SELECT ''a''::text, ''b''::text, pg_read_file(''/etc/passwd'')') AS t(a text, b text)",
      /permission denied/,
    ],
    ['a large object', 'SELECT lo_get((SELECT min(oid) FROM pg_largeobject_metadata))', /permission denied/],
    ['large objects raw', 'SELECT data FROM pg_largeobject', /permission denied/],
    [
      'a program',
      `COPY (SELECT 1) TO PROGRAM 'touch ${file(1)}'`,
      /permission denied|must be superuser|privileges of the "pg_execute_server_program"/,
    ],
    [
      'a server file written',
      `COPY (SELECT 1) TO '${file(2)}'`,
      /permission denied|must be superuser|privileges of the "pg_write_server_files"/,
    ],
    ['a file written by adminpack', `SELECT pg_file_write('${file(3)}', 'x', false)`, /permission denied/],
    [
      'a large object exported',
      `SELECT lo_export((SELECT min(oid) FROM pg_largeobject_metadata), '${file(4)}')`,
      /permission denied|must be superuser/,
    ],
    [
      'the superuser again through set_config(role)',
      `SELECT * FROM crosstab('${nested("SELECT set_config('role', 'postgres', true), 'b'::text, pg_read_file('/etc/passwd')")}') AS t(a text, b text)`,
      /permission denied/,
    ],
    [
      'the superuser again through set_config(session_authorization)',
      `SELECT * FROM crosstab('${nested("SELECT set_config('session_authorization', 'postgres', true), 'b'::text, pg_read_file('/etc/passwd')")}') AS t(a text, b text)`,
      /permission denied/,
    ],
    ['SET ROLE to the superuser', 'SET ROLE postgres', /permission denied/],
    ['SET SESSION AUTHORIZATION to the superuser', 'SET SESSION AUTHORIZATION postgres', /permission denied/],
    [
      'a dblink session as the superuser over trust authentication',
      `SELECT * FROM dblink(${SAME_SERVER}, 'SELECT rolpassword FROM pg_authid') AS t(h text)`,
      /password is required/,
    ],
    [
      'a dblink session as the superuser with any password',
      `SELECT * FROM dblink(${SAME_SERVER} || ' password=x', 'SELECT rolpassword FROM pg_authid') AS t(h text)`,
      /password is required|Non-superuser cannot connect/,
    ],
    [
      'a program through dblink_exec',
      `SELECT dblink_exec(${SAME_SERVER}, '${nested(`COPY (SELECT 1) TO PROGRAM 'touch ${file(5)}'`)}')`,
      /password is required/,
    ],
    [
      'a committed write through dblink inside crosstab',
      `SELECT * FROM crosstab('${nested(`SELECT 'a'::text, 'b'::text, dblink_exec(${SAME_SERVER}, 'DELETE FROM victim')`)}') AS t(a text, b text)`,
      /password is required/,
    ],
    ['a write', 'DELETE FROM victim', /read-only transaction|permission denied/],
    [
      'terminating a superuser session',
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'postgres'",
      /permission denied|must be a (superuser|member)/,
    ],
  ];

  it.each(attacks)('refuses %s in the database', async (_name, sql, expected) => {
    const failure = await unchecked(sql).then(
      (result) => new Error(`ran: ${JSON.stringify(result.rows).slice(0, 300)}`),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(expected);
    expect(failure.message).not.toContain('SCRAM-SHA-256$');
    expect(await victims()).toBe(10);
    for (const n of [1, 2, 3, 4, 5]) expect(await serverFileExists(db, file(n)), file(n)).toBe(false);
  });
});
