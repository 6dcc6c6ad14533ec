import { createHash } from 'node:crypto';
import { decodeCursor, defineTool, encodeCursor, more, moreLine, moreSchema, type ToolContext } from '@patchbay/kit';
import * as z from 'zod';
import type { PostgresServices } from '../client.js';
import { columnLine, fitRows, type RowFormat } from '../format.js';
import { checkFunctions } from '../functions.js';
import { checkRead } from '../guard.js';
import { cellSchema, columnSchema, connectionInput, paramsInput } from '../inputs.js';
import { fetchRows } from '../rows.js';

/** A page cursor: the rows already shown, tied to the query it belongs to. */
interface PageCursor extends Record<string, unknown> {
  offset: number;
  query: string;
}

function fingerprint(connection: string, sql: string, params: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([connection, sql, params]))
    .digest('base64url')
    .slice(0, 16);
}

export const queryTool = defineTool({
  name: 'postgres_query',
  title: 'Run read-only SQL',
  description:
    'Run one read-only SQL statement (SELECT, VALUES, TABLE, SHOW, EXPLAIN) with $1, $2… bind parameters. Returns the rows as a table or CSV with column types, plus structured rows, cut to the output budget with a cursor for the next page. Writes, row locks, transaction control and functions with side effects are refused; a statement timeout applies.',
  toolset: 'query',
  access: 'read',
  input: {
    sql: z.string().min(1).max(100_000).describe('One SQL statement; use $1, $2… for values'),
    params: paramsInput,
    format: z.enum(['table', 'csv']).default('table').describe('Text rendering of the rows: an aligned table, or CSV'),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('Return at most this many rows (the output budget may stop earlier)'),
    cursor: z.string().optional().describe('`more.cursor` of the previous call with the same sql and params, for the next rows'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    columns: z.array(columnSchema),
    rows: z.array(z.array(cellSchema)).describe('Rows as arrays in column order; NULL is null'),
    row_count: z.number().int().describe('Rows in this result'),
    offset: z.number().int().describe('Rows of the whole result before the first one here'),
    more: moreSchema,
    note: z.string().optional().describe('Values that were shortened to fit'),
  },
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const analysis = await checkRead(args.sql);
    const query = fingerprint(db.name, args.sql, args.params);
    const offset = args.cursor
      ? decodeCursor<PageCursor>(
          args.cursor,
          (v): v is PageCursor => Number.isInteger(v.offset) && (v.offset as number) >= 0 && v.query === query,
        ).offset
      : 0;

    const fetched = await db.read(ctx.signal, async (client) => {
      await checkFunctions(client, analysis.functions, ctx.services.options.allowFunction);
      return fetchRows(client, args.sql, args.params, {
        budget: ctx.budget,
        metrics: ctx.services.metrics,
        types: ctx.services.types(db),
        offset,
        ...(args.max_rows !== undefined ? { maxRows: args.max_rows } : {}),
      });
    });

    const header = columnLine(fetched.columns);
    const format = args.format as RowFormat;
    const { text: body, shown } = fitRows(fetched.columns, fetched.rows, format, ctx.budget.bytes - header.length - 600);
    const rows = fetched.rows.slice(0, shown);
    const cutByText = shown < fetched.rows.length;
    const hasMore = fetched.more || cutByText;
    const next = offset + shown;
    const moreInfo = hasMore
      ? more(
          cutByText ? fetched.rows.length - shown : 0,
          `Call postgres_query again with the same sql and params and this cursor for rows from ${next + 1} on` +
            ' (the query runs again, so add ORDER BY for a stable order), or narrow it with WHERE or LIMIT.',
          encodeCursor({ offset: next, query } satisfies PageCursor),
        )
      : undefined;
    const note =
      fetched.cutCells > 0
        ? `${fetched.cutCells} long values were shortened to fit the output budget; select them alone (or substr()) to read them in full.`
        : undefined;
    const pageNote =
      offset > 0 ? `rows ${offset + 1}–${offset + rows.length}` : `${rows.length} row${rows.length === 1 ? '' : 's'}`;
    const text =
      fetched.columns.length === 0
        ? `${fetched.command ?? 'Statement'} returned no columns.`
        : `${pageNote}; ${header}\n${rows.length ? body : '(no rows)'}${note ? `\n${note}` : ''}${moreLine(moreInfo, 'rows')}`;
    return {
      structured: {
        connection: db.name,
        columns: fetched.columns,
        rows,
        row_count: rows.length,
        offset,
        ...(moreInfo ? { more: moreInfo } : {}),
        ...(note ? { note } : {}),
      },
      text,
    };
  },
});
