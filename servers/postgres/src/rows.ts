import { jsonSize } from '@patchbay/kit';
import type { FieldDef, PoolClient, QueryResult } from 'pg';
import type { Metrics } from './database.js';
import { loadCursor } from './modules.js';
import { type Cell, cutCell, rawTypes } from './values.js';

export interface Column {
  name: string;
  /** The SQL type as PostgreSQL writes it: `integer`, `character varying(20)`, `timestamp with time zone`. */
  type: string;
}

/** A row as read: its values as pg parsed them, and as shown (long text values cut). */
export interface Row {
  raw: unknown[];
  cells: Cell[];
  /** Cells of this row that were cut. */
  cut: number;
}

export interface Fetched {
  columns: Column[];
  /** The rows read from the offset on: enough to fill a reply (the kit cuts them to the budget). */
  rows: Row[];
  /** The read stopped before the end: more rows exist than were read (how many is not known). */
  more: boolean;
  command?: string;
  /** Rows the statement affected or returned in all; known only when the statement was read to its end. */
  rowCount?: number;
}

export interface FetchOptions {
  /** Stop reading once the rows read fill this many bytes (as JSON): more than a reply can show. */
  bytes: number;
  metrics: Metrics;
  types: TypeNames;
  offset?: number;
  /** Read at most one row past this (to know whether more exist). */
  maxRows?: number;
  /** Read the statement to its end (discarding rows past the bound) to learn its row count. */
  drain?: boolean;
}

const SKIP_BATCH = 1_000;

/**
 * Run one statement through a protocol-level cursor (one Parse/Bind, then Execute with a row
 * limit, repeatedly) and read only as many rows as a reply could show: the database sends rows in
 * batches sized to what is still wanted, so a SELECT * over millions of rows costs the server a
 * few batches, not the table, and the portal is closed as soon as enough is read. The caller's
 * reply (`ctx.page`) decides how many of them fit. The extended protocol also means the text can
 * hold one statement only.
 */
export async function fetchRows(
  client: PoolClient,
  sql: string,
  params: readonly unknown[],
  options: FetchOptions,
): Promise<Fetched> {
  const CursorClass = await loadCursor();
  const cursor = client.query(new CursorClass(sql, params as unknown[], { rowMode: 'array', types: rawTypes }));
  const { metrics, maxRows } = options;
  let fields: FieldDef[] = [];
  let last: QueryResult | undefined;
  let done = false;
  let total = 0;

  const read = (count: number) =>
    new Promise<unknown[][]>((resolve, reject) => {
      cursor.read(count, (error, rows, result) => {
        if (error) return reject(error);
        last = result;
        if (result?.fields?.length) fields = result.fields;
        metrics.rowsFetched += rows.length;
        total += rows.length;
        if (rows.length < count) done = true;
        resolve(rows as unknown[][]);
      });
    });

  let result: Omit<Fetched, 'columns'>;
  try {
    let skipped = 0;
    const offset = options.offset ?? 0;
    while (!done && skipped < offset) skipped += (await read(Math.min(SKIP_BATCH, offset - skipped))).length;

    // One value never takes more than an eighth of a reply, so one huge cell cannot crowd out its rows.
    const cellLimit = Math.max(64, Math.floor(options.bytes / 8));
    const wanted = maxRows !== undefined ? maxRows + 1 : Number.POSITIVE_INFINITY;
    const kept: Row[] = [];
    let bytes = 0;
    let stopped = false;
    let batch = Math.min(64, wanted);
    while (!done && !stopped) {
      const rows = await read(batch);
      for (const [index, raw] of rows.entries()) {
        const row = toRow(raw, cellLimit);
        kept.push(row);
        bytes += jsonSize(row.cells) + 1;
        if (kept.length >= wanted || bytes > options.bytes) {
          // Rows left in this batch, or not yet read, may follow.
          stopped = index < rows.length - 1 || !done;
          break;
        }
      }
      const average = bytes / Math.max(1, kept.length);
      batch = Math.min(1_000, Math.max(16, Math.ceil((options.bytes - bytes) / Math.max(1, average)) + 1), wanted - kept.length);
      if (kept.length >= wanted || bytes > options.bytes) break;
    }
    if (options.drain) while (!done) await read(SKIP_BATCH);
    result = {
      rows: kept,
      more: stopped && !options.drain,
      ...(last?.command ? { command: last.command } : {}),
      // A portal read in batches reports only its last batch in the command tag; for statements
      // that return rows, the rows counted on the way are the total.
      ...(done
        ? fields.length > 0
          ? { rowCount: total }
          : typeof last?.rowCount === 'number'
            ? { rowCount: last.rowCount }
            : {}
        : {}),
    };
  } finally {
    await cursor.close().catch(() => undefined);
  }
  // Asked only now: the session runs one thing at a time and the cursor is closed.
  const columns = await options.types.resolve(client, fields);
  return { columns, ...result };
}

/** A row with its long values cut to `limit` characters. */
export function toRow(raw: unknown[], limit: number): Row {
  const cut = raw.map((v) => cutCell(v, limit));
  return { raw, cells: cut.map((c) => c.value), cut: cut.filter((c) => c.cut).length };
}

/**
 * Built-in types without a modifier, as `format_type` names them: their OIDs are fixed in every
 * PostgreSQL release, so the usual columns of a first query need no catalog round trip.
 */
const BUILT_IN: ReadonlyArray<readonly [number, string]> = [
  [16, 'boolean'],
  [17, 'bytea'],
  [20, 'bigint'],
  [21, 'smallint'],
  [23, 'integer'],
  [25, 'text'],
  [26, 'oid'],
  [114, 'json'],
  [700, 'real'],
  [701, 'double precision'],
  [1043, 'character varying'],
  [1082, 'date'],
  [1114, 'timestamp without time zone'],
  [1184, 'timestamp with time zone'],
  [1186, 'interval'],
  [1700, 'numeric'],
  [2950, 'uuid'],
  [3802, 'jsonb'],
  [1000, 'boolean[]'],
  [1005, 'smallint[]'],
  [1007, 'integer[]'],
  [1009, 'text[]'],
  [1016, 'bigint[]'],
];

/**
 * Column type names (`format_type(oid, typmod)`), cached per database: the first query of a type
 * asks the catalog once.
 */
export class TypeNames {
  private readonly cache = new Map<string, string>(BUILT_IN.map(([oid, name]) => [`${oid}:-1`, name]));

  async resolve(client: PoolClient, fields: readonly FieldDef[]): Promise<Column[]> {
    const key = (f: FieldDef) => `${f.dataTypeID}:${f.dataTypeModifier}`;
    const missing = fields.filter((f) => !this.cache.has(key(f)));
    if (missing.length > 0) {
      const { rows } = await client.query<{ oid: number; mod: number; name: string }>({
        text: 'SELECT t.oid::int AS oid, t.mod AS mod, pg_catalog.format_type(t.oid, NULLIF(t.mod, -1)) AS name FROM unnest($1::oid[], $2::int[]) AS t(oid, mod)',
        values: [missing.map((f) => f.dataTypeID), missing.map((f) => f.dataTypeModifier)],
      });
      for (const row of rows) this.cache.set(`${row.oid}:${row.mod}`, row.name);
    }
    return fields.map((f) => ({ name: f.name, type: this.cache.get(key(f)) ?? 'unknown' }));
  }
}
