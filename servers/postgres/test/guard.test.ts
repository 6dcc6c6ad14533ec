import { ToolError } from '@patchbay/kit';
import { describe, expect, it } from 'vitest';
import { checkExplainable, checkRead, checkWrite } from '../src/guard.js';

/** The refusal text, or undefined when the SQL passes. */
async function verdict(check: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    if (error instanceof ToolError) return error.render();
    throw error;
  }
}

const read = (sql: string) => verdict(() => checkRead(sql));

describe('the SQL gate (parser layer) for read-only SQL', () => {
  it.each([
    'SELECT 1',
    'select * from t where x = $1',
    'VALUES (1, 2), (3, 4)',
    'TABLE t',
    'SHOW search_path',
    'SHOW ALL',
    'WITH a AS (SELECT 1 AS x) SELECT x FROM a',
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r',
    'SELECT * FROM a UNION SELECT * FROM b ORDER BY 1 LIMIT 5',
    'SELECT now(), pg_sleep(0.1), random(), count(*) OVER () FROM generate_series(1, 3)',
    'EXPLAIN SELECT * FROM t',
    'EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM t',
    'EXPLAIN DELETE FROM t',
    '/* leading comment */ SELECT 1 -- trailing comment',
    'SELECT 1;',
    "SELECT 'DROP TABLE t; COMMIT' AS harmless_text, $$ ; DELETE FROM t; $$ AS dollar",
  ])('lets a read through: %s', async (sql) => {
    expect(await read(sql)).toBeUndefined();
  });

  it.each([
    ['COMMIT; DROP TABLE t', /holds 2 statements/],
    ['SELECT 1; SELECT 2', /holds 2 statements/],
    ['SELECT 1 /* ; */; DROP TABLE t', /holds 2 statements/],
    ['SELECT $$;$$; DROP TABLE t', /holds 2 statements/],
    ["SELECT ';'; DELETE FROM t", /holds 2 statements/],
    ['SELECT 1;\nCOMMIT;\nDROP TABLE t;', /holds 3 statements/],
    ['COMMIT', /transaction control/],
    ['BEGIN', /transaction control/],
    ['END', /transaction control/],
    ['ROLLBACK', /transaction control/],
    ['START TRANSACTION READ WRITE', /transaction control/],
    ['SET TRANSACTION READ WRITE', /SET is not a read/],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', /SET is not a read/],
    ['SET default_transaction_read_only = off', /SET is not a read/],
    ['RESET ALL', /SET is not a read/],
    ['PREPARE TRANSACTION $$x$$', /transaction control/],
    ['INSERT INTO t VALUES (1)', /INSERT is not a read/],
    ['UPDATE t SET x = 1', /UPDATE is not a read/],
    ['DELETE FROM t', /DELETE is not a read/],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', /MERGE is not a read/],
    ['TRUNCATE t', /not a read/],
    ['DROP TABLE t', /not a read/],
    ['CREATE TABLE x (a int)', /not a read/],
    ['CREATE TABLE x AS SELECT 1', /CREATE TABLE AS is not a read/],
    ['ALTER TABLE t ADD COLUMN y int', /not a read/],
    ['ALTER SYSTEM SET work_mem = $$1GB$$', /ALTER SYSTEM is not a read/],
    ['CREATE EXTENSION dblink', /CREATE EXTENSION is not a read/],
    ['CREATE ROLE evil SUPERUSER LOGIN', /not a read/],
    ['GRANT ALL ON t TO PUBLIC', /not a read/],
    ["COPY t TO PROGRAM 'touch /tmp/pwned'", /COPY is not a read/],
    ["COPY t FROM PROGRAM 'id'", /COPY is not a read/],
    ["COPY (SELECT 1) TO '/tmp/pwned'", /COPY is not a read/],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$", /DO block is not a read/],
    ['CALL some_procedure()', /CALL is not a read/],
    ['PREPARE p AS DELETE FROM t', /PREPARE is not a read/],
    ['EXECUTE p', /EXECUTE is not a read/],
    ['DEALLOCATE ALL', /DEALLOCATE is not a read/],
    ['DECLARE c CURSOR FOR SELECT 1', /DECLARE CURSOR is not a read/],
    ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', /LOCK is not a read/],
    ['LISTEN channel', /LISTEN is not a read/],
    ["NOTIFY channel, 'x'", /NOTIFY is not a read/],
    ['VACUUM FULL t', /VACUUM\/ANALYZE is not a read/],
    ['CHECKPOINT', /not a read/],
    ["LOAD 'plpgsql'", /LOAD is not a read/],
    ['DISCARD ALL', /DISCARD is not a read/],
    ['REFRESH MATERIALIZED VIEW mv', /not a read/],
    ['SELECT 1 INTO newtable', /SELECT … INTO creates a table/],
    ['SELECT * FROM t FOR UPDATE', /FOR UPDATE\/FOR SHARE/],
    ['SELECT * FROM t FOR SHARE SKIP LOCKED', /FOR UPDATE\/FOR SHARE/],
    ['SELECT * FROM t FOR NO KEY UPDATE NOWAIT', /FOR UPDATE\/FOR SHARE/],
    ['SELECT * FROM (SELECT * FROM t FOR KEY SHARE) s', /FOR UPDATE\/FOR SHARE/],
    ['WITH l AS (SELECT * FROM t FOR UPDATE) SELECT * FROM l', /FOR UPDATE\/FOR SHARE/],
    ['(SELECT * FROM a FOR UPDATE) UNION ALL SELECT * FROM b', /FOR UPDATE\/FOR SHARE/],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', /DELETE inside the statement/],
    ['WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1', /INSERT inside the statement/],
    ['WITH u AS (UPDATE t SET x = 1 RETURNING *) SELECT count(*) FROM u', /UPDATE inside the statement/],
    ['WITH a AS (SELECT 1), b AS (DELETE FROM t) SELECT * FROM a', /DELETE inside the statement/],
    ['EXPLAIN ANALYZE DELETE FROM t', /EXPLAIN ANALYZE would run the DELETE/],
    ['EXPLAIN (ANALYZE true) UPDATE t SET x = 1', /EXPLAIN ANALYZE would run the UPDATE/],
    ['EXPLAIN ANALYZE WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', /DELETE inside the statement/],
    ['EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1', /only queries and INSERT\/UPDATE\/DELETE\/MERGE can be explained/],
  ])('refuses %s', async (sql, why) => {
    const text = await read(sql);
    expect(text).toMatch(/^Argument `sql`: /);
    expect(text).toMatch(why);
  });

  it.each([
    ["SELECT pg_read_file('/etc/passwd')", 'pg_read_file'],
    ["SELECT pg_catalog.pg_read_file('/etc/passwd')", 'pg_read_file'],
    ['SELECT "pg_read_file"(\'/etc/passwd\')', 'pg_read_file'],
    ["SELECT PG_READ_FILE('/etc/passwd')", 'pg_read_file'],
    ['SELECT U&"pg\\005fread\\005ffile"(\'/etc/passwd\')', 'pg_read_file'],
    ["SELECT pg_read_binary_file('/etc/passwd')", 'pg_read_binary_file'],
    ["SELECT * FROM pg_ls_dir('.')", 'pg_ls_dir'],
    ["SELECT pg_stat_file('postgresql.conf')", 'pg_stat_file'],
    ["SELECT lo_import('/etc/passwd')", 'lo_import'],
    ["SELECT lo_export(1, '/tmp/pwned')", 'lo_export'],
    ["SELECT * FROM dblink('dbname=x', 'DELETE FROM t') AS r(x int)", 'dblink'],
    ["SELECT dblink_exec('dbname=x', 'DROP TABLE t')", 'dblink_exec'],
    ["SELECT query_to_xml('DELETE FROM t RETURNING 1', true, false, '')", 'query_to_xml'],
    ["SELECT ts_stat('SELECT pg_terminate_backend(1)')", 'ts_stat'],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'pg_terminate_backend'],
    ['SELECT pg_cancel_backend(1)', 'pg_cancel_backend'],
    ['SELECT pg_reload_conf()', 'pg_reload_conf'],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", 'set_config'],
    ['SELECT pg_advisory_lock(1)', 'pg_advisory_lock'],
    ['SELECT pg_try_advisory_xact_lock(1)', 'pg_try_advisory_xact_lock'],
    ["SELECT nextval('s')", 'nextval'],
    ["SELECT setval('s', 100)", 'setval'],
    ['SELECT txid_current()', 'txid_current'],
    ["SELECT pg_notify('c', 'x')", 'pg_notify'],
    ["SELECT pg_create_physical_replication_slot('s')", 'pg_create_physical_replication_slot'],
    ['SELECT pg_stat_reset()', 'pg_stat_reset'],
    ['SELECT x FROM t WHERE x IN (SELECT pg_cancel_backend(1))', 'pg_cancel_backend'],
    ["SELECT * FROM t ORDER BY pg_read_file('/etc/passwd')", 'pg_read_file'],
    ["WITH f AS (SELECT pg_read_file('/etc/passwd')) SELECT * FROM f", 'pg_read_file'],
    ["EXPLAIN ANALYZE SELECT pg_read_file('/etc/passwd')", 'pg_read_file'],
    ["SELECT * FROM t, LATERAL pg_ls_dir('.') AS d", 'pg_ls_dir'],
    ["SELECT (ROW('/etc/passwd')).pg_read_file", 'pg_read_file'],
    ["SELECT CAST(pg_read_file('/etc/passwd') AS int)", 'pg_read_file'],
    ["SELECT pg_read_file('/etc/passwd')::int", 'pg_read_file'],
  ])('refuses a function with side effects however it is written: %s', async (sql, name) => {
    const text = await read(sql);
    expect(text).toContain(`${name}() is not allowed`);
  });

  // Relations that hold secrets are judged from the catalog, in the database: see readonly.test.ts
  // ('refuses relations that hold secrets or read server files') and reader.test.ts.

  it('collects the relations a read names, for the catalog check', async () => {
    const analysis = await checkRead('SELECT * FROM pg_catalog.pg_authid a JOIN s.t ON true, (SELECT 1 FROM u) x');
    expect(analysis.relations).toEqual([{ schema: 'pg_catalog', name: 'pg_authid' }, { schema: 's', name: 't' }, { name: 'u' }]);
  });

  it('reports syntax errors with the position', async () => {
    expect(await read('SELEC 1')).toMatch(
      /^Argument `sql`: is not valid SQL: syntax error at or near "SELEC" \(at character 1\)/,
    );
  });

  it('refuses SQL that holds no statement', async () => {
    expect(await read('-- only a comment')).toMatch(/holds no SQL statement/);
  });

  it('collects the functions a read calls, for the catalog check', async () => {
    const analysis = await checkRead('SELECT myschema.f(x), g(1), (t).h FROM t');
    expect(analysis.functions).toEqual([
      { schema: 'myschema', name: 'f', attribute: false },
      { name: 'g', attribute: false },
      { name: 'h', attribute: true },
    ]);
  });
});

describe('the SQL gate for postgres_explain', () => {
  it('plans writes without ANALYZE and refuses ANALYZE of a write', async () => {
    expect(await verdict(() => checkExplainable('DELETE FROM t WHERE id = $1', false))).toBeUndefined();
    expect(await verdict(() => checkExplainable('DELETE FROM t', true))).toMatch(/EXPLAIN ANALYZE would run the DELETE/);
    expect(await verdict(() => checkExplainable('SELECT * FROM t', true))).toBeUndefined();
  });

  it('refuses a statement that already starts with EXPLAIN, and DDL', async () => {
    expect(await verdict(() => checkExplainable('EXPLAIN SELECT 1', false))).toMatch(/already starts with EXPLAIN/);
    expect(await verdict(() => checkExplainable('DROP TABLE t', false))).toMatch(/only queries and INSERT/);
  });
});

describe('the SQL gate for writes on read-write connections', () => {
  const write = (sql: string) => verdict(() => checkWrite(sql, 'sql'));

  it('lets changes through, sequences and settings included', async () => {
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      "INSERT INTO t VALUES (nextval('s'))",
      'CREATE TABLE x (a int)',
      'WITH d AS (DELETE FROM t RETURNING *) INSERT INTO archive SELECT * FROM d',
      'SELECT * FROM t FOR UPDATE',
    ]) {
      expect(await write(sql), sql).toBeUndefined();
    }
  });

  it('refuses transaction control, server files and programs, and session state', async () => {
    expect(await write('COMMIT')).toMatch(/transaction control is the server's/);
    expect(await write("COPY t TO PROGRAM 'id'")).toMatch(/reaches the database host/);
    expect(await write("COPY t FROM '/etc/passwd'")).toMatch(/reaches the database host/);
    expect(await write('COPY t FROM STDIN')).toMatch(/COPY needs a client-side data stream/);
    expect(await write('ALTER SYSTEM SET work_mem = 1')).toMatch(/ALTER SYSTEM/);
    expect(await write("SELECT lo_export(1, '/tmp/x')")).toMatch(/lo_export\(\) is not allowed/);
    expect(await write("INSERT INTO t SELECT pg_read_file('/etc/passwd')")).toMatch(/pg_read_file\(\) is not allowed/);
    expect(await write('SELECT pg_terminate_backend(1)')).toMatch(/controls the server or other sessions/);
    expect(await write('PREPARE p AS SELECT 1')).toMatch(/leaves state in a pooled session/);
    expect(await write('SET search_path = evil')).toMatch(/changes the pooled session/);
  });
});
