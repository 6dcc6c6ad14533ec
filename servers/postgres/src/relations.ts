import { ToolError } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import type { RelationName } from './guard.js';

/**
 * Which relations expose secrets, computed from the catalog rather than listed by name.
 *
 * The secrets are in the system relations PostgreSQL itself keeps from PUBLIC: `pg_authid`
 * (password hashes), `pg_user_mapping` (foreign-server passwords), `pg_largeobject`,
 * `pg_statistic` (values sampled from every table, hashes among them), `pg_subscription`
 * (connection strings), and the views that read server files (`pg_hba_file_rules`,
 * `pg_file_settings`…). A relation exposes them when it is one of them or a view whose
 * definition reads one, directly or through other views: found by following the relation OIDs in
 * each view's stored rewrite rule (pg_rewrite.ev_action), since pg_depend records no dependency
 * on the pinned system catalogs.
 *
 * PostgreSQL's own views over them that it grants to PUBLIC (`pg_roles`, `pg_stats`,
 * `pg_user_mappings`, `information_schema.user_mapping_options`…) filter what they show by the
 * reader's privileges, so they are fine for a reader that cannot read the secret catalogs
 * themselves, and refused for one that can (a superuser, a member of pg_read_all_data). Any other
 * view that exposes them (one of yours over pg_authid) runs with its owner's privileges and is
 * always refused.
 */

/** The system relations PUBLIC may not read (SQL, a subquery of OIDs). */
export const SECRET_RELATIONS_SQL = `
  SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
    AND NOT pg_catalog.has_table_privilege('public', c.oid, 'SELECT')`;

/** The relation OIDs a view's stored definition reads (one row per view and relation). */
export const VIEW_READS_SQL = `
  SELECT r.ev_class AS view, m[1]::oid AS reads
  FROM pg_catalog.pg_rewrite r CROSS JOIN LATERAL pg_catalog.regexp_matches(r.ev_action::text, ':relid (\\d+)', 'g') AS m`;

/** The secret relations of one database, found with the read plan (they are PostgreSQL's own). */
export interface SecretRelations {
  /** Every system relation PUBLIC may not read. */
  all: number[];
  /** The tables among them, whose readers see unfiltered secrets (superuser, pg_read_all_data). */
  tables: number[];
}

interface NamedRow {
  schema: string;
  name: string;
  exposes: string | null;
  published: boolean;
  readable: boolean;
  privileged: boolean;
}

/**
 * Refuse a statement that names a relation exposing secrets, as the current role (the one the
 * statement will run as). Unqualified names are resolved through the role's search path, as the
 * database will. Returns the relations outside the system schemas that the role may not read yet
 * (for the server's own read role: created after its grants were made).
 */
export async function checkRelations(
  client: PoolClient,
  relations: readonly RelationName[],
  secrets: SecretRelations,
): Promise<string[]> {
  if (relations.length === 0) return [];
  const { rows } = await client.query<NamedRow>({
    text: `WITH RECURSIVE named AS (
             SELECT DISTINCT c.oid, n.nspname AS schema, c.relname AS name
             FROM unnest($1::text[], $2::text[]) AS x(schema, name)
             JOIN pg_catalog.pg_class c ON c.relname = x.name
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE CASE WHEN x.schema IS NULL THEN n.nspname = ANY (pg_catalog.current_schemas(true)) ELSE n.nspname = x.schema END
           ), reach(root, oid) AS (
             SELECT oid, oid FROM named
             UNION
             SELECT reach.root, v.reads FROM reach JOIN (${VIEW_READS_SQL}) v ON v.view = reach.oid
           )
           SELECT named.schema, named.name,
             (SELECT string_agg(DISTINCT reach.oid::regclass::text, ', ') FROM reach
              WHERE reach.root = named.oid AND reach.oid = ANY ($3::oid[])) AS exposes,
             named.schema IN ('pg_catalog', 'information_schema') AND pg_catalog.has_table_privilege('public', named.oid, 'SELECT') AS published,
             pg_catalog.has_table_privilege(named.oid, 'SELECT') AS readable,
             EXISTS (SELECT 1 FROM unnest($4::oid[]) AS t(oid) WHERE pg_catalog.has_table_privilege(t.oid, 'SELECT')) AS privileged
           FROM named`,
    values: [relations.map((r) => r.schema ?? null), relations.map((r) => r.name), secrets.all, secrets.tables],
  });
  for (const row of rows) {
    if (row.exposes === null || (row.published && !row.privileged)) continue;
    const shown = row.schema === 'pg_catalog' ? row.name : `${row.schema}.${row.name}`;
    const what = row.exposes === shown || row.exposes === row.name ? 'it is' : `it reads ${row.exposes}, which is`;
    throw new ToolError(
      `was refused: ${shown} is not readable here: ${what} kept from PUBLIC by PostgreSQL (password hashes, foreign-server passwords, large objects, sampled values or server files).`,
      {
        argument: 'sql',
        hint: row.privileged
          ? 'Reads here run with enough privilege to see those secrets, so every view over them is refused too.'
          : 'Read the tables you need directly.',
      },
    );
  }
  return rows
    .filter((r) => !r.readable && r.schema !== 'pg_catalog' && r.schema !== 'information_schema')
    .map((r) => `${r.schema}.${r.name}`);
}
