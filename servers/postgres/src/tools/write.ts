import { defineTool, more, moreLine, moreSchema, OutputBudget, type ToolContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { PostgresServices } from '../client.js';
import { switches } from '../config.js';
import { columnLine, fitRows } from '../format.js';
import { checkWrite, describe } from '../guard.js';
import { cellSchema, columnSchema, paramsInput, sqlInput } from '../inputs.js';
import { fetchRows } from '../rows.js';
import { PIN_READING_SETTINGS } from '../settings.js';

const statementSchema = z.object({ sql: sqlInput, params: paramsInput });

export const executeTool = defineTool({
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
  async handler(args, ctx: ToolContext<PostgresServices>) {
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
    // RETURNING rows of every statement share the budget.
    const share = Math.max(256, Math.floor(ctx.budget.bytes / statements.length) - 128);
    const results = await db.write(
      ctx.signal,
      async (client) => {
        const out = [];
        for (const [index, statement] of statements.entries()) {
          try {
            // Every statement is read by the database as the checks read it, whatever the one
            // before it set (a set_config of standard_conforming_strings…).
            await client.query(PIN_READING_SETTINGS);
            const fetched = await fetchRows(client, statement.sql, statement.params, {
              budget: new OutputBudget(share),
              metrics: ctx.services.metrics,
              types: ctx.services.types(db),
              drain: true,
              reserve: 64,
            });
            out.push({ fetched, type: analyses[index]?.type ?? '' });
          } catch (error) {
            if (error instanceof Error && statements.length > 1)
              error.message = `statement ${index + 1} of ${statements.length}: ${error.message}`;
            throw error;
          }
        }
        return out;
      },
      statements.length,
    );
    const lines: string[] = [];
    const shaped = results.map(({ fetched, type }, i) => {
      const command = fetched.command ?? describe(type);
      const affected = fetched.rowCount !== undefined ? { rows_affected: fetched.rowCount } : {};
      const head = `${statements.length > 1 ? `${i + 1}. ` : ''}${command}${fetched.rowCount !== undefined ? ` — ${fetched.rowCount} row${fetched.rowCount === 1 ? '' : 's'}` : ''}`;
      if (fetched.columns.length === 0) {
        lines.push(head);
        return { command, ...affected };
      }
      const { text: body, shown } = fitRows(fetched.columns, fetched.rows, 'table', share);
      const rows = fetched.rows.slice(0, shown);
      const left = (fetched.rowCount ?? rows.length) - rows.length;
      const moreInfo = more(
        left,
        'RETURNING rows past the output budget are not shown; the changes were made. Query the table to see them.',
      );
      lines.push(`${head}\n${columnLine(fetched.columns)}\n${body}${moreLine(moreInfo, 'rows')}`);
      return { command, ...affected, columns: fetched.columns, rows, ...(moreInfo ? { more: moreInfo } : {}) };
    });
    const text = lines.join('\n');
    return { structured: { connection: db.name, committed: true, results: shaped }, text: `Committed on "${db.name}".\n${text}` };
  },
});
