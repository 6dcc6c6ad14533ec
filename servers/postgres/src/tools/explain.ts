import { jsonSize, ToolError } from '@patchbay/kit';
import type { QueryConfig } from 'pg';
import * as z from 'zod';
import type { Database } from '../database.js';
import { type Analysis, checkExplainable, parseOne } from '../guard.js';
import { connectionInput, paramsInput } from '../inputs.js';
import { tool } from '../kit.js';
import { type PlanSummary, summarisePlan } from '../plan.js';

export interface Explained extends PlanSummary {
  plan: unknown;
  analysis: Analysis;
}

/**
 * EXPLAIN a statement inside a READ ONLY transaction, as the read role. ANALYZE (which runs the
 * statement) only for reads; plain EXPLAIN also plans INSERT/UPDATE/DELETE/MERGE without running
 * them.
 */
export async function explain(
  db: Database,
  sql: string,
  params: readonly unknown[],
  analyze: boolean,
  signal: AbortSignal,
): Promise<Explained> {
  db.prepare();
  const analysis = await checkExplainable(sql, analyze);
  const options = analyze ? 'FORMAT JSON, ANALYZE, BUFFERS' : 'FORMAT JSON';
  const statement = `EXPLAIN (${options}) ${sql}`;
  // The composed text must still be exactly an EXPLAIN of the statement that was checked.
  const recheck = await parseOne(statement);
  if (recheck.type !== 'ExplainStmt') throw new ToolError('could not be explained as given.', { argument: 'sql' });
  // A write is only planned, never run, and the read role may not plan what it may not do: that
  // plan is made as the connection's role. Everything that runs is run as the read role.
  const planOnly = !analyze && analysis.explain?.type !== undefined && analysis.explain.type !== 'SelectStmt';
  const plan = await db.readUntrusted(
    signal,
    analysis,
    async (client) => {
      // Extended protocol even without params: one statement per message, whatever the text holds.
      const config = { text: statement, values: [...params], queryMode: 'extended' } as QueryConfig;
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(config);
      const raw = rows[0]?.['QUERY PLAN'];
      return typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
    },
    { planOnly },
  );
  return { ...summarisePlan(plan), plan, analysis };
}

export const explainTool = tool({
  name: 'postgres_explain',
  title: 'Explain a query plan',
  description:
    'Show the plan of one statement as a readable tree plus the JSON plan. analyze=true runs it (reads only) for actual times and rows; INSERT/UPDATE/DELETE/MERGE are planned, never run.',
  toolset: 'health',
  access: 'read',
  input: {
    sql: z.string().min(1).max(100_000).describe('The statement, without EXPLAIN'),
    params: paramsInput,
    analyze: z.boolean().default(false).describe('Run it for actual times and rows (reads only)'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    analyzed: z.boolean(),
    tree: z.string(),
    total_cost: z.number().optional(),
    planned_rows: z.number().optional(),
    actual_rows: z.number().optional(),
    planning_ms: z.number().optional(),
    execution_ms: z.number().optional(),
    plan: z.unknown().optional().describe('EXPLAIN (FORMAT JSON); absent when over the output budget'),
    note: z.string().optional(),
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const result = await explain(db, args.sql, args.params, args.analyze, ctx.signal);
    // Not a list: one plan, in two forms that share the budget. The readable tree gets at most
    // half (the part a model reads); the JSON plan comes along only whole, with the tree and 1 KiB
    // for the other fields, or not at all (a cut JSON plan is no plan).
    const tree = ctx.budget.cutText(result.tree, Math.floor(ctx.budget.bytes / 2));
    const planFits = jsonSize(result.plan) + jsonSize(tree.text) < ctx.budget.bytes - 1_024;
    const note = [
      tree.cut ? `The tree was cut (${tree.omittedLines} more lines).` : '',
      planFits ? '' : 'The JSON plan is too big for the output budget and was left out.',
    ]
      .filter(Boolean)
      .join(' ');
    return {
      structured: {
        connection: db.name,
        analyzed: args.analyze,
        tree: tree.text,
        ...(result.totalCost !== undefined ? { total_cost: result.totalCost } : {}),
        ...(result.planRows !== undefined ? { planned_rows: result.planRows } : {}),
        ...(result.actualRows !== undefined ? { actual_rows: result.actualRows } : {}),
        ...(result.planningMs !== undefined ? { planning_ms: result.planningMs } : {}),
        ...(result.executionMs !== undefined ? { execution_ms: result.executionMs } : {}),
        ...(planFits ? { plan: result.plan } : {}),
        ...(note ? { note } : {}),
      },
      text: `${tree.text}${note ? `\n${note}` : ''}`,
    };
  },
});
