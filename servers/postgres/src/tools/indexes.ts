import { formatBytes } from '@patchbay/kit';
import * as z from 'zod';
import { type Advice, type AdviceStatement, adviseIndexes, type Measured, NO_USER_TABLE } from '../advisor.js';
import { checkQuery, parseOne } from '../guard.js';
import { connectionInput, paramsInput } from '../inputs.js';
import { tool } from '../kit.js';
import { maskPasswords, statementsSource, topStatements } from '../statements.js';

/**
 * Index advice, for one query and for the recorded workload (see advisor.ts). Both only plan:
 * nothing is built, nothing of the statements runs, and the hypothetical indexes die with the
 * session, which is closed afterwards.
 */

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const percent = (before: number, after: number) => (before > 0 ? round(((before - after) / before) * 100, 1) : 0);
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const candidateSchema = z.object({
  create: z.string(),
  why: z.array(z.enum(['filter', 'join', 'sort'])),
  bytes: z.number().optional(),
  cost: z.number().optional().describe('Plan cost with this index alone'),
  gain_percent: z.number().optional(),
  used: z.boolean().optional(),
  error: z.string().optional(),
});

const recommendedSchema = z.object({
  create: z.string(),
  bytes: z.number(),
  gain_percent: z.number().describe('Share of the starting cost it saved when added'),
});

/** How long advice may search: well inside the transaction's watchdog (statements × timeout). */
const ADVICE_STATEMENTS = 16;
const deadline = (statementTimeout: number) => Date.now() + statementTimeout * (ADVICE_STATEMENTS / 2);

function hypopgNote(advice: Advice): string | undefined {
  return advice.hypopg.available ? undefined : advice.hypopg.reason;
}

export const suggestIndexesTool = tool({
  name: 'postgres_suggest_indexes',
  title: 'Suggest indexes for a query',
  description:
    "Suggest B-tree indexes for one SELECT: candidates from its plan's filter, join and sort columns, each tried as a hypothetical index (hypopg) for the plan cost with and without it; the chosen set as CREATE INDEX statements. Plans only: nothing runs or is built.",
  toolset: 'health',
  access: 'read',
  input: {
    sql: z
      .string()
      .min(1)
      .max(100_000)
      .describe('The SELECT, without EXPLAIN; $n placeholders without params get a generic plan'),
    params: paramsInput,
    min_gain_percent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe('Least plan-cost saving, in % of the cost without it, for an index to be chosen'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    hypopg: z.boolean(),
    hypopg_note: z.string().optional(),
    generic_plan: z.boolean(),
    cost: z.number().describe('Plan cost without new indexes'),
    cost_with_advice: z.number().optional(),
    recommended: z.array(recommendedSchema),
    candidates: z.array(candidateSchema),
    note: z.string().optional(),
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    db.prepare();
    const analysis = await checkQuery(args.sql);
    const generic = analysis.parameters > 0 && args.params.length === 0;
    const statement: AdviceStatement = {
      sql: args.sql,
      analysis,
      ...(generic ? {} : { params: args.params }),
      weight: 1,
    };
    const advice = await db.readUntrusted(
      ctx.signal,
      analysis,
      (client, judge) =>
        adviseIndexes(client, judge, [statement], {
          minGain: args.min_gain_percent / 100,
          maxIndexes: 5,
          deadline: deadline(ctx.services.options.statementTimeout),
          strict: true,
        }),
      { discardSession: true, statements: ADVICE_STATEMENTS },
    );
    const base = advice.statements[0]?.usage?.cost ?? advice.baseline;
    const candidates = advice.measured.map((m) => shapeCandidate(m, base));
    const recommended = advice.chosen.map((c) => ({
      create: c.measured.candidate.create,
      bytes: c.bytes,
      gain_percent: percent(advice.baseline, advice.baseline - c.gain),
    }));
    const note = hypopgNote(advice);
    const head = [
      `Plan cost ${round(base)}${generic ? ' (a generic plan: the $n placeholders were planned without values)' : ''}.`,
      ...(note ? [`${note} The candidates below come from the plan and are untested.`] : []),
      ...(advice.hypopg.available && recommended.length > 0
        ? [
            `Recommended (cost ${round(base)} → ${round(advice.final)}, −${percent(advice.baseline, advice.final)}%):`,
            ...advice.chosen.map(
              (c, i) => `  ${c.measured.candidate.create};  -- ${formatBytes(c.bytes)}, −${recommended[i]?.gain_percent}%`,
            ),
          ]
        : []),
      ...(advice.statements[0]?.skipped ? ['The query reads no user table: there is nothing to index.'] : []),
      ...(advice.hypopg.available && recommended.length === 0 && !advice.statements[0]?.skipped
        ? [
            candidates.length === 0
              ? 'No candidate index: the plan filters, joins and sorts on no column a new B-tree index would serve.'
              : `No candidate saves ${args.min_gain_percent}% of the plan cost.`,
          ]
        : []),
    ].join('\n');
    return ctx.page({
      key: 'candidates',
      fields: {
        connection: db.name,
        hypopg: advice.hypopg.available,
        ...(note ? { hypopg_note: note } : {}),
        generic_plan: generic,
        cost: round(base),
        ...(recommended.length > 0 ? { cost_with_advice: round(advice.final) } : {}),
        recommended,
      },
      items: candidates,
      head: candidates.length > 0 ? `${head}\nCandidates${advice.hypopg.available ? ' (each alone)' : ''}:` : head,
      table: {
        columns: advice.hypopg.available ? ['index', 'why', 'cost', 'gain', 'size', 'used'] : ['index', 'why'],
        cells: (c) =>
          advice.hypopg.available
            ? [
                c.create,
                c.why.join(','),
                c.cost ?? c.error ?? '',
                c.gain_percent !== undefined ? `${c.gain_percent}%` : '',
                c.bytes !== undefined ? formatBytes(c.bytes) : '',
                c.used ? 'yes' : '',
              ]
            : [c.create, c.why.join(',')],
        maxCell: 200,
      },
      empty: head,
      unit: ['candidate', 'candidates'],
    });
  },
});

function shapeCandidate(m: Measured, base: number): z.infer<typeof candidateSchema> {
  return {
    create: m.candidate.create,
    why: m.candidate.reasons,
    ...(m.bytes !== undefined ? { bytes: m.bytes } : {}),
    ...(m.costAlone !== undefined ? { cost: round(m.costAlone), gain_percent: percent(base, m.costAlone) } : {}),
    ...(m.usedAlone !== undefined ? { used: m.usedAlone } : {}),
    ...(m.error ? { error: m.error } : {}),
  };
}

/**
 * Whether a statement names a table outside the system catalogs: pg_stat_statements records this
 * server's own catalog reads and every client's, which no index of yours serves. (A CTE's name is
 * no table.)
 */
function namesUserTable(root: Record<string, unknown>): boolean {
  const ctes = new Set<string>();
  const names: Array<{ schema?: string; name: string }> = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    if (typeof node.ctename === 'string') ctes.add(node.ctename);
    if (typeof node.relname === 'string') {
      names.push({ ...(typeof node.schemaname === 'string' ? { schema: node.schemaname } : {}), name: node.relname });
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(root);
  return names.some((r) =>
    r.schema !== undefined
      ? !['pg_catalog', 'information_schema'].includes(r.schema)
      : !r.name.startsWith('pg_') && !ctes.has(r.name),
  );
}

export const suggestWorkloadIndexesTool = tool({
  name: 'postgres_suggest_workload_indexes',
  title: 'Suggest indexes for the workload',
  description:
    "Indexes for the recorded workload: the top SELECTs in pg_stat_statements, candidates from their plans, chosen greedily by Σ calls × plan cost with hypothetical indexes (hypopg) within a size budget; with each table's write load. Plans only: nothing runs or is built.",
  toolset: 'health',
  access: 'read',
  input: {
    limit: z.number().int().min(1).max(100).default(20).describe('Most SELECT statements to analyse, costliest first'),
    max_size_mb: z.number().positive().optional().describe('Size budget for all suggested indexes together, in MiB'),
    max_indexes: z.number().int().min(1).max(50).default(10).describe('Most indexes to suggest'),
    min_gain_percent: z
      .number()
      .min(0)
      .max(100)
      .default(2)
      .describe('Least saving of the weighted workload cost, in %, for an index to be chosen'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    available: z.boolean().describe('false: pg_stat_statements cannot be read; see reason'),
    reason: z.string().optional(),
    hypopg: z.boolean(),
    hypopg_note: z.string().optional(),
    workload_cost: z.number().optional().describe('Σ calls × plan cost of the statements analysed'),
    workload_cost_with_advice: z.number().optional(),
    budget_bytes: z.number().optional(),
    used_bytes: z.number().optional(),
    stopped: z.string().optional(),
    recommended: z.array(
      recommendedSchema.extend({
        table: z.string(),
        statements: z.array(z.number()).describe('Numbers of the statements whose plans use it'),
        table_writes: z.string().optional(),
      }),
    ),
    over_budget: z.array(z.object({ create: z.string(), bytes: z.number() })),
    candidates: z.number(),
    statements: z.array(
      z.object({
        n: z.number(),
        query: z.string(),
        calls: z.number(),
        mean_ms: z.number(),
        cost: z.number().optional(),
        cost_with_advice: z.number().optional(),
        skipped: z.string().optional(),
      }),
    ),
    system_statements: z.number().describe('Statements left out because they read only system catalogs'),
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    db.prepare();
    const recorded = await db.read(ctx.signal, async (client) => {
      const source = await statementsSource(client);
      if ('reason' in source) return source;
      // Most recorded statements are not SELECTs (or are this server's own catalog reads): read
      // more than asked, and keep the first `limit` SELECTs on user tables.
      return { rows: await topStatements(client, source, Math.max(200, args.limit * 5)) };
    });
    if ('reason' in recorded) {
      const hint = 'Without it, postgres_suggest_indexes still advises on one query at a time (pass the SELECT you want faster).';
      return {
        structured: {
          connection: db.name,
          available: false,
          reason: recorded.reason,
          hypopg: false,
          recommended: [],
          over_budget: [],
          candidates: 0,
          statements: [],
          system_statements: 0,
        },
        text: `${recorded.reason} ${hint}`,
      };
    }
    const statements: Array<AdviceStatement & { query: string; calls: number; mean_ms: number; skipped?: string }> = [];
    const refused: Array<{ query: string; calls: number; mean_ms: number; skipped: string }> = [];
    let system = 0;
    for (const row of recorded.rows) {
      if (statements.length + refused.length >= args.limit) break;
      const parsed = await parseOne(row.query).catch(() => undefined);
      // Not a SELECT (writes, DDL, utility statements, this advice's own EXPLAINs): not this advice's.
      if (parsed?.type !== 'SelectStmt') continue;
      if (!namesUserTable(parsed.node)) {
        system++;
        continue;
      }
      const analysis = await checkQuery(row.query).catch((error: unknown) => error as Error);
      if (analysis instanceof Error) {
        refused.push({ ...row, skipped: analysis.message.replace(/^was refused: /, 'refused: ') });
        continue;
      }
      statements.push({ sql: row.query, analysis, weight: row.calls, query: row.query, calls: row.calls, mean_ms: row.mean_ms });
    }
    const budgetBytes = args.max_size_mb !== undefined ? Math.floor(args.max_size_mb * 1024 * 1024) : undefined;
    const advice = await db.readUntrusted(
      ctx.signal,
      { functions: [], relations: [] },
      (client, judge) =>
        adviseIndexes(client, judge, statements, {
          minGain: args.min_gain_percent / 100,
          ...(budgetBytes !== undefined ? { budgetBytes } : {}),
          maxIndexes: args.max_indexes,
          deadline: deadline(ctx.services.options.statementTimeout),
          strict: false,
        }),
      { discardSession: true, statements: ADVICE_STATEMENTS },
    );
    const writesOf = (schema: string, table: string) => {
      const w = advice.writes.find((x) => x.schema === schema && x.table === table);
      if (!w) return undefined;
      const cold = w.updates - w.hotUpdates;
      return `${w.inserts} inserts, ${w.updates} updates (${w.hotUpdates} HOT), ${w.deletes} deletes since the statistics reset: each insert and each of the ${cold} non-HOT updates also writes this index`;
    };
    // Statements whose plans scan no user table (a view over the catalogs) count with the system ones.
    const numbers = new Map<number, number>();
    const shown: ShownStatement[] = [];
    statements.forEach((s, i) => {
      const outcome = advice.statements[i];
      if (outcome?.skipped === NO_USER_TABLE) {
        system++;
        return;
      }
      numbers.set(i, shown.length + 1);
      shown.push({
        n: shown.length + 1,
        query: oneLine(maskPasswords(s.query) ?? '', 1_000),
        calls: s.calls,
        mean_ms: round(s.mean_ms, 3),
        ...(outcome?.usage ? { cost: round(outcome.usage.cost) } : {}),
        ...(outcome?.finalCost !== undefined ? { cost_with_advice: round(outcome.finalCost) } : {}),
        ...(outcome?.skipped ? { skipped: outcome.skipped } : {}),
      });
    });
    for (const r of refused) {
      shown.push({
        n: shown.length + 1,
        query: oneLine(maskPasswords(r.query) ?? '', 1_000),
        calls: r.calls,
        mean_ms: round(r.mean_ms, 3),
        skipped: r.skipped,
      });
    }
    const numbered = (indexes: number[]) => indexes.map((i) => numbers.get(i) ?? i + 1);
    const recommended = advice.chosen.map((c) => {
      const writes = writesOf(c.measured.candidate.schema, c.measured.candidate.table);
      return {
        create: c.measured.candidate.create,
        table: `${c.measured.candidate.schema}.${c.measured.candidate.table}`,
        bytes: c.bytes,
        gain_percent: percent(advice.baseline, advice.baseline - c.gain),
        statements: numbered(c.statements),
        ...(writes ? { table_writes: writes } : {}),
      };
    });
    const note = hypopgNote(advice);
    const untested = !advice.hypopg.available
      ? advice.measured
          .slice()
          .sort((a, b) => weightOf(b, statements) - weightOf(a, statements))
          .slice(0, args.max_indexes)
      : [];
    const analysed = advice.statements.filter((o) => o.usage).length;
    const head = [
      analysed === 0
        ? 'pg_stat_statements holds no SELECT on a user table for this database that could be planned.'
        : `${analysed} SELECT statements analysed; weighted plan cost (Σ calls × cost) ${round(advice.baseline)}${recommended.length > 0 ? ` → ${round(advice.final)} (−${percent(advice.baseline, advice.final)}%)` : ''}.`,
      ...(note
        ? [
            `${note} Without it the costs cannot be compared; the candidates from the plans, most called first, untested:`,
            ...untested.map((m) => `  ${m.candidate.create};  -- from statements ${numbered(m.candidate.sources).join(', ')}`),
          ]
        : []),
      ...advice.chosen.map((c, i) => {
        const r = recommended[i];
        return `  ${r?.create};  -- ${formatBytes(c.bytes)}, −${r?.gain_percent}% of the workload, used by statements ${r?.statements.join(', ') || 'none'}${r?.table_writes ? `\n      writes on ${r.table}: ${r.table_writes}` : ''}`;
      }),
      ...(advice.hypopg.available && analysed > 0
        ? [
            `Stopped: ${advice.stopped}.${budgetBytes !== undefined ? ` Size: ${formatBytes(advice.chosen.reduce((s, c) => s + c.bytes, 0))} of ${formatBytes(budgetBytes)}.` : ''}`,
            ...(advice.overBudget.length > 0
              ? [
                  `Over the budget: ${advice.overBudget.map((m) => `${m.candidate.create} (${formatBytes(m.bytes ?? 0)})`).join('; ')}.`,
                ]
              : []),
          ]
        : []),
      ...(system > 0 ? [`${system} statements reading only system catalogs were left out.`] : []),
      'Statements:',
    ].join('\n');
    return ctx.page({
      key: 'statements',
      fields: {
        connection: db.name,
        available: true,
        hypopg: advice.hypopg.available,
        ...(note ? { hypopg_note: note } : {}),
        workload_cost: round(advice.baseline),
        ...(recommended.length > 0 ? { workload_cost_with_advice: round(advice.final) } : {}),
        ...(budgetBytes !== undefined ? { budget_bytes: budgetBytes } : {}),
        used_bytes: advice.chosen.reduce((s, c) => s + c.bytes, 0),
        ...(advice.stopped ? { stopped: advice.stopped } : {}),
        recommended,
        over_budget: advice.overBudget.map((m) => ({ create: m.candidate.create, bytes: m.bytes ?? 0 })),
        candidates: advice.measured.length,
        system_statements: system,
      },
      items: shown,
      head,
      table: {
        columns: ['#', 'calls', 'mean ms', 'cost', 'with advice', 'query'],
        cells: (s) => [
          s.n,
          s.calls,
          s.mean_ms,
          s.cost ?? '',
          s.cost_with_advice ?? (s.skipped ? 'skipped' : ''),
          s.skipped ? `${oneLine(s.query, 120)}  [${s.skipped}]` : oneLine(s.query, 160),
        ],
        maxCell: 300,
      },
      empty: head,
      unit: ['statement', 'statements'],
      hint: 'Lower limit to analyse fewer statements.',
    });
  },
});

interface ShownStatement {
  n: number;
  query: string;
  calls: number;
  mean_ms: number;
  cost?: number;
  cost_with_advice?: number;
  skipped?: string;
}

function weightOf(m: Measured, statements: ReadonlyArray<{ weight: number }>): number {
  return m.candidate.sources.reduce((sum, i) => sum + (statements[i]?.weight ?? 0), 0);
}

export const indexTools = [suggestIndexesTool, suggestWorkloadIndexesTool];
