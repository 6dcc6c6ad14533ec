import { randomBytes } from 'node:crypto';
import { call, callError, callOk } from '@patchbay/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRead, checkWrite } from '../src/guard.js';
import { fingerprint, serverFileExists } from './harness/fingerprint.js';
import {
  adminSql,
  connect,
  createTestDatabase,
  NO_DATABASE,
  nested,
  SAME_SERVER,
  seedShop,
  type TestDatabase,
} from './helpers.js';

/**
 * The adversarial suite: SQL a hostile prompt could send, through the tools, on a connection whose
 * role is a superuser (the worst case: no privilege check in the database helps), in a database
 * with the contrib extensions whose functions run SQL given as text (tablefunc, xml2, dblink) or
 * write files (adminpack). Every attempt must fail without showing a secret, and afterwards the
 * database, the server's settings and files, and other sessions must be exactly as before.
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
  const scramRole = `pb_scram_${tag}`;
  const FDW_SECRET = `fdw-pw-${tag}`;
  const LO_SECRET = `lo-content-${tag}`;
  /** What must never appear in any answer. */
  const SECRETS = ['SCRAM-SHA-256$', FDW_SECRET, LO_SECRET, 'root:x:0:0'];

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
    // The extensions the outside review used; all four ship in postgresql-contrib.
    for (const extension of ['tablefunc', 'xml2', 'dblink', 'adminpack']) {
      await db.sql(`CREATE EXTENSION IF NOT EXISTS ${extension}`).catch((error: Error) => {
        throw new Error(`the adversarial suite needs the contrib extension ${extension} (postgresql-contrib): ${error.message}`);
      });
    }
    // Secrets to steal: a password hash, a foreign server's password, a large object's content,
    // and views that expose the hashes (one directly, one through the other, one materialized).
    await db.sql(`
      CREATE ROLE ${scramRole} PASSWORD 'pw-${tag}';
      CREATE SERVER pb_remote FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '127.0.0.1', dbname 'postgres');
      CREATE USER MAPPING FOR PUBLIC SERVER pb_remote OPTIONS (user 'postgres', password '${FDW_SECRET}');
      CREATE USER MAPPING FOR postgres SERVER pb_remote OPTIONS (user 'postgres', password '${FDW_SECRET}');
      SELECT lo_from_bytea(0, convert_to('${LO_SECRET}', 'UTF8'));
      CREATE VIEW public.hashes AS SELECT rolname, rolpassword FROM pg_catalog.pg_authid;
      CREATE VIEW public.hashes_again AS SELECT * FROM public.hashes;
      CREATE MATERIALIZED VIEW public.hashes_kept AS SELECT rolname, rolpassword FROM pg_authid;
      CREATE VIEW public.mapping_secrets AS SELECT * FROM information_schema._pg_user_mappings;
      CREATE FUNCTION public.leaky(path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.pg_read_file(path) $$;
    `);
    const [{ superuser } = { superuser: false }] = await db.sql<{ superuser: boolean }>(
      'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    expect(superuser, 'the adversarial suite must run as a superuser').toBe(true);
    canary = await db.session();
    canaryPid = (await canary.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    session = await connect([db.url, '--statement-timeout', '1500', '--lock-timeout', '500', '--toolsets', 'all']);
    // The first read sets up the role reads run as (roles, grants): that is the baseline.
    await callOk(session.client, 'postgres_query', { sql: 'SELECT 1' });
    before = await fingerprint(db, TABLES);
  });
  afterAll(async () => {
    await session?.close();
    await db?.drop();
    await adminSql(`DROP ROLE IF EXISTS ${scramRole}`).catch(() => undefined);
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
    ['a dblink write', `SELECT dblink_exec(${SAME_SERVER}, 'DELETE FROM public.victim')`],
    // SQL passed as text to extension functions marked STABLE or IMMUTABLE: no parser sees it.
    [
      'password hashes through crosstab',
      "SELECT * FROM crosstab('SELECT rolname::text, ''k''::text, rolpassword::text FROM pg_authid WHERE rolpassword IS NOT NULL') AS t(role text, hash text)",
    ],
    [
      'password hashes through xpath_table',
      "SELECT * FROM xpath_table('k', 'd', '(SELECT rolname::text AS k, ''<a>'' || rolpassword || ''</a>'' AS d FROM pg_authid WHERE rolpassword IS NOT NULL) s', '/a/text()', 'true') AS t(k text, hash text)",
    ],
    [
      'password hashes through connectby',
      "SELECT * FROM connectby('(SELECT rolpassword::text AS k, ''root''::text AS p FROM pg_authid WHERE rolpassword IS NOT NULL UNION ALL SELECT ''root'', NULL) s', 'k', 'p', 'root', 0) AS t(k text, p text, level int)",
    ],
    [
      'password hashes through dblink',
      `SELECT * FROM dblink(${SAME_SERVER}, 'SELECT rolpassword FROM pg_authid WHERE rolpassword IS NOT NULL') AS t(hash text)`,
    ],
    ['password hashes through table_to_xml', "SELECT table_to_xml('pg_catalog.pg_authid', true, false, '')"],
    [
      'password hashes through ts_rewrite',
      "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, quote_literal(rolpassword)::tsquery FROM pg_authid WHERE rolpassword IS NOT NULL')",
    ],
    [
      'a server file through crosstab',
      "SELECT * FROM crosstab('SELECT ''a''::text, ''b''::text, pg_read_file(''/etc/passwd'')') AS t(a text, b text)",
    ],
    [
      'a server file through xpath_table',
      "SELECT * FROM xpath_table('k', 'd', '(SELECT 1 AS k, ''<a>'' || replace(pg_read_file(''/etc/passwd''), ''<'', '''') || ''</a>'' AS d) s', '/a/text()', 'true') AS t(k int, f text)",
    ],
    ['a server file through dblink', `SELECT * FROM dblink(${SAME_SERVER}, 'SELECT pg_read_file(''/etc/passwd'')') AS t(f text)`],
    [
      'a program run through dblink_exec',
      `SELECT dblink_exec(${SAME_SERVER}, ${`'${nested(`COPY (SELECT 1) TO PROGRAM 'touch ${file(4)}'`)}'`})`,
    ],
    [
      'a program run through dblink_exec inside crosstab',
      `SELECT * FROM crosstab('${nested(`SELECT 'a'::text, 'b'::text, dblink_exec(${SAME_SERVER}, '${nested(`COPY (SELECT 1) TO PROGRAM 'touch ${file(5)}'`)}')`)}') AS t(a text, b text)`,
    ],
    [
      'a committed write through dblink inside crosstab',
      `SELECT * FROM crosstab('${nested(`SELECT 'a'::text, 'b'::text, dblink_exec(${SAME_SERVER}, 'DELETE FROM public.victim')`)}') AS t(a text, b text)`,
    ],
    [
      'a committed write through dblink inside xpath_table',
      `SELECT * FROM xpath_table('k', 'd', '${nested(`(SELECT 1 AS k, '<a>' || dblink_exec(${SAME_SERVER}, 'DELETE FROM public.victim') || '</a>' AS d) s`)}', '/a/text()', 'true') AS t(k int, r text)`,
    ],
    ['a server file written by adminpack', `SELECT pg_file_write('${file(6)}', 'pwned', false)`],
    [
      'a server file written by adminpack inside crosstab',
      `SELECT * FROM crosstab('${nested(`SELECT 'a'::text, 'b'::text, pg_file_write('${file(7)}', 'pwned', false)::text`)}') AS t(a text, b text)`,
    ],
    [
      'a large object exported inside crosstab',
      `SELECT * FROM crosstab('${nested(`SELECT 'a'::text, 'b'::text, lo_export((SELECT min(oid) FROM pg_largeobject_metadata), '${file(8)}')::text`)}') AS t(a text, b text)`,
    ],
    [
      'switching back to the superuser inside crosstab, then reading a file',
      `SELECT * FROM crosstab('${nested("SELECT set_config('role', 'postgres', true), 'b'::text, pg_read_file('/etc/passwd')")}') AS t(a text, b text)`,
    ],
    [
      'switching the session authorization inside crosstab, then reading a file',
      `SELECT * FROM crosstab('${nested("SELECT set_config('session_authorization', 'postgres', true), 'b'::text, pg_read_file('/etc/passwd')")}') AS t(a text, b text)`,
    ],
    ['an extension function that sleeps, untrusted like a user function', 'SELECT normal_rand(1, 0, 1)'],
    // Relations that expose secrets, found from what they read, not by their names.
    ['password hashes through a view', 'SELECT * FROM public.hashes'],
    ['password hashes through a view of a view', 'SELECT * FROM public.hashes_again'],
    ['password hashes kept in a materialized view', 'TABLE public.hashes_kept'],
    ['foreign-server passwords through _pg_user_mappings', 'SELECT * FROM information_schema._pg_user_mappings'],
    ['foreign-server passwords through a view of _pg_user_mappings', 'SELECT * FROM public.mapping_secrets'],
    ['large object contents', 'SELECT data FROM pg_catalog.pg_largeobject'],
    ['large object contents by function', 'SELECT lo_get((SELECT min(oid) FROM pg_largeobject_metadata))'],
  ];

  it.each(attacks)('refuses %s and changes nothing', async (_name, sql, params) => {
    const args = params?.map((p) => (p === 'CANARY' ? canaryPid : p));
    const outcome = await call(session.client, 'postgres_query', { sql, ...(args ? { params: args } : {}) });
    expect(outcome.isError, outcome.text).toBe(true);
    expect(outcome.text).toMatch(/^Argument `sql`: /);
    expectNoSecret(outcome.text);
    await expectUnchanged();
  });

  // The index advice plans what it is given as the read role, in a session of its own: every
  // attack is refused there too (most are not a SELECT; the rest by the same checks), and nothing
  // changes. A sleep is no attack on it: it plans the query and never runs it.
  const planned = attacks.filter(([name]) => name !== 'sleeping past the statement timeout');
  it.each(planned)('postgres_suggest_indexes refuses %s and changes nothing', async (_name, sql, params) => {
    const args = params?.map((p) => (p === 'CANARY' ? canaryPid : p));
    const outcome = await call(session.client, 'postgres_suggest_indexes', { sql, ...(args ? { params: args } : {}) });
    expect(outcome.isError, outcome.text).toBe(true);
    expect(outcome.text).toMatch(/^Argument `sql`: /);
    expectNoSecret(outcome.text);
    await expectUnchanged();
  });

  it.each([
    ['SELECT rolpassword FROM pg_authid', 'pg_authid'],
    ['SELECT * FROM pg_catalog.pg_shadow', 'pg_shadow'],
    ['SELECT * FROM pg_file_settings', 'pg_file_settings'],
    ['SELECT * FROM pg_hba_file_rules', 'pg_hba_file_rules'],
    ['SELECT stavalues1 FROM pg_catalog.pg_statistic', 'pg_statistic'],
    ['SELECT * FROM pg_catalog.pg_subscription', 'pg_subscription'],
    ['SELECT umuser FROM pg_catalog.pg_user_mapping', 'pg_user_mapping'],
  ])('refuses relations that hold secrets or read server files, judged from the catalog: %s', async (sql, name) => {
    const outcome = await call(session.client, 'postgres_query', { sql });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain(`was refused: ${name} is not readable here`);
  });

  it('never shows foreign-server passwords or large-object contents, however the catalog is asked', async () => {
    const asks = [
      'SELECT * FROM information_schema.user_mapping_options',
      'SELECT * FROM information_schema.user_mappings',
      'SELECT * FROM pg_catalog.pg_user_mappings',
      'SELECT srvname, umoptions::text FROM pg_user_mappings',
      'SELECT * FROM information_schema.foreign_server_options',
      'SELECT * FROM pg_largeobject_metadata',
    ];
    for (const sql of asks) {
      const outcome = await call(session.client, 'postgres_query', { sql });
      expectNoSecret(`${outcome.text}${JSON.stringify(outcome.structured ?? {})}`);
    }
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
      // pg_statistic holds the raw samples and is refused; pg_stats is PostgreSQL's own filtered
      // view of it, which shows a reader only the columns it may read: the read role never sees
      // pg_authid's, and when reads run with more privilege than that the view is refused too.
      const [filtered, raw] = await Promise.all(leaks.map((sql) => call(session.client, 'postgres_query', { sql })));
      expect(raw?.isError, raw?.text).toBe(true);
      expect(raw?.text).toMatch(/^Argument `sql`: was refused: pg_statistic is not readable here/);
      expect(filtered?.text).not.toContain('SCRAM-SHA-256$');
      expect(filtered?.isError, filtered?.text).toBe(false);
      expect(filtered?.structured).toMatchObject({ rows: [] });
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

  it('runs an IMMUTABLE function of yours as the read role, and never folds one into a plan as the superuser', async () => {
    // A function the operator wrote and marked IMMUTABLE passes the checks; the database still
    // runs it as the read role, which may not read files.
    const query = await call(session.client, 'postgres_query', { sql: "SELECT public.leaky('/etc/passwd')" });
    expect(query.isError).toBe(true);
    expect(query.text).toMatch(/permission denied for function pg_read_file/);
    expectNoSecret(query.text);
    // Planning a write (which the read role may not do) folds IMMUTABLE calls into constants: as
    // the superuser, that would put the file into the plan. Only built-in functions are allowed there.
    const plan = await call(session.client, 'postgres_explain', {
      sql: "DELETE FROM public.victim WHERE secret = public.leaky('/etc/passwd')",
    });
    expect(plan.isError).toBe(true);
    expect(plan.text).toMatch(/which planning a write would run with the connection role's privileges/);
    expectNoSecret(plan.text);
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

  function expectNoSecret(text: string): void {
    for (const secret of SECRETS) expect(text, `an answer showed ${secret}`).not.toContain(secret);
  }

  async function expectUnchanged(): Promise<void> {
    expect(await fingerprint(db, TABLES)).toEqual(before);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(await serverFileExists(db, file(n)), file(n)).toBe(false);
    // The other session was neither terminated nor cancelled.
    expect((await canary.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
  }
});

describe.skipIf(NO_DATABASE)('the database reads SQL text exactly as the checks do', () => {
  let db: TestDatabase;
  // With standard_conforming_strings off, the server reads \' inside '…' as an escaped quote, so
  // what the parser saw as two string literals is, to the server, one literal and a function call.
  const TWO_LITERALS = "SELECT 'a\\', ' , pg_read_file($$/etc/passwd$$) -- '";
  const AS_THE_CHECKS_READ_IT = [['a\\', ' , pg_read_file($$/etc/passwd$$) -- ']];

  beforeAll(async () => {
    db = await createTestDatabase('lexing');
    await db.sql('CREATE TABLE pair (a text, b text)');
    // What a database owner could persist through postgres_execute before this was refused.
    await db.sql(`ALTER DATABASE ${db.name} SET standard_conforming_strings = off`);
    await db.sql(`ALTER DATABASE ${db.name} SET backslash_quote = on`);
  });
  afterAll(() => db?.drop());

  it('reads a string literal as the checks did when the database default is standard_conforming_strings = off', async () => {
    const { client, close } = await connect([db.url]);
    try {
      const result = await call(client, 'postgres_query', { sql: TWO_LITERALS });
      expect(result.text).not.toContain('root:x:0:0');
      expect(result.isError, result.text).toBe(false);
      expect((result.structured as { rows: unknown }).rows).toEqual(AS_THE_CHECKS_READ_IT);
    } finally {
      await close();
    }
  });

  it('reads every statement of a write as the checks did', async () => {
    const { client, close } = await connect([db.url, '--read-write', 'main']);
    try {
      const sql = "INSERT INTO pair VALUES ('x\\' || ' , pg_read_file($$/etc/passwd$$)) -- ')";
      const result = await call(client, 'postgres_execute', { statements: [{ sql: 'SELECT 1' }, { sql }] });
      expect(result.isError, result.text).toBe(false);
      const rows = await db.sql<{ a: string; b: string | null }>('SELECT a, b FROM pair');
      expect(rows).toEqual([{ a: 'x\\ , pg_read_file($$/etc/passwd$$)) -- ', b: null }]);
    } finally {
      await close();
    }
  });

  it('refuses to change how the database reads SQL text, for a database or a role, even on a read-write connection', async () => {
    const { client, close } = await connect([db.url, '--read-write', 'main']);
    const settings = async () =>
      JSON.stringify(await db.sql('SELECT setdatabase, setrole, setconfig::text FROM pg_db_role_setting ORDER BY 1, 2'));
    const before = await settings();
    try {
      for (const sql of [
        `ALTER DATABASE ${db.name} SET standard_conforming_strings = on`,
        `ALTER DATABASE ${db.name} RESET backslash_quote`,
        'ALTER ROLE CURRENT_USER SET standard_conforming_strings TO off',
        `ALTER ROLE ALL IN DATABASE ${db.name} SET backslash_quote = on`,
        'ALTER USER postgres SET escape_string_warning = off',
        `ALTER DATABASE ${db.name} SET client_encoding = 'SJIS'`,
        "SELECT set_config('standard_conforming_strings', 'off', false)",
      ]) {
        const message = await callError(client, 'postgres_execute', { sql });
        expect(message, sql).toMatch(/^Argument `sql`: was refused: .*(how PostgreSQL reads SQL text|changes settings)/);
      }
      expect(await settings()).toBe(before);
      // Other settings of a database are an owner's to change.
      await callOk(client, 'postgres_execute', { sql: `ALTER DATABASE ${db.name} SET work_mem = '8MB'` });
      await callOk(client, 'postgres_execute', { sql: `ALTER DATABASE ${db.name} RESET work_mem` });
    } finally {
      await close();
    }
  });
});

describe('the guard refuses every function that runs SQL given as text, on any connection', () => {
  it.each([
    'crosstab',
    'crosstab2',
    'crosstab3',
    'crosstab4',
    'connectby',
    'xpath_table',
    'dblink',
    'dblink_exec',
    'dblink_open',
    'dblink_send_query',
    'query_to_xml',
    'query_to_xml_and_xmlschema',
    'cursor_to_xml',
    'table_to_xml',
    'schema_to_xml',
    'database_to_xml',
    'ts_stat',
    'ts_rewrite',
  ])('%s', async (name) => {
    await expect(checkRead(`SELECT * FROM ${name}('x')`)).rejects.toThrow(
      /runs SQL passed to it as text|opens another database session/,
    );
    await expect(checkWrite(`SELECT ${name}('x')`, 'sql')).rejects.toThrow(
      /runs SQL passed to it as text|opens another database session/,
    );
  });
});
