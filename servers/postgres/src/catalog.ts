import { ToolError } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import { loadPg } from './modules.js';

/**
 * What the schema tools, the table resources and the prompts read from the system catalogs. All
 * of it is the server's own SQL with bind parameters, run in the same READ ONLY transactions as
 * everything else.
 */

/** Catalog rows with pg's default parsing (arrays as arrays); SQL casts keep numbers JSON-exact. */
export async function catalogRows<T>(client: PoolClient, text: string, values: unknown[] = []): Promise<T[]> {
  const pg = await loadPg();
  const result = await client.query({ text, values, types: pg.types });
  return result.rows as T[];
}

export const KINDS: Record<string, string> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

/** Every relkind a model can query or describe. */
export const RELATION_KINDS = Object.keys(KINDS);

/** Schemas a user never asks about: temporary and TOAST schemas of every session. */
export const HIDDEN_SCHEMAS = "n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
export const SYSTEM_SCHEMAS = "n.nspname IN ('pg_catalog', 'information_schema')";

export interface SchemaRow {
  name: string;
  owner: string;
  tables: number;
  views: number;
  materialized_views: number;
  comment?: string;
}

export async function listSchemas(client: PoolClient, includeSystem: boolean): Promise<SchemaRow[]> {
  const rows = await catalogRows<SchemaRow & { comment: string | null }>(
    client,
    `SELECT n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       count(c.oid) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables,
       count(c.oid) FILTER (WHERE c.relkind = 'v')::int AS views,
       count(c.oid) FILTER (WHERE c.relkind = 'm')::int AS materialized_views,
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment
     FROM pg_catalog.pg_namespace n
     LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
     WHERE ${HIDDEN_SCHEMAS} AND ($1 OR NOT (${SYSTEM_SCHEMAS}))
     GROUP BY n.oid ORDER BY n.nspname`,
    [includeSystem],
  );
  return rows.map(({ comment, ...row }) => (comment ? { ...row, comment } : row));
}

export interface TableRow {
  schema: string;
  name: string;
  kind: string;
  rows?: number;
  bytes?: number;
  comment?: string;
}

export async function listTables(
  client: PoolClient,
  filter: { schema?: string; kinds: string[]; includeSystem: boolean; offset: number; limit: number; prefix?: string },
): Promise<TableRow[]> {
  const rows = await catalogRows<{
    schema: string;
    name: string;
    kind: string;
    rows: number | null;
    bytes: number | null;
    comment: string | null;
  }>(
    client,
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       CASE WHEN c.relkind = 'p' THEN (SELECT sum(GREATEST(pc.reltuples, 0)) FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class pc ON pc.oid = t.relid)::float8
            WHEN c.reltuples >= 0 THEN c.reltuples::float8
            ELSE (SELECT s.n_live_tup FROM pg_catalog.pg_stat_all_tables s WHERE s.relid = c.oid)::float8 END AS rows,
       CASE WHEN c.relkind = 'p' THEN (SELECT sum(pg_catalog.pg_total_relation_size(t.relid)) FROM pg_catalog.pg_partition_tree(c.oid) t)::float8
            WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_total_relation_size(c.oid)::float8 END AS bytes,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = ANY($1::"char"[]) AND NOT c.relispartition AND ${HIDDEN_SCHEMAS}
       AND ($2::text IS NULL OR n.nspname = $2) AND ($3 OR $2::text IS NOT NULL OR NOT (${SYSTEM_SCHEMAS}))
       AND ($6::text IS NULL OR starts_with(c.relname, $6))
     ORDER BY n.nspname, c.relname OFFSET $4 LIMIT $5`,
    [filter.kinds, filter.schema ?? null, filter.includeSystem, filter.offset, filter.limit, filter.prefix ?? null],
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    kind: KINDS[r.kind] ?? r.kind,
    ...(r.rows !== null ? { rows: Math.round(r.rows) } : {}),
    ...(r.bytes !== null ? { bytes: r.bytes } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
  }));
}

/** `schema.table`, `"My Schema"."My Table"`, or `table` → its parts, unquoted. */
export function splitName(value: string): { schema?: string; name: string; quoted: boolean } | undefined {
  const part = '(?:"((?:[^"]|"")+)"|([^."\\s]+))';
  const match = new RegExp(`^\\s*${part}(?:\\.${part})?\\s*$`).exec(value);
  if (!match) return undefined;
  const unquote = (q?: string, bare?: string) => (q !== undefined ? q.replace(/""/g, '"') : bare);
  const first = unquote(match[1], match[2]) as string;
  const second = unquote(match[3], match[4]);
  const quoted = value.includes('"');
  return second === undefined ? { name: first, quoted } : { schema: first, name: second, quoted };
}

export interface ResolvedTable {
  oid: number;
  schema: string;
  name: string;
  kind: string;
}

/**
 * Find a relation by the name a model gave: exact first, then folded to lower case the way
 * PostgreSQL folds unquoted names. Several schemas with that table: the one on the search path,
 * else ask which.
 */
export async function resolveTable(client: PoolClient, table: string, schema: string | undefined): Promise<ResolvedTable> {
  const parts = splitName(table);
  if (!parts) throw new ToolError(`"${table}" is not a table name.`, { argument: 'table', hint: 'Give name or schema.name.' });
  const wantedSchema = parts.schema ?? schema;
  const rows = await catalogRows<{ oid: number; schema: string; name: string; kind: string; on_path: boolean }>(
    client,
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       n.nspname = ANY(current_schemas(true)) AS on_path
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND (c.relname = $1 OR (NOT $3 AND c.relname = lower($1)))
       AND ($2::text IS NULL OR n.nspname = $2 OR (NOT $3 AND n.nspname = lower($2)))
     ORDER BY c.relname = $1 DESC, on_path DESC, n.nspname`,
    [parts.name, wantedSchema ?? null, parts.quoted],
  );
  const exact = rows.filter((r) => r.name === rows[0]?.name);
  const onPath = exact.filter((r) => r.on_path);
  const chosen = wantedSchema !== undefined || exact.length === 1 ? exact[0] : onPath.length === 1 ? onPath[0] : undefined;
  if (!chosen) {
    if (exact.length > 1) {
      throw new ToolError(`"${table}" exists in several schemas: ${exact.map((r) => r.schema).join(', ')}.`, {
        argument: 'table',
        hint: 'Qualify it as schema.table.',
      });
    }
    const similar = await catalogRows<{ name: string }>(
      client,
      `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS})
       ORDER BY (c.relname ILIKE '%' || $1 || '%') DESC, abs(length(c.relname) - length($1)), 1 LIMIT 5`,
      [parts.name.toLowerCase()],
    );
    throw new ToolError(`no table, view or materialized view "${table}"${wantedSchema ? ` in schema "${wantedSchema}"` : ''}.`, {
      argument: 'table',
      hint: similar.length ? `Similar: ${similar.map((s) => s.name).join(', ')}.` : 'List them with postgres_list_tables.',
    });
  }
  return { oid: chosen.oid, schema: chosen.schema, name: chosen.name, kind: KINDS[chosen.kind] ?? chosen.kind };
}

export interface TableDescription {
  schema: string;
  name: string;
  kind: string;
  comment?: string;
  rows?: number;
  bytes?: number;
  columns: Array<{
    name: string;
    type: string;
    nullable: boolean;
    default?: string;
    identity?: string;
    generated?: string;
    comment?: string;
  }>;
  primary_key?: string[];
  /** Definitions as PostgreSQL writes them (`FOREIGN KEY (a) REFERENCES s.t(id) ON DELETE CASCADE`). */
  foreign_keys: Array<{ name: string; definition: string }>;
  /** Foreign keys of other tables that point here. */
  referenced_by: Array<{ name: string; table: string; definition: string }>;
  indexes: Array<{ name: string; definition: string; valid: boolean; bytes: number }>;
  /** Check, unique and exclusion constraints. */
  constraints: Array<{ name: string; definition: string }>;
  /** CREATE TRIGGER statements. */
  triggers: string[];
  partition_key?: string;
  partition_of?: string;
  definition?: string;
}

/** Everything about one relation, from a handful of catalog queries. */
export async function describeTable(client: PoolClient, table: ResolvedTable): Promise<TableDescription> {
  const [info] = await catalogRows<{
    comment: string | null;
    rows: number | null;
    bytes: number | null;
    partition_key: string | null;
    partition_of: string | null;
    definition: string | null;
  }>(
    client,
    `SELECT pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::float8 ELSE (SELECT s.n_live_tup FROM pg_catalog.pg_stat_all_tables s WHERE s.relid = c.oid)::float8 END AS rows,
       CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_catalog.pg_total_relation_size(c.oid)::float8 END AS bytes,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       (SELECT i.inhparent::regclass::text FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition LIMIT 1) AS partition_of,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END AS definition
     FROM pg_catalog.pg_class c WHERE c.oid = $1`,
    [table.oid],
  );
  const columns = await catalogRows<{
    name: string;
    type: string;
    not_null: boolean;
    default: string | null;
    identity: string;
    generated: string;
    comment: string | null;
  }>(
    client,
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment
     FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table.oid],
  );
  const constraints = await catalogRows<{ name: string; type: string; definition: string; columns: string[] }>(
    client,
    `SELECT con.conname AS name, con.contype::text AS type, pg_catalog.pg_get_constraintdef(con.oid, true) AS definition,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
     FROM pg_catalog.pg_constraint con WHERE con.conrelid = $1 AND con.contype IN ('p', 'f', 'c', 'u', 'x') ORDER BY con.contype, con.conname`,
    [table.oid],
  );
  const referencedBy = await catalogRows<TableDescription['referenced_by'][number]>(
    client,
    `SELECT con.conname AS name, con.conrelid::regclass::text AS table, pg_catalog.pg_get_constraintdef(con.oid, true) AS definition
     FROM pg_catalog.pg_constraint con WHERE con.confrelid = $1 AND con.contype = 'f' ORDER BY 2, 1`,
    [table.oid],
  );
  const indexes = await catalogRows<TableDescription['indexes'][number]>(
    client,
    `SELECT ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid,
       pg_catalog.pg_relation_size(i.indexrelid)::float8 AS bytes
     FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = $1 ORDER BY i.indisprimary DESC, ic.relname`,
    [table.oid],
  );
  const triggers = await catalogRows<{ definition: string }>(
    client,
    `SELECT pg_catalog.pg_get_triggerdef(t.oid, true) AS definition
     FROM pg_catalog.pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY t.tgname`,
    [table.oid],
  );

  const primary = constraints.find((c) => c.type === 'p');
  const named = (type: string) =>
    constraints.filter((c) => type.includes(c.type)).map(({ name, definition }) => ({ name, definition }));
  return {
    schema: table.schema,
    name: table.name,
    kind: table.kind,
    ...(info?.comment ? { comment: info.comment } : {}),
    ...(info?.rows !== null && info?.rows !== undefined ? { rows: Math.round(info.rows) } : {}),
    ...(info?.bytes !== null && info?.bytes !== undefined ? { bytes: info.bytes } : {}),
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: !c.not_null,
      ...(c.default !== null && c.generated === '' ? { default: c.default } : {}),
      ...(c.identity ? { identity: c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT' } : {}),
      ...(c.generated ? { generated: c.default ?? '' } : {}),
      ...(c.comment ? { comment: c.comment } : {}),
    })),
    ...(primary ? { primary_key: primary.columns } : {}),
    foreign_keys: named('f'),
    referenced_by: referencedBy,
    indexes,
    constraints: named('cux'),
    triggers: triggers.map((t) => t.definition),
    ...(info?.partition_key ? { partition_key: info.partition_key } : {}),
    ...(info?.partition_of ? { partition_of: info.partition_of } : {}),
    ...(info?.definition ? { definition: info.definition.trim() } : {}),
  };
}

/** The description as compact text: what a person would want to read, no empty sections. */
export function renderDescription(d: TableDescription, formatBytes: (n: number) => string): string {
  const parts = descriptionParts(d, formatBytes);
  return [parts.head, ...d.columns.map(parts.column), parts.tail].filter(Boolean).join('\n');
}

/**
 * The description in three parts — what comes before the columns, one line per column, and what
 * comes after — so a very wide table can be paged by its columns.
 */
export function descriptionParts(
  d: TableDescription,
  formatBytes: (n: number) => string,
): { head: string; column: (c: TableDescription['columns'][number]) => string; tail: string } {
  const head: string[] = [];
  const facts = [d.kind, d.rows !== undefined ? `~${d.rows} rows` : '', d.bytes !== undefined ? formatBytes(d.bytes) : '']
    .filter(Boolean)
    .join(', ');
  head.push(`${d.schema}.${d.name} (${facts})${d.comment ? ` — ${d.comment}` : ''}`);
  if (d.partition_of) head.push(`partition of ${d.partition_of}`);
  if (d.partition_key) head.push(`partitioned by ${d.partition_key}`);
  head.push('columns:');
  const column = (c: TableDescription['columns'][number]) => {
    const extras = [
      c.nullable ? '' : 'not null',
      c.default !== undefined ? `default ${c.default}` : '',
      c.identity ? `identity ${c.identity}` : '',
      c.generated !== undefined ? `generated as ${c.generated}` : '',
      d.primary_key?.length === 1 && d.primary_key[0] === c.name ? 'primary key' : '',
    ].filter(Boolean);
    return `  ${c.name} ${c.type}${extras.length ? ` ${extras.join(', ')}` : ''}${c.comment ? ` — ${c.comment}` : ''}`;
  };
  const lines: string[] = [];
  if (d.primary_key && d.primary_key.length > 1) lines.push(`primary key: (${d.primary_key.join(', ')})`);
  // `FOREIGN KEY (a) REFERENCES s.t(id)` reads as `(a) → s.t(id)`.
  const arrow = (definition: string) => definition.replace(/^FOREIGN KEY /, '').replace(' REFERENCES ', ' → ');
  if (d.foreign_keys.length) {
    lines.push('foreign keys:');
    for (const f of d.foreign_keys) lines.push(`  ${arrow(f.definition)}`);
  }
  if (d.referenced_by.length) {
    lines.push('referenced by:');
    for (const r of d.referenced_by) lines.push(`  ${r.table}${arrow(r.definition)}`);
  }
  if (d.indexes.length) {
    lines.push('indexes:');
    for (const i of d.indexes)
      lines.push(`  ${i.definition.replace(/ USING btree/, '')}${i.valid ? '' : ' INVALID'} (${formatBytes(i.bytes)})`);
  }
  if (d.constraints.length) {
    lines.push('constraints:');
    for (const c of d.constraints) lines.push(`  ${c.name}: ${c.definition}`);
  }
  if (d.triggers.length) {
    lines.push('triggers:');
    for (const t of d.triggers) lines.push(`  ${t}`);
  }
  if (d.definition) lines.push(`definition:\n  ${d.definition.replace(/\n/g, '\n  ')}`);
  return { head: head.join('\n'), column, tail: lines.join('\n') };
}

export interface SearchHit {
  schema: string;
  table: string;
  kind: string;
  column?: string;
  type?: string;
}

/** Tables and columns whose name contains `text` (case-insensitive). */
export async function searchSchema(
  client: PoolClient,
  text: string,
  options: { includeSystem: boolean; offset: number; limit: number; what: 'all' | 'tables' | 'columns' },
): Promise<SearchHit[]> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await catalogRows<{ schema: string; table: string; kind: string; column: string | null; type: string | null }>(
    client,
    `SELECT * FROM (
       SELECT n.nspname AS schema, c.relname AS table, c.relkind::text AS kind, NULL::text AS column, NULL::text AS type, 0 AS rank
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE $4 <> 'columns' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND c.relname ILIKE $1
         AND ${HIDDEN_SCHEMAS} AND ($2 OR NOT (${SYSTEM_SCHEMAS}))
       UNION ALL
       SELECT n.nspname, c.relname, c.relkind::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), 1
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE $4 <> 'tables' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
         AND a.attname ILIKE $1 AND ${HIDDEN_SCHEMAS} AND ($2 OR NOT (${SYSTEM_SCHEMAS}))
     ) hits ORDER BY rank, schema, "table", "column" OFFSET $3 LIMIT $5`,
    [pattern, options.includeSystem, options.offset, options.what, options.limit],
  );
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    kind: KINDS[r.kind] ?? r.kind,
    ...(r.column !== null ? { column: r.column } : {}),
    ...(r.type !== null ? { type: r.type } : {}),
  }));
}
