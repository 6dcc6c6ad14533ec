import { isToolError, ToolError } from '@patchbay/kit';
import type { PoolClient, QueryConfig, QueryResult } from 'pg';
import { type Candidate, candidatesFrom, type TableFacts, tableFacts } from './candidates.js';
import { catalogRows } from './catalog.js';
import type { Judge } from './database.js';
import { type Analysis, parseOne } from './guard.js';
import { findHypopg, type HypopgStatus, HypotheticalIndexes, isHypothetical } from './hypopg.js';
import { type PlanUsage, planUsage, type TableName } from './plan-usage.js';

/**
 * Index advice: which indexes would make a query, or a workload of queries, cheaper to run, by
 * the planner's own estimate. Candidates come from the plans (candidates.ts); each is created as a
 * hypothetical index (hypopg.ts) and the statements on its table planned again. The chosen set is
 * built greedily: the candidate that lowers the workload's weighted cost (Σ calls × plan cost) the
 * most is added, the rest are measured again with it in place, and so on until no candidate
 * lowers the cost by `minGain` of the starting cost, the size budget leaves room for none, or
 * `maxIndexes` are chosen. Gains are re-measured lazily: a candidate's last gain bounds its next
 * (an index rarely helps more once others exist), so only the most promising is planned again
 * each round until one keeps its lead.
 *
 * All of it runs in one READ ONLY transaction as the role reads run as; the statements are SQL
 * from a model (or from pg_stat_statements), judged like any other, and only planned: EXPLAIN
 * without ANALYZE. A statement with $n placeholders and no values is planned generically
 * (PREPARE, then EXPLAIN EXECUTE with NULLs under plan_cache_mode = force_generic_plan), which
 * on PostgreSQL 15 is the only way to plan it without inventing values.
 */

export interface AdviceStatement {
  sql: string;
  analysis: Analysis;
  /** Values for $n (a query given with params); none: planned generically when it has placeholders. */
  params?: readonly unknown[];
  /** How much its cost counts: its calls, for a workload. */
  weight: number;
}

export interface AdviceOptions {
  /** The least share (0–1) of the starting weighted cost a chosen index must save. */
  minGain: number;
  /** The most bytes the chosen indexes may take together, by hypopg's estimate. */
  budgetBytes?: number;
  maxIndexes: number;
  /** Stop choosing (with what was chosen) past this time (Date.now()). */
  deadline: number;
  /** One query: a statement that cannot be planned fails the call instead of being skipped. */
  strict: boolean;
}

export interface StatementOutcome {
  /** Its plan, before any index; undefined when it was skipped. */
  usage?: PlanUsage;
  skipped?: string;
  /** Plan cost with the chosen indexes. */
  finalCost?: number;
}

export interface Measured {
  candidate: Candidate;
  /** hypopg's estimate of its size. */
  bytes?: number;
  /** Weighted cost saved with this index alone. */
  gainAlone?: number;
  /** For one query: its plan cost with this index alone, and whether the plan used it. */
  costAlone?: number;
  usedAlone?: boolean;
  error?: string;
}

export interface Chosen {
  measured: Measured;
  bytes: number;
  /** Weighted cost it saved when added, with the ones before it in place. */
  gain: number;
  /** The statements whose final plans use it. */
  statements: number[];
}

export interface TableWrites extends TableName {
  inserts: number;
  updates: number;
  hotUpdates: number;
  deletes: number;
  liveRows: number;
}

export interface Advice {
  hypopg: HypopgStatus;
  statements: StatementOutcome[];
  measured: Measured[];
  chosen: Chosen[];
  /** Σ weight × cost before and with the chosen indexes. */
  baseline: number;
  final: number;
  /** Why the search stopped choosing. */
  stopped: string;
  /** Useful candidates the size budget left out. */
  overBudget: Measured[];
  writes: TableWrites[];
}

const SAVEPOINT = 'patchbay_advice';
/** The skip reason of a statement whose plan scans no user table. */
export const NO_USER_TABLE = 'it reads no user table';

/** Plan the statements, propose candidates, and choose among them with hypothetical indexes. */
export async function adviseIndexes(
  client: PoolClient,
  judge: Judge,
  statements: readonly AdviceStatement[],
  options: AdviceOptions,
): Promise<Advice> {
  const planner = new Planner(client);
  const hypopg = await findHypopg(client);
  // Only EXECUTE of the statements this transaction prepares is affected.
  await client.query('SET LOCAL plan_cache_mode = force_generic_plan');

  const outcomes: StatementOutcome[] = [];
  for (const statement of statements) {
    if (options.strict) {
      outcomes.push({ usage: await planUsage(await planner.explain(statement)) });
      continue;
    }
    outcomes.push(
      await guarded(client, async () => {
        await judge(statement.analysis);
        return { usage: await planUsage(await planner.explain(statement)) };
      }).then(
        (outcome) => outcome,
        (error: unknown) => ({ skipped: reasonOf(error) }),
      ),
    );
  }
  for (const outcome of outcomes) {
    if (outcome.usage && outcome.usage.tables.length === 0) {
      outcome.skipped = NO_USER_TABLE;
      delete outcome.usage;
    }
  }
  const usages = outcomes.map((o) => o.usage);
  const facts = await tableFacts(
    client,
    usages.flatMap((u) => u?.tables ?? []),
  );
  const candidates = candidatesFrom(usages, facts);
  const baseCost = outcomes.map((o) => o.usage?.cost ?? 0);
  const weight = statements.map((s) => s.weight);
  const baseline = baseCost.reduce((sum, cost, i) => sum + cost * (weight[i] ?? 0), 0);
  const writes = await tableWrites(client, candidates, facts);
  const measured: Measured[] = candidates.map((candidate) => ({ candidate }));
  const advice: Advice = {
    hypopg,
    statements: outcomes,
    measured,
    chosen: [],
    baseline,
    final: baseline,
    stopped: '',
    overBudget: [],
    writes,
  };
  if (!hypopg.available || candidates.length === 0) {
    advice.stopped = !hypopg.available ? 'hypopg is not available' : 'no candidate index';
    return advice;
  }

  const hypothetical = new HypotheticalIndexes(hypopg.schema);
  const touches = (m: Measured, i: number) =>
    outcomes[i]?.usage?.tables.some((t) => t.schema === m.candidate.schema && t.table === m.candidate.table) === true;
  const onTable = (m: Measured) => statements.map((_, i) => i).filter((i) => touches(m, i));
  const current = [...baseCost];

  /** The plan costs of the statements on its table with `m` added to what exists now. */
  const measure = async (m: Measured): Promise<{ costs: Map<number, number>; used: Set<number> } | undefined> => {
    const created = await guarded(client, () => hypothetical.create(client, m.candidate.hypothetical)).catch((error: unknown) => {
      m.error = reasonOf(error);
      return undefined;
    });
    if (!created) return undefined;
    m.bytes = created.bytes;
    const costs = new Map<number, number>();
    const used = new Set<number>();
    // A plan that fails (rarely: it was planned once already) drops this candidate, not the call;
    // the hypothetical index is dropped after the rollback either way (hypopg is not transactional).
    const planned = await guarded(client, async () => {
      for (const i of onTable(m)) {
        const usage = await planUsage(await planner.explain(statements[i] as AdviceStatement));
        costs.set(i, usage.cost);
        if (usage.indexes.some((name) => isHypothetical(name, created.oid))) used.add(i);
      }
      return true;
    }).catch((error: unknown) => {
      if (options.strict) throw error;
      m.error = reasonOf(error);
      return false;
    });
    await hypothetical.drop(client, created.oid);
    return planned ? { costs, used } : undefined;
  };
  const gainOf = (costs: Map<number, number>) =>
    [...costs].reduce((sum, [i, cost]) => sum + Math.max(0, (current[i] ?? 0) - cost) * (weight[i] ?? 0), 0);

  // Each candidate alone: its gain bounds every later one.
  const bound = new Map<Measured, { gain: number; round: number; costs: Map<number, number> }>();
  for (const m of measured) {
    if (Date.now() > options.deadline) break;
    const result = await measure(m);
    if (!result) continue;
    m.gainAlone = gainOf(result.costs);
    if (options.strict) {
      m.costAlone = result.costs.get(0);
      m.usedAlone = result.used.has(0);
    }
    if (m.gainAlone > 0) bound.set(m, { gain: m.gainAlone, round: 0, costs: result.costs });
  }

  const threshold = Math.max(options.minGain * baseline, Number.EPSILON);
  let used = 0;
  let round = 0;
  const oids = new Map<number, Chosen>();
  const fits = (m: Measured) => options.budgetBytes === undefined || used + (m.bytes ?? 0) <= options.budgetBytes;
  for (;;) {
    if (advice.chosen.length >= options.maxIndexes) {
      advice.stopped = `max_indexes (${options.maxIndexes}) reached`;
      break;
    }
    if (Date.now() > options.deadline) {
      advice.stopped = 'the time for advice ran out (the statement timeout) before the search ended';
      break;
    }
    // The biggest gain first; of equal gains, the smaller index.
    const open = [...bound]
      .filter(([m]) => fits(m))
      .sort((a, b) => b[1].gain - a[1].gain || (a[0].bytes ?? 0) - (b[0].bytes ?? 0));
    const top = open[0];
    if (!top || top[1].gain < threshold) {
      const blocked = [...bound].filter(([m, b]) => !fits(m) && b.gain >= threshold);
      advice.overBudget = blocked.map(([m]) => m);
      advice.stopped =
        blocked.length > 0 && (!top || top[1].gain < threshold)
          ? 'the size budget leaves no room for the next useful index'
          : 'no further index saves the minimum gain';
      break;
    }
    const [m, last] = top;
    if (last.round < round) {
      // Measured before the last choice: measure again with the chosen indexes in place.
      const result = await measure(m);
      const gain = result ? gainOf(result.costs) : 0;
      if (gain <= 0 || !result) bound.delete(m);
      else bound.set(m, { gain, round, costs: result.costs });
      continue;
    }
    // It kept its lead with a fresh measure: keep it (hypothetically) for the rest of the search.
    const { oid } = await hypothetical.create(client, m.candidate.hypothetical);
    for (const [i, cost] of last.costs) current[i] = Math.min(current[i] ?? cost, cost);
    used += m.bytes ?? 0;
    bound.delete(m);
    const chosen: Chosen = { measured: m, bytes: m.bytes ?? 0, gain: last.gain, statements: [] };
    advice.chosen.push(chosen);
    oids.set(oid, chosen);
    round++;
  }

  // The final plans, with every chosen index in place: their costs and which index each uses.
  if (advice.chosen.length > 0) {
    for (const [i, statement] of statements.entries()) {
      if (!outcomes[i]?.usage) continue;
      const usage = await planUsage(await planner.explain(statement));
      (outcomes[i] as StatementOutcome).finalCost = usage.cost;
      for (const [oid, chosen] of oids) {
        if (usage.indexes.some((name) => isHypothetical(name, oid))) chosen.statements.push(i);
      }
    }
    advice.final = outcomes.reduce((sum, o, i) => sum + (o.finalCost ?? o.usage?.cost ?? 0) * (weight[i] ?? 0), 0);
  }
  await hypothetical.reset(client);
  return advice;
}

/** EXPLAIN (FORMAT JSON, VERBOSE) of one statement, as given or generically. */
class Planner {
  private count = 0;
  private readonly checked = new Set<string>();

  constructor(private readonly client: PoolClient) {}

  async explain(statement: AdviceStatement): Promise<unknown> {
    if (statement.analysis.parameters > 0 && statement.params === undefined) return this.explainGeneric(statement);
    const text = `EXPLAIN (FORMAT JSON, VERBOSE) ${statement.sql}`;
    await this.recheck(text, 'ExplainStmt');
    // Extended protocol even without params: one statement per message, whatever the text holds.
    const config = { text, values: [...(statement.params ?? [])], queryMode: 'extended' } as QueryConfig;
    return planOf(await this.client.query(config));
  }

  private async explainGeneric(statement: AdviceStatement): Promise<unknown> {
    const name = `patchbay_advice_${++this.count}`;
    const prepare = `PREPARE ${name} AS ${statement.sql}`;
    await this.recheck(prepare, 'PrepareStmt');
    await this.client.query({ text: prepare, values: [], queryMode: 'extended' } as QueryConfig);
    const nulls = Array.from({ length: statement.analysis.parameters }, () => 'NULL').join(', ');
    // A prepared statement is not transactional: deallocated in the same round trip.
    const results = (await this.client.query(
      `EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE ${name}(${nulls}); DEALLOCATE ${name}`,
    )) as unknown as QueryResult[];
    return planOf(results[0] as QueryResult);
  }

  /** The composed text must still be exactly one statement of the kind composed, around what was checked. */
  private async recheck(text: string, type: string): Promise<void> {
    if (this.checked.has(text)) return;
    const parsed = await parseOne(text);
    const inner = (parsed.node.query as Record<string, unknown> | undefined) ?? {};
    if (parsed.type !== type || Object.keys(inner)[0] !== 'SelectStmt') {
      throw new ToolError('could not be planned as given.', { argument: 'sql' });
    }
    this.checked.add(text);
  }
}

function planOf(result: QueryResult): unknown {
  const raw = (result.rows[0] as Record<string, unknown> | undefined)?.['QUERY PLAN'];
  return typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
}

/** Run `work` under a savepoint: a failure is rolled back to it and rethrown, and the transaction goes on. */
async function guarded<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const result = await work();
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return result;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
    throw error;
  }
}

/**
 * Why a statement was skipped, for the report: a refusal of the checks or the database's error.
 * Anything else (the read role's grants are missing, a lost session) is the whole call's.
 */
function reasonOf(error: unknown): string {
  if (isToolError(error)) return error.message.replace(/^was refused: /, 'refused: ');
  const pg = error as { code?: unknown; message?: unknown };
  if (typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code)) return `${String(pg.message)} [SQLSTATE ${pg.code}]`;
  throw error;
}

/** Writes since the statistics were reset on each table a candidate indexes: what an index adds to. */
async function tableWrites(client: PoolClient, candidates: Candidate[], facts: Map<string, TableFacts>): Promise<TableWrites[]> {
  const oids = [
    ...new Set(
      candidates.map((c) => facts.get(`${c.schema}\u0000${c.table}`)?.oid).filter((oid): oid is number => oid !== undefined),
    ),
  ];
  if (oids.length === 0) return [];
  return catalogRows<TableWrites>(
    client,
    `SELECT s.schemaname::text AS schema, s.relname::text AS table, s.n_tup_ins::float8 AS inserts,
       s.n_tup_upd::float8 AS updates, s.n_tup_hot_upd::float8 AS "hotUpdates", s.n_tup_del::float8 AS deletes,
       s.n_live_tup::float8 AS "liveRows"
     FROM pg_catalog.pg_stat_all_tables s WHERE s.relid = ANY($1::oid[]) ORDER BY 1, 2`,
    [oids],
  );
}
