import type { PoolClient } from 'pg';
import { catalogRows } from './catalog.js';
import type { PlanUsage, TableName } from './plan-usage.js';
import { ident } from './reader.js';

/**
 * Candidate B-tree indexes from what plans filter, join and sort on (see plan-usage.ts). Which of
 * them help is the planner's to say, with each created as a hypothetical index (advisor.ts); this
 * only proposes, generously but boundedly, in the shapes that serve a query:
 * - a scan's equality columns together (at most three), then its first range column after them
 *   (`(status, created)` for `status = $1 AND created > $2`);
 * - each filter column alone, and each column compared under an OR (a BitmapOr of two indexes);
 * - each join column (the inner side of a nested loop);
 * - a sort's columns, alone and after a scan's equality columns (an index read in order: no sort).
 * A candidate that an existing valid B-tree index already starts with is left out.
 */

export type Reason = 'filter' | 'join' | 'sort';

export interface IndexColumn {
  name: string;
  desc: boolean;
}

export interface Candidate extends TableName {
  /** Stable identity: table and columns. */
  key: string;
  columns: IndexColumn[];
  reasons: Reason[];
  /** The statements (their indexes in the workload) whose plans proposed it. */
  sources: number[];
  /** The statement the advice shows: `CREATE INDEX ON shop.orders (customer_id, created DESC)`. */
  create: string;
  /** The same for hypopg, every name quoted. */
  hypothetical: string;
}

export interface TableFacts extends TableName {
  oid: number;
  /** `schema.table` as PostgreSQL quotes it (quote_ident). */
  qualified: string;
  /** Column name → as quote_ident writes it. */
  columns: Map<string, string>;
  /** The key columns of each valid, whole-table B-tree index, in order. */
  btrees: string[][];
}

const MAX_PER_TABLE = 12;
const MAX_EQUAL = 3;

const tableKey = (t: TableName) => `${t.schema}\u0000${t.table}`;

/** What the candidates need of each table a plan reads: its columns and its B-tree indexes. */
export async function tableFacts(client: PoolClient, tables: readonly TableName[]): Promise<Map<string, TableFacts>> {
  const unique = [...new Map(tables.map((t) => [tableKey(t), t])).values()];
  const facts = new Map<string, TableFacts>();
  if (unique.length === 0) return facts;
  const rows = await catalogRows<{
    schema: string;
    table: string;
    oid: string;
    qualified: string;
    names: string[];
    quoted: string[];
  }>(
    client,
    `SELECT x.schema, x.name AS table, c.oid::int8::text AS oid,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qualified,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS names,
       ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS quoted
     FROM unnest($1::text[], $2::text[]) AS x(schema, name)
     JOIN pg_catalog.pg_namespace n ON n.nspname = x.schema
     JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = x.name AND c.relkind IN ('r', 'm')`,
    [unique.map((t) => t.schema), unique.map((t) => t.table)],
  );
  for (const row of rows) {
    facts.set(tableKey(row), {
      schema: row.schema,
      table: row.table,
      oid: Number(row.oid),
      qualified: row.qualified,
      columns: new Map(row.names.map((name, i) => [name, row.quoted[i] ?? ident(name)])),
      btrees: [],
    });
  }
  const byOid = new Map([...facts.values()].map((f) => [f.oid, f]));
  if (byOid.size === 0) return facts;
  const indexes = await catalogRows<{ table: string; columns: string[] }>(
    client,
    `SELECT i.indrelid::int8::text AS table,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
     FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam
     WHERE i.indrelid = ANY($1::oid[]) AND i.indisvalid AND am.amname = 'btree' AND i.indpred IS NULL
       AND 0 <> ALL (i.indkey::int2[])`,
    [[...byOid.keys()]],
  );
  for (const index of indexes) byOid.get(Number(index.table))?.btrees.push(index.columns);
  return facts;
}

/** Candidates from the plans of a workload (one plan for one query), each statement's index its source. */
export function candidatesFrom(usages: ReadonlyArray<PlanUsage | undefined>, facts: Map<string, TableFacts>): Candidate[] {
  const found = new Map<string, Candidate>();
  const perTable = new Map<string, number>();
  const add = (table: TableName, columns: IndexColumn[], reason: Reason, source: number) => {
    const fact = facts.get(tableKey(table));
    if (!fact || columns.length === 0) return;
    if (columns.some((c) => !fact.columns.has(c.name))) return;
    if (new Set(columns.map((c) => c.name)).size !== columns.length) return;
    // A sort served by reading an index backwards needs no DESC; only mixed directions do.
    const normal = columns.every((c) => c.desc) ? columns.map((c) => ({ ...c, desc: false })) : columns;
    if (fact.btrees.some((existing) => startsWith(existing, normal))) return;
    const key = `${tableKey(table)}\u0000${normal.map((c) => `${c.name}${c.desc ? ' desc' : ''}`).join('\u0000')}`;
    const known = found.get(key);
    if (known) {
      if (!known.reasons.includes(reason)) known.reasons.push(reason);
      if (!known.sources.includes(source)) known.sources.push(source);
      return;
    }
    const count = perTable.get(tableKey(table)) ?? 0;
    if (count >= MAX_PER_TABLE) return;
    perTable.set(tableKey(table), count + 1);
    const shown = normal.map((c) => `${fact.columns.get(c.name)}${c.desc ? ' DESC' : ''}`).join(', ');
    const quoted = normal.map((c) => `${ident(c.name)}${c.desc ? ' DESC' : ''}`).join(', ');
    found.set(key, {
      schema: fact.schema,
      table: fact.table,
      key,
      columns: normal,
      reasons: [reason],
      sources: [source],
      create: `CREATE INDEX ON ${fact.qualified} (${shown})`,
      hypothetical: `CREATE INDEX ON ${ident(fact.schema)}.${ident(fact.table)} USING btree (${quoted})`,
    });
  };
  const asc = (name: string): IndexColumn => ({ name, desc: false });

  usages.forEach((usage, source) => {
    if (!usage) return;
    for (const scan of usage.scans) {
      const equal = scan.equal.slice(0, MAX_EQUAL);
      if (equal.length > 1) add(scan, equal.map(asc), 'filter', source);
      const firstRange = scan.range[0];
      if (firstRange && equal.length > 0) add(scan, [...equal, firstRange].map(asc), 'filter', source);
      for (const column of [...scan.equal, ...scan.range, ...scan.alone]) add(scan, [asc(column)], 'filter', source);
    }
    for (const join of usage.joins) add(join, [asc(join.column)], 'join', source);
    for (const sort of usage.sorts) {
      // After equality columns an index is read in either direction too: the sort's own columns
      // decide whether it needs DESC.
      const order = sort.columns.every((c) => c.desc) ? sort.columns.map((c) => asc(c.name)) : sort.columns;
      add(sort, order, 'sort', source);
      for (const scan of usage.scans) {
        if (scan.schema !== sort.schema || scan.table !== sort.table || scan.equal.length === 0) continue;
        const equal = scan.equal.slice(0, MAX_EQUAL).filter((c) => !sort.columns.some((s) => s.name === c));
        if (equal.length > 0) add(sort, [...equal.map(asc), ...order], 'sort', source);
      }
    }
  });
  return [...found.values()];
}

/** An index on `existing` serves every query an index on `columns` would (same leading columns). */
function startsWith(existing: readonly string[], columns: readonly IndexColumn[]): boolean {
  return columns.length <= existing.length && columns.every((c, i) => existing[i] === c.name && !c.desc);
}
