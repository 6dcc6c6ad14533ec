import type { PoolClient } from 'pg';
import { catalogRows, HIDDEN_SCHEMAS, SYSTEM_SCHEMAS } from './catalog.js';

/**
 * The database objects besides tables: views, materialized views, functions, sequences, triggers
 * and extensions, outside the system schemas and leaving out what an extension owns (listed as
 * its extension). The server's own catalog SQL, with the filters as parameters.
 */

export const OBJECT_KINDS = ['view', 'materialized_view', 'function', 'sequence', 'trigger', 'extension'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export type Property = string | number | boolean;

export interface CatalogObject {
  schema?: string;
  name: string;
  /** For a trigger: the table it is on. */
  table?: string;
  comment?: string;
  /** A view's query, a function's signature, a trigger's CREATE TRIGGER. */
  definition?: string;
  properties: Record<string, Property>;
}

/** Not owned by an extension (the object's OID in `column`, its catalog in `catalog`). */
const notExtensionMember = (catalog: string, column: string) => `NOT EXISTS (
  SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${column} AND d.deptype = 'e')`;

const SQL: Record<ObjectKind, string> = {
  view: `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
      pg_catalog.pg_get_viewdef(c.oid) AS definition,
      jsonb_build_object('owner', pg_catalog.pg_get_userbyid(c.relowner),
        'updatable', pg_catalog.pg_relation_is_updatable(c.oid, false) & 28 = 28) AS properties
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'v' AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}) AND ($1::text IS NULL OR n.nspname = $1)
      AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
    ORDER BY 1, 2 OFFSET $2 LIMIT $3`,
  materialized_view: `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
      pg_catalog.pg_get_viewdef(c.oid) AS definition,
      jsonb_build_object('owner', pg_catalog.pg_get_userbyid(c.relowner), 'populated', c.relispopulated,
        'bytes', pg_catalog.pg_total_relation_size(c.oid), 'rows', greatest(c.reltuples, 0)::bigint,
        'indexes', (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid)) AS properties
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'm' AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}) AND ($1::text IS NULL OR n.nspname = $1)
      AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
    ORDER BY 1, 2 OFFSET $2 LIMIT $3`,
  function: `SELECT n.nspname AS schema, p.proname AS name, pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
      p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS definition,
      jsonb_build_object(
        'kind', CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' END,
        'returns', coalesce(pg_catalog.pg_get_function_result(p.oid), ''),
        'language', l.lanname,
        'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
        'security_definer', p.prosecdef, 'strict', p.proisstrict, 'owner', pg_catalog.pg_get_userbyid(p.proowner)) AS properties
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    WHERE ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}) AND ($1::text IS NULL OR n.nspname = $1)
      AND ${notExtensionMember('pg_catalog.pg_proc', 'p.oid')}
    ORDER BY 1, 2, 4 OFFSET $2 LIMIT $3`,
  sequence: `SELECT s.schemaname AS schema, s.sequencename AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
      NULL AS definition,
      jsonb_strip_nulls(jsonb_build_object('type', s.data_type::text, 'start', s.start_value::text, 'increment', s.increment_by::text,
        'min', s.min_value::text, 'max', s.max_value::text, 'cycle', s.cycle, 'last_value', s.last_value::text,
        'owned_by', (SELECT d.refobjid::regclass::text || '.' || pg_catalog.quote_ident(a.attname)
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
            AND d.deptype IN ('a', 'i') LIMIT 1),
        'owner', s.sequenceowner)) AS properties
    FROM pg_catalog.pg_sequences s
    JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
    JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
    WHERE ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}) AND ($1::text IS NULL OR n.nspname = $1)
      AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
    ORDER BY 1, 2 OFFSET $2 LIMIT $3`,
  trigger: `SELECT n.nspname AS schema, t.tgname AS name, c.relname AS table, pg_catalog.obj_description(t.oid, 'pg_trigger') AS comment,
      pg_catalog.pg_get_triggerdef(t.oid) AS definition,
      jsonb_build_object(
        'timing', CASE WHEN t.tgtype & 2 <> 0 THEN 'BEFORE' WHEN t.tgtype & 64 <> 0 THEN 'INSTEAD OF' ELSE 'AFTER' END,
        'events', array_to_string(array_remove(ARRAY[
          CASE WHEN t.tgtype & 4 <> 0 THEN 'INSERT' END, CASE WHEN t.tgtype & 16 <> 0 THEN 'UPDATE' END,
          CASE WHEN t.tgtype & 8 <> 0 THEN 'DELETE' END, CASE WHEN t.tgtype & 32 <> 0 THEN 'TRUNCATE' END], NULL), ' OR '),
        'level', CASE WHEN t.tgtype & 1 <> 0 THEN 'ROW' ELSE 'STATEMENT' END,
        'function', t.tgfoid::regproc::text,
        'enabled', CASE t.tgenabled WHEN 'O' THEN 'yes' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica only' WHEN 'A' THEN 'always' END,
        'constraint', t.tgconstraint <> 0) AS properties
    FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}) AND ($1::text IS NULL OR n.nspname = $1)
    ORDER BY 1, 3, 2 OFFSET $2 LIMIT $3`,
  extension: `SELECT n.nspname AS schema, e.extname AS name, pg_catalog.obj_description(e.oid, 'pg_extension') AS comment,
      NULL AS definition,
      jsonb_strip_nulls(jsonb_build_object('version', e.extversion,
        'latest', (SELECT a.default_version FROM pg_catalog.pg_available_extensions a WHERE a.name = e.extname AND a.default_version <> e.extversion),
        'relocatable', e.extrelocatable, 'owner', pg_catalog.pg_get_userbyid(e.extowner))) AS properties
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE ($1::text IS NULL OR n.nspname = $1)
    ORDER BY 2 OFFSET $2 LIMIT $3`,
};

export async function listObjects(
  client: PoolClient,
  kind: ObjectKind,
  filter: { schema?: string; offset: number; limit: number },
): Promise<CatalogObject[]> {
  const rows = await catalogRows<{
    schema: string | null;
    name: string;
    table?: string | null;
    comment: string | null;
    definition: string | null;
    properties: Record<string, Property | null>;
  }>(client, SQL[kind], [filter.schema ?? null, filter.offset, filter.limit]);
  return rows.map((row) => ({
    ...(row.schema !== null ? { schema: row.schema } : {}),
    name: row.name,
    ...(row.table ? { table: row.table } : {}),
    ...(row.comment ? { comment: row.comment } : {}),
    ...(row.definition ? { definition: row.definition.trim() } : {}),
    properties: Object.fromEntries(Object.entries(row.properties).filter(([, v]) => v !== null && v !== '')) as Record<
      string,
      Property
    >,
  }));
}
