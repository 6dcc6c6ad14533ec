import { createHash } from 'node:crypto';
import { decodeCursor, defineTool, encodeCursor, more, moreSchema, type ToolContext } from '@patchbay/kit';
import * as z from 'zod';
import type { PostgresServices } from '../client.js';
import { continuationLine } from '../continuation.js';
import { columnLine, fitRows, type RowFormat } from '../format.js';
import { checkRead } from '../guard.js';
import { cellSchema, columnSchema, connectionInput, cursorInput, paramsInput, sqlInput } from '../inputs.js';
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
    'Run one read-only statement (SELECT, VALUES, TABLE, SHOW or EXPLAIN) with $1… params. Rows are cut to the output budget with a cursor for the rest; writes, row locks and side-effecting functions are refused and a statement timeout applies.',
  toolset: 'query',
  access: 'read',
  input: {
    sql: sqlInput,
    params: paramsInput,
    format: z.enum(['table', 'csv']).default('table').describe('Text as aligned table or CSV'),
    max_rows: z.number().int().min(1).max(100_000).optional().describe('Most rows to return'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    columns: z.array(columnSchema),
    rows: z.array(z.array(cellSchema)),
    row_count: z.number(),
    offset: z.number(),
    more: moreSchema,
    note: z.string().optional(),
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

    const fetched = await db.readUntrusted(ctx.signal, analysis, (client) =>
      fetchRows(client, args.sql, args.params, {
        budget: ctx.budget,
        metrics: ctx.services.metrics,
        types: ctx.services.types(db),
        offset,
        ...(args.max_rows !== undefined ? { maxRows: args.max_rows } : {}),
      }),
    );

    const header = columnLine(fetched.columns);
    const format = args.format as RowFormat;
    const { text: body, shown } = fitRows(fetched.columns, fetched.rows, format, ctx.budget.bytes - header.length - 600);
    const rows = fetched.rows.slice(0, shown);
    const cutByText = shown < fetched.rows.length;
    const hasMore = fetched.more || cutByText;
    const maxRowsCut = args.max_rows !== undefined && fetched.rows.length >= args.max_rows;
    const next = offset + shown;
    // Rows fetched but not shown: exact when the read reached the end, else a lower bound (the
    // database never sent the rows after them).
    const unshown = fetched.rows.length - shown + fetched.unshown;
    const moreInfo = hasMore
      ? more(
          unshown,
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
        : `${pageNote}; ${header}\n${rows.length ? body : '(no rows)'}${note ? `\n${note}` : ''}${continuationLine(moreInfo, ['row', 'rows'], fetched.more, cutByText || !maxRowsCut ? 'output budget' : 'max_rows')}`;
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
