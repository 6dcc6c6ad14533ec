/**
 * A plan from `EXPLAIN (FORMAT JSON)` rendered as the indented tree people know from psql, so one
 * EXPLAIN gives both the readable view and the JSON (running an ANALYZE twice would double its cost).
 */
type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

export interface PlanSummary {
  tree: string;
  totalCost?: number;
  planRows?: number;
  actualRows?: number;
  planningMs?: number;
  executionMs?: number;
}

const DETAIL_KEYS = [
  'Index Cond',
  'Recheck Cond',
  'Hash Cond',
  'Merge Cond',
  'Join Filter',
  'Filter',
  'Rows Removed by Filter',
  'Rows Removed by Join Filter',
  'Rows Removed by Index Recheck',
  'Sort Key',
  'Sort Method',
  'Group Key',
  'Presorted Key',
  'Cache Key',
  'One-Time Filter',
  'Workers Planned',
  'Workers Launched',
  'Heap Blocks',
  'Subplan Name',
];

export function summarisePlan(explain: unknown): PlanSummary {
  const top = (Array.isArray(explain) ? explain[0] : explain) as Record<string, unknown> | undefined;
  const plan = top?.Plan as PlanNode | undefined;
  if (!plan) return { tree: '(no plan)' };
  const lines: string[] = [];
  walk(plan, 0, lines);
  const planning = top?.['Planning Time'];
  const execution = top?.['Execution Time'];
  if (typeof planning === 'number') lines.push(`Planning Time: ${planning.toFixed(3)} ms`);
  if (typeof execution === 'number') lines.push(`Execution Time: ${execution.toFixed(3)} ms`);
  return {
    tree: lines.join('\n'),
    ...(typeof plan['Total Cost'] === 'number' ? { totalCost: plan['Total Cost'] } : {}),
    ...(typeof plan['Plan Rows'] === 'number' ? { planRows: plan['Plan Rows'] } : {}),
    ...(typeof plan['Actual Rows'] === 'number' ? { actualRows: plan['Actual Rows'] } : {}),
    ...(typeof planning === 'number' ? { planningMs: planning } : {}),
    ...(typeof execution === 'number' ? { executionMs: execution } : {}),
  };
}

function walk(node: PlanNode, depth: number, lines: string[]): void {
  const pad = depth === 0 ? '' : `${'      '.repeat(depth - 1)}  ->  `;
  const detailPad = depth === 0 ? '  ' : `${'      '.repeat(depth - 1)}        `;
  lines.push(`${pad}${label(node)}  ${numbers(node)}`);
  for (const key of DETAIL_KEYS) {
    const value = node[key];
    if (value === undefined || value === null || (key.startsWith('Rows Removed') && value === 0)) continue;
    lines.push(`${detailPad}${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  const buffers = bufferLine(node);
  if (buffers) lines.push(`${detailPad}${buffers}`);
  for (const child of node.Plans ?? []) walk(child, depth + 1, lines);
}

function label(node: PlanNode): string {
  let type = String(node['Node Type'] ?? 'Node');
  if (type === 'ModifyTable' && typeof node.Operation === 'string') type = node.Operation;
  const join = node['Join Type'];
  if (typeof join === 'string' && join !== 'Inner' && /Join|Nested Loop/.test(type)) {
    type = type === 'Nested Loop' ? `Nested Loop ${join} Join` : type.replace(/Join$/, `${join} Join`);
  }
  const strategy = node.Strategy;
  if (type === 'Aggregate' && typeof strategy === 'string' && strategy !== 'Plain') {
    type = { Hashed: 'HashAggregate', Sorted: 'GroupAggregate', Mixed: 'MixedAggregate' }[strategy] ?? type;
  }
  if (node['Parallel Aware'] === true) type = `Parallel ${type}`;
  const parts = [type];
  if (node['Index Name']) parts.push(`using ${node['Index Name']}`);
  if (node['Relation Name']) {
    const schema = node.Schema ? `${node.Schema}.` : '';
    const alias = node.Alias && node.Alias !== node['Relation Name'] ? ` ${node.Alias}` : '';
    parts.push(`on ${schema}${node['Relation Name']}${alias}`);
  } else if (node['Function Name']) {
    parts.push(`on ${node['Function Name']}`);
  } else if (node['CTE Name']) {
    parts.push(`on ${node['CTE Name']}`);
  }
  return parts.join(' ');
}

function numbers(node: PlanNode): string {
  const cost = `(cost=${fixed(node['Startup Cost'])}..${fixed(node['Total Cost'])} rows=${node['Plan Rows']} width=${node['Plan Width']})`;
  if (node['Actual Loops'] === undefined) return cost;
  if (node['Actual Loops'] === 0) return `${cost} (never executed)`;
  return `${cost} (actual time=${fixed(node['Actual Startup Time'], 3)}..${fixed(node['Actual Total Time'], 3)} rows=${node['Actual Rows']} loops=${node['Actual Loops']})`;
}

function bufferLine(node: PlanNode): string | undefined {
  const hit = node['Shared Hit Blocks'];
  const read = node['Shared Read Blocks'];
  if (typeof hit !== 'number' || typeof read !== 'number' || hit + read === 0) return undefined;
  return `Buffers: shared hit=${hit} read=${read}`;
}

function fixed(value: unknown, digits = 2): string {
  return typeof value === 'number' ? value.toFixed(digits) : '?';
}
