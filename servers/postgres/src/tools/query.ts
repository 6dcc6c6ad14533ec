import { cursorInput, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import { columnLine, cutNote, shrinkRow } from '../format.js';
import { checkRead } from '../guard.js';
import { cellSchema, columnSchema, connectionInput, paramsInput, sqlInput } from '../inputs.js';
import { tool } from '../kit.js';
import { fetchRows, type Row } from '../rows.js';
import { csvLine } from '../values.js';

export const queryTool = tool({
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
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    // Who reads run as is found out beside the parse (nothing is changed before the SQL passes).
    db.prepare();
    const analysis = await checkRead(args.sql);
    const { offset } = ctx.position;
    const fetched = await db.readUntrusted(ctx.signal, analysis, (client) =>
      fetchRows(client, args.sql, args.params, {
        bytes: ctx.budget.bytes,
        metrics: ctx.services.metrics,
        types: ctx.services.types(db),
        offset,
        ...(args.max_rows !== undefined ? { maxRows: args.max_rows } : {}),
      }),
    );
    const { columns } = fetched;
    if (columns.length === 0) {
      return {
        structured: { connection: db.name, columns, rows: [], row_count: 0, offset },
        text: `${fetched.command ?? 'Statement'} returned no columns.`,
      };
    }
    const names = columns.map((c) => c.name);
    const counted = (n: number) => (offset > 0 ? `rows ${offset + 1}–${offset + n}` : `${n} row${n === 1 ? '' : 's'}`);
    return ctx.page<Row>({
      key: 'rows',
      items: fetched.rows,
      // Rows the database never sent may follow: the count of what is left is then a lower bound.
      rest: fetched.more ? true : 0,
      ...(args.max_rows !== undefined ? { limit: { argument: 'max_rows', value: args.max_rows } } : {}),
      data: (row) => row.cells,
      ...(args.format === 'csv'
        ? { line: (row) => csvLine(row.cells) }
        : { table: { columns: names, cells: (row) => row.cells, maxCell: 120 } }),
      shrink: shrinkRow,
      fields: (shown) => {
        const note = cutNote(shown);
        return { connection: db.name, columns, row_count: shown.length, offset, ...(note ? { note } : {}) };
      },
      head: (shown) =>
        `${counted(shown.length)}; ${columnLine(columns)}${args.format === 'csv' && shown.length ? `\n${csvLine(names)}` : ''}`,
      tail: (shown) => cutNote(shown) ?? '',
      empty: '(no rows)',
      unit: ['row', 'rows'],
      hint: 'The query runs again for each page, so add ORDER BY for a stable order; or narrow it with WHERE or LIMIT.',
    });
  },
});
