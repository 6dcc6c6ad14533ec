import { loadParser } from './modules.js';

/**
 * Which columns a plan filters, joins and sorts on, read from `EXPLAIN (FORMAT JSON, VERBOSE)`:
 * the raw material of index advice. The conditions in a plan are expressions PostgreSQL deparsed
 * (`((o.status = ANY ('{1,2}'::text[])) AND (o.created > $1))`), every column qualified by the
 * alias of its scan under VERBOSE; they are parsed with PostgreSQL's own parser (the SQL guard's
 * libpg-query), never matched with patterns, and each column is traced to the table its alias
 * scans. What is not a plain column (an expression, a subquery's output) is left out.
 */

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
type Node = Record<string, unknown>;

export interface TableName {
  schema: string;
  table: string;
}

/** One scan of a table and the columns its conditions compare with a value. */
export interface ScanUse extends TableName {
  alias: string;
  /** `col = value`, `col = ANY (…)`, `col IS NULL`, a boolean column: all in one AND. */
  equal: string[];
  /** `col < value`, `>`, `<=`, `>=`, `LIKE 'prefix%'`. */
  range: string[];
  /** Columns compared only under an OR: each could use an index of its own (a BitmapOr). */
  alone: string[];
}

export interface SortUse extends TableName {
  columns: Array<{ name: string; desc: boolean }>;
}

export interface JoinUse extends TableName {
  column: string;
}

export interface PlanUsage {
  /** The top node's total cost, in the planner's units. */
  cost: number;
  scans: ScanUse[];
  joins: JoinUse[];
  sorts: SortUse[];
  /** The names of the indexes the plan uses (a hypothetical one's is `<oid>btree_…`). */
  indexes: string[];
  /** Every user table the plan scans. */
  tables: TableName[];
}

const CONDITION_KEYS = ['Filter', 'Index Cond', 'Recheck Cond', 'Hash Cond', 'Merge Cond', 'Join Filter'];
const EQUAL_OPS = new Set(['=']);
const RANGE_OPS = new Set(['<', '<=', '>', '>=', '~~']);
const SYSTEM = new Set(['pg_catalog', 'information_schema']);

/** The top plan of an EXPLAIN (FORMAT JSON) result, and its total cost. */
export function topPlan(explain: unknown): { plan: PlanNode; cost: number } | undefined {
  const top = (Array.isArray(explain) ? explain[0] : explain) as Record<string, unknown> | undefined;
  const plan = top?.Plan as PlanNode | undefined;
  if (!plan) return undefined;
  return { plan, cost: typeof plan['Total Cost'] === 'number' ? plan['Total Cost'] : Number(plan['Total Cost'] ?? 0) };
}

/** The columns of user tables an EXPLAIN (FORMAT JSON, VERBOSE) plan reads by condition and order. */
export async function planUsage(explain: unknown): Promise<PlanUsage> {
  const found = topPlan(explain);
  if (!found) return { cost: 0, scans: [], joins: [], sorts: [], indexes: [], tables: [] };
  const nodes: PlanNode[] = [];
  const collect = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) collect(child);
  };
  collect(found.plan);

  // Every alias that scans a table. EXPLAIN names each range table entry uniquely across the
  // whole statement (a self-join's second `o` is `o_1`), so an alias names one table.
  const tables = new Map<string, TableName>();
  for (const node of nodes) {
    const relation = node['Relation Name'];
    const alias = node.Alias;
    const schema = node.Schema;
    if (typeof relation === 'string' && typeof alias === 'string' && typeof schema === 'string' && !SYSTEM.has(schema)) {
      tables.set(alias, { schema, table: relation });
    }
  }

  const usage: PlanUsage = {
    cost: found.cost,
    scans: [],
    joins: [],
    sorts: [],
    indexes: [],
    tables: [...new Map([...tables.values()].map((t) => [`${t.schema}\u0000${t.table}`, t])).values()],
  };
  const joinSeen = new Set<string>();
  const addJoin = (ref: ColumnRefName) => {
    const table = tables.get(ref.alias);
    const key = `${ref.alias}.${ref.column}`;
    if (!table || joinSeen.has(key)) return;
    joinSeen.add(key);
    usage.joins.push({ ...table, column: ref.column });
  };

  for (const node of nodes) {
    if (typeof node['Index Name'] === 'string') usage.indexes.push(node['Index Name']);
    const own = typeof node.Alias === 'string' && tables.has(node.Alias) ? node.Alias : undefined;
    const scan: ScanUse | undefined = own
      ? { ...(tables.get(own) as TableName), alias: own, equal: [], range: [], alone: [] }
      : undefined;
    for (const key of CONDITION_KEYS) {
      const text = node[key];
      if (typeof text !== 'string') continue;
      const expression = await parseExpression(text);
      if (!expression) continue;
      for (const c of comparisons(expression, own)) {
        if (c.kind === 'join') {
          addJoin(c.left);
          addJoin(c.right);
        } else if (scan && c.column.alias === own) {
          const list = c.underOr ? scan.alone : c.kind === 'equal' ? scan.equal : scan.range;
          if (!list.includes(c.column.column)) list.push(c.column.column);
        } else if (c.kind === 'equal' && tables.has(c.column.alias)) {
          // A parameterised inner scan compares with an outer column: as good as a join.
          addJoin(c.column);
        }
      }
    }
    if (scan && scan.equal.length + scan.range.length + scan.alone.length > 0) usage.scans.push(scan);
    const sortKeys = node['Sort Key'];
    if (Array.isArray(sortKeys) && sortKeys.length > 0) {
      const sort = await sortColumns(sortKeys.map(String), tables);
      if (sort) usage.sorts.push(sort);
    }
  }
  return usage;
}

interface ColumnRefName {
  alias: string;
  column: string;
}

type Comparison =
  | { kind: 'equal' | 'range'; column: ColumnRefName; underOr: boolean }
  | { kind: 'join'; left: ColumnRefName; right: ColumnRefName };

/**
 * A deparsed plan condition as a parse tree, or undefined when it is not SQL. EXPLAIN writes a
 * subplan as `(hashed SubPlan 1)` or `(alternatives: SubPlan 1 or hashed SubPlan 2)` — notation,
 * not SQL — so those stand in as NULL, which no index serves, before parsing.
 */
async function parseExpression(text: string): Promise<Node | undefined> {
  const sql = text
    .replace(/\(alternatives: [^()]*\)/g, 'NULL')
    .replace(/\((?:hashed )?SubPlan \d+\)/g, 'NULL')
    .replace(/\b(?:hashed )?SubPlan \d+\b/g, 'NULL');
  try {
    const { parse } = await loadParser();
    const tree = (await parse(`SELECT ${sql}`)) as { stmts?: Array<{ stmt?: Node }> };
    const select = tree.stmts?.[0]?.stmt?.SelectStmt as Node | undefined;
    const target = (select?.targetList as Node[] | undefined)?.[0]?.ResTarget as Node | undefined;
    return (target?.val as Node | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The column a side of a comparison is (through casts), qualified by `own` when it is bare. */
function columnOf(node: Node | undefined, own: string | undefined): ColumnRefName | undefined {
  let current = node;
  while (current?.TypeCast) current = (current.TypeCast as Node).arg as Node | undefined;
  const ref = current?.ColumnRef as Node | undefined;
  if (!ref) return undefined;
  const parts = ((ref.fields as Node[] | undefined) ?? []).map((f) => (f.String as Node | undefined)?.sval);
  if (parts.some((p) => typeof p !== 'string')) return undefined;
  if (parts.length === 2) return { alias: parts[0] as string, column: parts[1] as string };
  if (parts.length === 1 && own) return { alias: own, column: parts[0] as string };
  return undefined;
}

/** The aliases an expression mentions (to tell a value from a comparison between two tables). */
function aliasesIn(node: unknown, own: string | undefined, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) aliasesIn(item, own, out);
  } else if (node && typeof node === 'object') {
    const ref = (node as Node).ColumnRef as Node | undefined;
    if (ref) {
      const column = columnOf(node as Node, own);
      if (column) out.add(column.alias);
    }
    for (const value of Object.values(node as Node)) aliasesIn(value, own, out);
  }
  return out;
}

function comparisons(expression: Node, own: string | undefined, underOr = false): Comparison[] {
  const out: Comparison[] = [];
  const bool = expression.BoolExpr as Node | undefined;
  if (bool) {
    if (bool.boolop === 'NOT_EXPR') {
      const column = columnOf((bool.args as Node[] | undefined)?.[0], own);
      if (column) out.push({ kind: 'equal', column, underOr });
      return out;
    }
    const nested = underOr || bool.boolop === 'OR_EXPR';
    for (const arg of (bool.args as Node[] | undefined) ?? []) out.push(...comparisons(arg, own, nested));
    return out;
  }
  const nullTest = expression.NullTest as Node | undefined;
  if (nullTest) {
    const column = columnOf(nullTest.arg as Node, own);
    if (column && nullTest.nulltesttype === 'IS_NULL') out.push({ kind: 'equal', column, underOr });
    return out;
  }
  const bare = columnOf(expression, own);
  if (bare) {
    // A boolean column as the whole condition (`WHERE active`).
    out.push({ kind: 'equal', column: bare, underOr });
    return out;
  }
  const op = expression.A_Expr as Node | undefined;
  if (!op) return out;
  const name = String(((op.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval ?? '');
  const anyArray = op.kind === 'AEXPR_OP_ANY';
  if (op.kind !== 'AEXPR_OP' && !anyArray) return out;
  const left = op.lexpr as Node | undefined;
  const right = op.rexpr as Node | undefined;
  const leftColumn = columnOf(left, own);
  const rightColumn = anyArray ? undefined : columnOf(right, own);
  if (leftColumn && rightColumn) {
    if (EQUAL_OPS.has(name) && leftColumn.alias !== rightColumn.alias)
      out.push({ kind: 'join', left: leftColumn, right: rightColumn });
    return out;
  }
  const [column, other] = leftColumn ? [leftColumn, right] : [rightColumn, left];
  if (!column) return out;
  // The other side must be a value: no column of the same scan (`a.x < a.y` is no index condition).
  if (aliasesIn(other, own).has(column.alias)) return out;
  if (EQUAL_OPS.has(name)) out.push({ kind: 'equal', column, underOr });
  else if (!anyArray && RANGE_OPS.has(name)) out.push({ kind: 'range', column, underOr });
  return out;
}

/** The leading sort keys that are plain columns of one table, with their direction. */
async function sortColumns(keys: string[], tables: Map<string, TableName>): Promise<SortUse | undefined> {
  const columns: Array<{ name: string; desc: boolean }> = [];
  let alias: string | undefined;
  for (const key of keys) {
    let by: Node | undefined;
    try {
      const { parse } = await loadParser();
      const tree = (await parse(`SELECT 1 ORDER BY ${key}`)) as { stmts?: Array<{ stmt?: Node }> };
      const select = tree.stmts?.[0]?.stmt?.SelectStmt as Node | undefined;
      by = (select?.sortClause as Node[] | undefined)?.[0]?.SortBy as Node | undefined;
    } catch {
      break;
    }
    const column = columnOf(by?.node as Node | undefined, undefined);
    if (!column || (alias !== undefined && column.alias !== alias)) break;
    alias = column.alias;
    columns.push({ name: column.column, desc: by?.sortby_dir === 'SORTBY_DESC' });
  }
  const table = alias ? tables.get(alias) : undefined;
  return table && columns.length > 0 ? { ...table, columns } : undefined;
}
