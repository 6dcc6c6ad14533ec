import { jsonSize, type OutputBudget } from '@patchbay/kit';
import type { FieldDef, PoolClient, QueryResult } from 'pg';
import type { Metrics } from './database.js';
import { loadCursor } from './modules.js';
import { type Cell, cutCell, rawTypes } from './values.js';

export interface Column {
  name: string;
  /** The SQL type as PostgreSQL writes it: `integer`, `character varying(20)`, `timestamp with time zone`. */
  type: string;
}

export interface Fetched {
  columns: Column[];
  rows: Cell[][];
  /** Rows exist beyond the ones returned (the budget or max_rows stopped the read). */
  more: boolean;
  /**
   * Rows the database sent that are not returned (the rest of the batch the read stopped in): a
   * lower bound of what is left, at least 1 when `more`. The rows after them were never fetched.
   */
  unshown: number;
  /** Rows passed over to reach the offset. */
  skipped: number;
  /** Cells shortened to fit. */
  cutCells: number;
  command?: string;
  /** Rows the statement affected or returned in all; known only when the statement was read to its end. */
  rowCount?: number;
}

export interface FetchOptions {
  budget: OutputBudget;
  metrics: Metrics;
  types: TypeNames;
  offset?: number;
  maxRows?: number;
  /** Read the statement to its end (discarding rows past the budget) to learn its row count. */
  drain?: boolean;
  /** Bytes of the reply that are not rows (column list, notes). */
  reserve?: number;
}

const SKIP_BATCH = 1_000;

/**
 * Run one statement through a protocol-level cursor (one Parse/Bind, then Execute with a row
 * limit, repeatedly) and keep only the rows that fit the output budget. The database sends rows
 * in small batches sized to what is left of the budget, so a SELECT * over millions of rows costs
 * the server a few batches, not the table; the portal is closed as soon as the budget is spent.
 * The extended protocol also means the text can hold one statement only.
 */
export async function fetchRows(
  client: PoolClient,
  sql: string,
  params: readonly unknown[],
  options: FetchOptions,
): Promise<Fetched> {
  const CursorClass = await loadCursor();
  const cursor = client.query(new CursorClass(sql, params as unknown[], { rowMode: 'array', types: rawTypes }));
  const { metrics } = options;
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

    const cellLimit = Math.max(64, Math.floor(options.budget.bytes / 8));
    const kept: Cell[][] = [];
    let cutCells = 0;
    let more = false;
    let unshown = 0;
    let meter: ReturnType<OutputBudget['meter']> | undefined;
    let batch = options.maxRows !== undefined ? Math.min(64, options.maxRows + 1) : 64;
    reading: while (!done) {
      const rows = await read(batch);
      meter ??= options.budget.meter((options.reserve ?? 512) + jsonSize(fields.map((f) => f.name)) * 3);
      for (const [index, raw] of rows.entries()) {
        if (options.maxRows !== undefined && kept.length >= options.maxRows) {
          more = true;
          unshown = rows.length - index;
          break reading;
        }
        let row = raw.map((v) => cutCell(v, cellLimit));
        // A first row too big on its own is shortened further rather than dropped.
        if (kept.length === 0 && jsonSize(row.map((c) => c.value)) > meter.remaining) {
          const limit = Math.max(16, Math.floor(meter.remaining / Math.max(1, raw.length)) - 40);
          row = raw.map((v) => cutCell(v, limit));
        }
        const cells = row.map((c) => c.value);
        // Rows after the first that do not fit end the read; the next page starts at them.
        if (!meter.fits(jsonSize(cells) + 1) && kept.length > 0) {
          more = true;
          unshown = rows.length - index;
          break reading;
        }
        cutCells += row.filter((c) => c.cut).length;
        kept.push(cells);
      }
      const average = meter.used / Math.max(1, kept.length);
      batch = Math.min(1_000, Math.max(16, Math.ceil(meter.remaining / Math.max(1, average)) + 1));
      // One row past max_rows is enough to know whether there are more.
      if (options.maxRows !== undefined) batch = Math.max(1, Math.min(batch, options.maxRows - kept.length + 1));
    }
    if (options.drain) while (!done) await read(SKIP_BATCH);
    result = {
      rows: kept,
      more,
      unshown,
      skipped,
      cutCells,
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
