import { type More, moreSchema, section, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { switches } from '../config.js';
import { columnLine, cutNote, shrinkRow } from '../format.js';
import { checkWrite, describe } from '../guard.js';
import { cellSchema, columnSchema, paramsInput, sqlInput } from '../inputs.js';
import { tool } from '../kit.js';
import { type Fetched, fetchRows, type Row } from '../rows.js';
import { PIN_READING_SETTINGS } from '../settings.js';

const statementSchema = z.object({ sql: sqlInput, params: paramsInput });

export const executeTool = tool({
  name: 'postgres_execute',
  title: 'Execute SQL that changes the database',
  description:
    'Run one statement (INSERT/UPDATE/DELETE/MERGE, DDL, GRANT…), or several in one all-or-nothing transaction, on a read-write connection. Returns rows affected and RETURNING rows.',
  toolset: 'write',
  access: 'destructive',
  input: {
    sql: z.string().min(1).max(100_000).optional().describe('One statement; values as $1, $2…'),
    params: paramsInput,
    statements: z.array(statementSchema).min(1).max(100).optional().describe('Several statements, instead of sql'),
    connection: z.string().optional().describe('Read-write connection (default: the only one)'),
  },
  output: {
    connection: z.string(),
    committed: z.boolean(),
    results: z.array(
      z.object({
        command: z.string(),
        rows_affected: z.number().optional(),
        columns: z.array(columnSchema).optional(),
        rows: z.array(z.array(cellSchema)).optional(),
        more: moreSchema,
      }),
    ),
  },
  enabled: switches.postgres_execute,
  async handler(args, ctx) {
    if ((args.sql === undefined) === (args.statements === undefined)) {
      throw new ToolError('give either `sql` (one statement) or `statements` (several), not both or neither.', {
        argument: 'sql',
      });
    }
    const statements = args.statements ?? [{ sql: args.sql as string, params: args.params }];
    const db = ctx.services.writable(args.connection);
    // Every statement is checked before any is sent, so a refusal never leaves half a change.
    const analyses = await Promise.all(
      statements.map((s, i) => checkWrite(s.sql, args.statements ? `statements[${i}].sql` : 'sql')),
    );
    const results = await db.write(
      ctx.signal,
      async (client) => {
        const out: Array<{ fetched: Fetched; type: string }> = [];
        for (const [index, statement] of statements.entries()) {
          try {
            // Every statement is read by the database as the checks read it, whatever the one
            // before it set (a set_config of standard_conforming_strings…).
            await client.query(PIN_READING_SETTINGS);
            const fetched = await fetchRows(client, statement.sql, statement.params, {
              bytes: ctx.budget.bytes,
              metrics: ctx.services.metrics,
              types: ctx.services.types(db),
              drain: true,
            });
            out.push({ fetched, type: analyses[index]?.type ?? '' });
          } catch (error) {
            // Which statement failed: the error table names its argument.
            if (error instanceof Error && statements.length > 1) {
              error.message = `statement ${index + 1} of ${statements.length}: ${error.message}`;
              Object.assign(error, { statementIndex: index });
            }
            throw error;
          }
        }
        return out;
      },
      statements.length,
    );
    // One section of RETURNING rows per statement, all under one budget; a statement without
    // rows is just its line.
    const heads = results.map(({ fetched, type }, i) => {
      const command = fetched.command ?? describe(type);
      const count = fetched.rowCount !== undefined ? ` — ${fetched.rowCount} row${fetched.rowCount === 1 ? '' : 's'}` : '';
      const columns = fetched.columns.length ? `\n${columnLine(fetched.columns)}` : '';
      return { command, text: `${statements.length > 1 ? `${i + 1}. ` : ''}${command}${count}${columns}` };
    });
    // RETURNING rows in all, per statement (a statement without columns returned none).
    const rowCounts = results.map(({ fetched }) => (fetched.columns.length ? (fetched.rowCount ?? fetched.rows.length) : 0));
    const page = ctx.page({
      sections: results.map(({ fetched }, i) =>
        section({
          key: String(i),
          items: fetched.rows,
          title: heads[i]?.text ?? '',
          empty: heads[i]?.text ?? '',
          data: (row) => row.cells,
          table: { columns: fetched.columns.map((c) => c.name), cells: (row) => row.cells, maxCell: 120 },
        }),
      ),
      fields: { connection: db.name, committed: true },
      rest: rowCounts.reduce((sum, n) => sum + n, 0) - results.reduce((sum, r) => sum + r.fetched.rows.length, 0),
      shrink: shrinkRow,
      head: `Committed on "${db.name}".`,
      tail: (shown: readonly Row[]) => cutNote(shown) ?? '',
      unit: ['row', 'rows'],
      hint: 'RETURNING rows past the output budget are not shown; the changes were made. Query the table to see them.',
    });
    // The structured result keeps one entry per statement, each with its own rows and `more`.
    const structured = page.structured as Record<string, unknown> & { more?: More };
    const shaped = results.map(({ fetched }, i) => {
      const rows = (structured[String(i)] as Row['cells'][] | undefined) ?? [];
      const more = structured.more;
      const left = (rowCounts[i] ?? 0) - rows.length;
      return {
        command: heads[i]?.command ?? '',
        ...(fetched.rowCount !== undefined ? { rows_affected: fetched.rowCount } : {}),
        ...(fetched.columns.length
          ? { columns: fetched.columns, rows, ...(more && left > 0 ? { more: { omitted: left, hint: more.hint } } : {}) }
          : {}),
      };
    });
    return { structured: { connection: db.name, committed: true, results: shaped }, text: page.text };
  },
});
