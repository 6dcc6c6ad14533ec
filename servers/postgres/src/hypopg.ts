import type { PoolClient } from 'pg';
import { catalogRows } from './catalog.js';

/**
 * Hypothetical indexes, through the hypopg extension: an index that exists only in this session's
 * memory, which the planner considers in EXPLAIN (never in a query that runs) — so advice can
 * ask the planner what an index would change without building it. Creating one writes nothing,
 * so it works in the READ ONLY transactions reads run in, as the read role, and needs no
 * privilege on the table.
 *
 * The narrow allowance: SQL from a model may not call hypopg's functions (they are an
 * extension's, and `policy.ts` refuses them by name too, since a hypothetical index outlives the
 * rollback). Only this module calls them, in fixed SQL that names the functions of the extension
 * named hypopg by the schema the catalog gives (so no function of the same name elsewhere on the
 * search path is called), with the index definition as a bind parameter — a `CREATE INDEX` the
 * advice built from catalog names, each quoted. The session that held them is closed afterwards,
 * not returned to the pool (`discardSession`), so no later plan sees them.
 */

export type HypopgStatus = { available: true; schema: string; version: string } | { available: false; reason: string };

/** Whether hypopg can be used here, by the role this transaction runs as; when not, why and how to fix it. */
export async function findHypopg(client: PoolClient): Promise<HypopgStatus> {
  const [row] = await catalogRows<{
    schema: string | null;
    quoted: string | null;
    version: string | null;
    packaged: boolean;
    major: number;
    usable: boolean | null;
    role: string;
  }>(
    client,
    `SELECT n.nspname::text AS schema, pg_catalog.quote_ident(n.nspname) AS quoted, e.extversion AS version,
       EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'hypopg') AS packaged,
       current_setting('server_version_num')::int / 10000 AS major, current_user::text AS role,
       CASE WHEN e.oid IS NOT NULL THEN pg_catalog.has_schema_privilege(n.oid, 'USAGE')
         AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_depend d
               ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.refobjid = e.oid AND d.deptype = 'e'
             WHERE p.proname = 'hypopg_create_index' AND p.pronamespace = n.oid
               AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')) END AS usable
     FROM (SELECT 1) AS one
     LEFT JOIN pg_catalog.pg_extension e ON e.extname = 'hypopg'
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace`,
  );
  if (!row) return { available: false, reason: 'the catalog did not answer' };
  if (row.schema === null || row.quoted === null || row.version === null) {
    return {
      available: false,
      reason: row.packaged
        ? 'hypopg is installed on the server but not created in this database: a superuser runs CREATE EXTENSION hypopg here (postgres_execute can, on a read-write connection).'
        : `hypopg is not installed on the server: install its package (Debian/Ubuntu: apt-get install postgresql-${row.major}-hypopg; RHEL: dnf install hypopg_${row.major}; or build it from github.com/HypoPG/hypopg), then a superuser runs CREATE EXTENSION hypopg in this database.`,
    };
  }
  if (!row.usable) {
    return {
      available: false,
      reason: `hypopg ${row.version} is installed in schema ${row.schema}, but the role reads run as ("${row.role}") may not use it: GRANT USAGE ON SCHEMA ${row.quoted} and EXECUTE on its functions to that role.`,
    };
  }
  return { available: true, schema: row.quoted, version: row.version };
}

/** The hypothetical indexes of one session, created and dropped only through fixed SQL. */
export class HypotheticalIndexes {
  constructor(private readonly schema: string) {}

  /** Create one; its OID (its plan name is `<oid>btree_…`) and its estimated size. */
  async create(client: PoolClient, definition: string): Promise<{ oid: number; bytes: number }> {
    const [row] = await catalogRows<{ oid: string; bytes: string }>(
      client,
      `SELECT h.indexrelid::int8::text AS oid, ${this.schema}.hypopg_relation_size(h.indexrelid)::int8::text AS bytes
       FROM ${this.schema}.hypopg_create_index($1::text) AS h`,
      [definition],
    );
    if (!row) throw new Error(`hypopg created no index for ${definition}`);
    return { oid: Number(row.oid), bytes: Number(row.bytes) };
  }

  async drop(client: PoolClient, oid: number): Promise<void> {
    await client.query({ text: `SELECT ${this.schema}.hypopg_drop_index($1::oid)`, values: [oid] });
  }

  /** Drop every hypothetical index of the session (the session is closed afterwards anyway). */
  async reset(client: PoolClient): Promise<void> {
    await client.query(`SELECT ${this.schema}.hypopg_reset()`);
  }
}

/** Whether a plan's index name is that of the hypothetical index `oid` (`<13556>btree_t_k`). */
export function isHypothetical(indexName: string, oid: number): boolean {
  return indexName.startsWith(`<${oid}>`);
}
