import { randomBytes } from 'node:crypto';
import { call, callOk } from '@patchbay/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, serverFileExists } from './harness/fingerprint.js';
import { connect, createTestDatabase, NO_DATABASE, seedShop, type TestDatabase } from './helpers.js';

/**
 * The adversarial suite: SQL a hostile prompt could send, through the tools, on a connection whose
 * role is a superuser (the worst case: no privilege check in the database helps). Every attempt
 * must fail, and afterwards the database, the server's settings and files, and other sessions must
 * be exactly as before.
 */
describe.skipIf(NO_DATABASE)('read-only holds against hostile SQL, as a superuser', () => {
  let db: TestDatabase;
  let canary: pg.Client;
  let canaryPid: number;
  let before: Record<string, unknown>;
  let session: Awaited<ReturnType<typeof connect>>;
  const tag = randomBytes(4).toString('hex');
  const file = (n: number) => `/tmp/pb-attack-${tag}-${n}`;
  const TABLES = ['public.victim', 'shop.customers', 'shop.orders', 'shop.products', 'shop.customer_counts'];
  let hasDblink = false;

  beforeAll(async () => {
    db = await createTestDatabase('readonly');
    await seedShop(db);
    await db.sql(`
      CREATE TABLE public.victim (id int PRIMARY KEY, secret text);
      INSERT INTO public.victim SELECT g, 'row ' || g FROM generate_series(1, 50) g;
      CREATE SEQUENCE public.counter;
      CREATE FUNCTION public.wipe() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
        BEGIN PERFORM pg_advisory_lock(7); DELETE FROM public.victim; RETURN 1; END $$;
    `);
    hasDblink = await db
      .sql('CREATE EXTENSION IF NOT EXISTS dblink')
      .then(() => true)
      .catch(() => false);
    if (!hasDblink) console.warn('dblink is not available on the test server; the dblink attack is refused by name only');
    const [{ superuser } = { superuser: false }] = await db.sql<{ superuser: boolean }>(
      'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    expect(superuser, 'the adversarial suite must run as a superuser').toBe(true);
    canary = await db.session();
    canaryPid = (await canary.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    session = await connect([db.url, '--statement-timeout', '1500', '--lock-timeout', '500', '--toolsets', 'all']);
    before = await fingerprint(db, TABLES);
  });
  afterAll(async () => {
    await session?.close();
    await db?.drop();
  });

  const attacks: Array<[string, string, unknown[]?]> = [
    ['a second statement after COMMIT', 'COMMIT; DROP TABLE public.victim'],
    ['a write after COMMIT', 'COMMIT; INSERT INTO public.victim VALUES (666, $$x$$)'],
    ['switching the transaction to read-write', 'SET TRANSACTION READ WRITE'],
    ['its own transaction', 'BEGIN; DELETE FROM public.victim; COMMIT'],
    ['END then a write', 'END; DELETE FROM public.victim'],
    ['ROLLBACK then DROP', 'ROLLBACK; DROP TABLE public.victim'],
    ['a new read-write transaction', 'START TRANSACTION READ WRITE; DELETE FROM public.victim'],
    ['session characteristics', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE'],
    ['the session default', 'SET default_transaction_read_only = off'],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM public.victim RETURNING *) SELECT * FROM d'],
    ['an INSERT hidden in a CTE', 'WITH i AS (INSERT INTO public.victim VALUES (667, $$x$$) RETURNING 1) SELECT * FROM i'],
    ['SELECT INTO', 'SELECT * INTO public.stolen FROM public.victim'],
    ['CREATE TABLE AS', 'CREATE TABLE public.stolen AS SELECT * FROM public.victim'],
    ['COPY TO PROGRAM', `COPY public.victim TO PROGRAM 'touch ${file(1)}'`],
    ['COPY FROM PROGRAM', "COPY public.victim FROM PROGRAM 'echo 999'"],
    ['COPY to a server file', `COPY (SELECT 1) TO '${file(2)}'`],
    ['pg_read_file', "SELECT pg_read_file('/etc/passwd')"],
    ['pg_read_binary_file, schema-qualified and quoted', 'SELECT "pg_catalog"."pg_read_binary_file"($1)', ['/etc/passwd']],
    ['pg_read_file through a Unicode-escaped name', 'SELECT U&"pg\\005fread\\005ffile"(\'/etc/passwd\')'],
    ['lo_import', "SELECT lo_import('/etc/passwd')"],
    ['lo_export', `SELECT lo_export(lo_from_bytea(0, 'pwned'::bytea), '${file(3)}')`],
    ['pg_ls_dir', "SELECT * FROM pg_ls_dir('.')"],
    ['set_config', "SELECT set_config('default_transaction_read_only', 'off', false)"],
    ['ALTER SYSTEM', "ALTER SYSTEM SET work_mem = '1GB'"],
    ['pg_reload_conf', 'SELECT pg_reload_conf()'],
    ['CREATE EXTENSION', 'CREATE EXTENSION IF NOT EXISTS pgcrypto'],
    ['a DO block', 'DO $$ BEGIN DELETE FROM public.victim; END $$'],
    ['PREPARE a delete', 'PREPARE p AS DELETE FROM public.victim'],
    ['EXECUTE a prepared statement', 'EXECUTE p'],
    ['a semicolon inside a comment', 'SELECT 1 /* ; */; DELETE FROM public.victim'],
    ['a semicolon inside dollar quotes', 'SELECT $$;$$; DELETE FROM public.victim'],
    ['a semicolon inside a string', "SELECT ';'; DELETE FROM public.victim"],
    ['a line comment hiding nothing', 'SELECT 1 --\n; DELETE FROM public.victim'],
    ['a function call inside a cast', "SELECT CAST(lo_import('/etc/passwd') AS text)"],
    ['a function call through :: cast', "SELECT (pg_read_file('/etc/passwd'))::int"],
    ['a function called by attribute notation', "SELECT (ROW('/etc/passwd')).pg_read_file"],
    ['terminating another session', 'SELECT pg_terminate_backend($1)', ['CANARY']],
    ['cancelling another session', 'SELECT pg_catalog.pg_cancel_backend($1)', ['CANARY']],
    ['sleeping past the statement timeout', 'SELECT pg_sleep(30)'],
    ['row locks with FOR UPDATE', 'SELECT * FROM public.victim FOR UPDATE'],
    ['row locks in a subquery', 'SELECT * FROM (SELECT * FROM public.victim FOR SHARE) s'],
    ['a session advisory lock', 'SELECT pg_advisory_lock(42)'],
    ['an advisory lock in a WHERE clause', 'SELECT id FROM public.victim WHERE pg_try_advisory_lock(id)'],
    ['advancing a sequence', "SELECT nextval('public.counter')"],
    ['setting a sequence', "SELECT setval('shop.orders_id_seq', 1000)"],
    ['SQL text run by query_to_xml', "SELECT query_to_xml('DELETE FROM public.victim RETURNING 1', true, false, '')"],
    ['SQL text run by ts_stat', "SELECT * FROM ts_stat('SELECT pg_terminate_backend(1)::text::tsvector')"],
    ['EXPLAIN ANALYZE of a DELETE', 'EXPLAIN ANALYZE DELETE FROM public.victim'],
    [
      'EXPLAIN ANALYZE of a data-modifying CTE',
      'EXPLAIN ANALYZE WITH d AS (DELETE FROM public.victim RETURNING 1) SELECT * FROM d',
    ],
    ['a VOLATILE user function that writes and locks', 'SELECT public.wipe()'],
    ['a replication slot (survives rollback)', "SELECT pg_create_physical_replication_slot('pwned')"],
    ['assigning a transaction ID', 'SELECT txid_current()'],
    ['reading password hashes', 'SELECT rolname, rolpassword FROM pg_authid'],
    ['reading password hashes through TABLE', 'TABLE pg_catalog.pg_shadow'],
    ['reading configuration files through a view', 'SELECT * FROM pg_file_settings'],
    ['LOCK TABLE', 'LOCK TABLE public.victim IN ACCESS EXCLUSIVE MODE'],
    ['VACUUM FULL', 'VACUUM FULL public.victim'],
    ['REFRESH MATERIALIZED VIEW', 'REFRESH MATERIALIZED VIEW shop.customer_counts'],
    ['CREATE ROLE', 'CREATE ROLE pwned SUPERUSER LOGIN'],
    ['ALTER ROLE settings', 'ALTER ROLE postgres SET default_transaction_read_only = off'],
    ['GRANT', 'GRANT ALL ON public.victim TO PUBLIC'],
    ['TRUNCATE', 'TRUNCATE public.victim'],
    ['NOTIFY', "NOTIFY pwned, 'x'"],
    ['CHECKPOINT', 'CHECKPOINT'],
    ['a dblink write', "SELECT dblink_exec('dbname=' || current_database(), 'DELETE FROM public.victim')"],
  ];

  it.each(attacks)('refuses %s and changes nothing', async (_name, sql, params) => {
    const args = params?.map((p) => (p === 'CANARY' ? canaryPid : p));
    const outcome = await call(session.client, 'postgres_query', { sql, ...(args ? { params: args } : {}) });
    expect(outcome.isError, outcome.text).toBe(true);
    expect(outcome.text).toMatch(/^Argument `sql`: /);
    await expectUnchanged();
  });

  it('never shows password hashes through the planner statistics sampled from pg_authid', async () => {
    const roles = [1, 2, 3].map((n) => `pb_hash_${tag}_${n}`);
    try {
      for (const role of roles) await db.sql(`CREATE ROLE ${role} PASSWORD 'pw-${role}'`);
      await db.sql('ANALYZE pg_catalog.pg_authid');
      const leaks = [
        "SELECT histogram_bounds::text, most_common_vals::text FROM pg_stats WHERE tablename = 'pg_authid' AND attname = 'rolpassword'",
        'SELECT stavalues1::text, stavalues2::text FROM pg_catalog.pg_statistic',
      ];
      for (const sql of leaks) {
        const outcome = await call(session.client, 'postgres_query', { sql });
        expect(outcome.text).not.toContain('SCRAM-SHA-256$');
        expect(outcome.isError, outcome.text).toBe(true);
        expect(outcome.text).toMatch(/^Argument `sql`: was refused: pg_stat(s|istic) is not readable here/);
      }
    } finally {
      for (const role of roles) await db.sql(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('refuses ANALYZE of a write through postgres_explain and changes nothing', async () => {
    const outcome = await call(session.client, 'postgres_explain', { sql: 'DELETE FROM public.victim', analyze: true });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/EXPLAIN ANALYZE would run the DELETE/);
    const planned = await callOk<{ tree: string }>(session.client, 'postgres_explain', { sql: 'DELETE FROM public.victim' });
    expect(planned.data.tree).toMatch(/Delete on (public\.)?victim/);
    await expectUnchanged();
  });

  it('treats parameters as values, never as SQL', async () => {
    const result = await callOk<{ rows: unknown[][] }>(session.client, 'postgres_query', {
      sql: 'SELECT $1::text AS value',
      params: ["'; DROP TABLE public.victim; --"],
    });
    expect(result.data.rows).toEqual([["'; DROP TABLE public.victim; --"]]);
    await expectUnchanged();
  });

  it('has no write tool for a read-only connection, even with every toolset on', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('postgres_execute');
  });

  async function expectUnchanged(): Promise<void> {
    expect(await fingerprint(db, TABLES)).toEqual(before);
    for (const n of [1, 2, 3]) expect(await serverFileExists(db, file(n)), file(n)).toBe(false);
    // The other session was neither terminated nor cancelled.
    expect((await canary.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
  }
});
