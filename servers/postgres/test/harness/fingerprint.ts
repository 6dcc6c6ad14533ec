import { existsSync } from 'node:fs';
import type { TestDatabase } from '../helpers.js';

/**
 * Everything a hostile statement could change, read as the superuser: the database's objects and
 * data, roles, grants and per-role settings, server settings and configuration files, large
 * objects, sequences, replication slots, prepared transactions and advisory locks. Roles and
 * databases made by other test files running at the same time (named pb_*) are left out.
 */
export async function fingerprint(db: TestDatabase, tables: string[]): Promise<Record<string, unknown>> {
  const one = async (sql: string) => JSON.stringify(await db.sql(sql));
  const data: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await db.sql<{ digest: string; n: number }>(
      `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest, count(*)::int AS n FROM ${table} x`,
    );
    data[table] = `${row?.n}:${row?.digest}`;
  }
  return {
    data,
    relations: await one(
      `SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS r, c.relacl::text AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1`,
    ),
    functions: await one(
      `SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    ),
    sequences: await one('SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2'),
    roles: await one(
      "SELECT rolname, rolsuper, rolcanlogin, rolcreaterole FROM pg_authid WHERE rolname NOT LIKE 'pb\\_%' ORDER BY 1",
    ),
    roleSettings: await one('SELECT setdatabase, setrole, setconfig::text FROM pg_db_role_setting ORDER BY 1, 2'),
    database: await one(
      'SELECT datname, datallowconn, datconnlimit, datacl::text FROM pg_database WHERE datname = current_database()',
    ),
    settings: await one("SELECT name, setting FROM pg_settings WHERE source NOT IN ('session', 'client') ORDER BY name"),
    fileSettings: await one('SELECT sourcefile, name, setting FROM pg_file_settings ORDER BY 1, 2'),
    autoConf: await one("SELECT pg_read_file('postgresql.auto.conf') AS content"),
    extensions: await one('SELECT extname, extversion FROM pg_extension ORDER BY 1'),
    largeObjects: await one('SELECT count(*)::int AS n FROM pg_largeobject_metadata'),
    slots: await one('SELECT slot_name FROM pg_replication_slots ORDER BY 1'),
    preparedTransactions: await one('SELECT gid FROM pg_prepared_xacts ORDER BY 1'),
    advisoryLocks: await one("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'"),
    tablespaces: await one('SELECT spcname FROM pg_tablespace ORDER BY 1'),
  };
}

/** A file the attacks try to create on the database server: absent both locally and as the server sees it. */
export async function serverFileExists(db: TestDatabase, file: string): Promise<boolean> {
  const [row] = await db.sql<{ stat: unknown }>('SELECT pg_stat_file($1, true) AS stat', [file]);
  return existsSync(file) || (row?.stat ?? null) !== null;
}
