import { ToolError } from '@patchbay/kit';
import { loadParser } from './modules.js';
import { deniedFunction } from './policy.js';
import { isReadingSetting } from './settings.js';

/**
 * The SQL gate. Every statement a tool sends on the model's behalf is parsed by the real
 * PostgreSQL parser (libpg-query, the server's own grammar compiled to WebAssembly) and judged on
 * its syntax tree, never on its text: comments, quoting, dollar-quoting and Unicode escapes are
 * already resolved there. This is one layer of several; the database enforces the others (a role
 * that cannot write, a READ ONLY transaction, one statement per protocol message, timeouts, and
 * the settings that decide how SQL text is read pinned to the parser's).
 */

type Node = Record<string, unknown>;

export interface CalledFunction {
  schema?: string;
  name: string;
  /** Written as `(row).name` or `alias.name`: a call only when no column has that name. */
  attribute: boolean;
}

export interface Analysis {
  /** The statement's node type: SelectStmt, ExplainStmt, VariableShowStmt, InsertStmt… */
  type: string;
  /** For EXPLAIN: the explained statement's type and whether it runs (ANALYZE). */
  explain?: { type: string; analyze: boolean };
  functions: CalledFunction[];
  /** Every relation name the statement reads, judged against the catalog in `relations.ts`. */
  relations: RelationName[];
  /** The highest $n placeholder it holds (0: none). */
  parameters: number;
}

export interface RelationName {
  schema?: string;
  name: string;
}

/** Parse exactly one statement; anything else is the model's to fix. */
export async function parseOne(sql: string, argument = 'sql'): Promise<{ type: string; node: Node }> {
  const { parse } = await loadParser();
  let tree: { stmts?: Array<{ stmt?: Node }> };
  try {
    tree = await parse(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    throw new ToolError(`is not valid SQL: ${message}${position !== undefined ? ` (at character ${position + 1})` : ''}.`, {
      argument,
      hint: 'Fix the syntax; PostgreSQL syntax is expected.',
    });
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) throw new ToolError('holds no SQL statement.', { argument });
  if (statements.length > 1) {
    throw new ToolError(`holds ${statements.length} statements; send exactly one per call.`, {
      argument,
      hint: 'Split the statements and call once per statement.',
    });
  }
  const stmt = statements[0]?.stmt ?? {};
  const type = Object.keys(stmt)[0] ?? 'unknown';
  return { type, node: stmt[type] as Node };
}

function refuse(reason: string, hint?: string, argument = 'sql'): never {
  throw new ToolError(`was refused: ${reason}`, { argument, ...(hint ? { hint } : {}) });
}

const READ_HINT =
  'Only reads run here: SELECT, VALUES, TABLE, SHOW and EXPLAIN. Changes need a read-write connection and postgres_execute.';

/** A read: SELECT/VALUES/TABLE, SHOW, or EXPLAIN of a read. Throws a ToolError saying why not. */
export async function checkRead(sql: string): Promise<Analysis> {
  const { type, node } = await parseOne(sql);
  if (type === 'SelectStmt') return inspect(type, node, 'read');
  if (type === 'VariableShowStmt') return { type, functions: [], relations: [], parameters: 0 };
  if (type === 'ExplainStmt') return checkExplain(node);
  return refuse(`${describe(type)} is not a read.`, READ_HINT);
}

/**
 * What postgres_explain may plan: a read, with ANALYZE (which runs it); or, without ANALYZE, also
 * INSERT/UPDATE/DELETE/MERGE, which are planned and never executed.
 */
export async function checkExplainable(sql: string, analyze: boolean): Promise<Analysis> {
  const { type, node } = await parseOne(sql);
  if (type === 'ExplainStmt') {
    refuse('it already starts with EXPLAIN.', 'Pass the statement alone; postgres_explain adds EXPLAIN and its options.');
  }
  return explainTarget(type, node, analyze);
}

/**
 * What index advice may plan: one query (SELECT, VALUES, TABLE). It is planned, never run; a
 * statement that writes is refused, as is an EXPLAIN (the advice adds its own).
 */
export async function checkQuery(sql: string, argument = 'sql'): Promise<Analysis> {
  const { type, node } = await parseOne(sql, argument);
  if (type === 'SelectStmt') return inspect(type, node, 'read', argument);
  return refuse(
    `${describe(type)} is not a query: index advice plans SELECT statements only.`,
    type === 'ExplainStmt'
      ? 'Pass the statement alone, without EXPLAIN.'
      : 'Pass the SELECT whose plan should get cheaper; an UPDATE or DELETE can be advised through the SELECT of its WHERE clause.',
    argument,
  );
}

function checkExplain(node: Node): Analysis {
  const options = (node.options as Node[] | undefined) ?? [];
  const analyze = options.some((o) => {
    const def = o.DefElem as Node | undefined;
    if (def?.defname !== 'analyze') return false;
    // `ANALYZE false` / `ANALYZE off` turns it off again.
    const arg = def.arg as Node | undefined;
    const value = (arg?.String as Node | undefined)?.sval ?? (arg?.Boolean as Node | undefined)?.boolval ?? true;
    return !['false', 'off', '0', false].includes(value as string | boolean);
  });
  const inner = node.query as Node;
  const innerType = Object.keys(inner)[0] ?? 'unknown';
  const analysis = explainTarget(innerType, inner[innerType] as Node, analyze);
  return { ...analysis, type: 'ExplainStmt', explain: { type: innerType, analyze } };
}

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function explainTarget(type: string, node: Node, analyze: boolean): Analysis {
  if (type === 'SelectStmt') return { ...inspect(type, node, 'read'), explain: { type, analyze } };
  if (DML.has(type)) {
    if (analyze) {
      refuse(
        `EXPLAIN ANALYZE would run the ${describe(type)}, which is not a read.`,
        'Leave out ANALYZE to see the plan without running it.',
      );
    }
    return { ...inspect(type, node, 'plan'), explain: { type, analyze } };
  }
  return refuse(`only queries and INSERT/UPDATE/DELETE/MERGE can be explained, not ${describe(type)}.`);
}

/** A statement for the write tool: anything but transaction control and reaching the server's host. */
export async function checkWrite(sql: string, argument: string): Promise<Analysis> {
  const { type, node } = await parseOne(sql, argument);
  const fail = (reason: string, hint?: string): never => refuse(reason, hint, argument);
  if (type === 'TransactionStmt') {
    fail(
      "transaction control is the server's: every call runs in one transaction that commits at the end, or rolls back on any error.",
    );
  }
  if (type === 'CopyStmt' && (node.filename !== undefined || node.is_program === true)) {
    fail(
      'COPY to or from a server file or program reaches the database host, not the database.',
      'Insert rows with INSERT instead.',
    );
  }
  if (type === 'AlterSystemStmt') fail('ALTER SYSTEM changes the server configuration; ask the operator.');
  if (type === 'AlterDatabaseSetStmt' || type === 'AlterRoleSetStmt') {
    const setting = String((node.setstmt as Node | undefined)?.name ?? '');
    if (isReadingSetting(setting)) {
      fail(
        `${setting} changes how PostgreSQL reads SQL text, and a default set for a database or a role would make it read differently from the checks here.`,
        'Leave it at its default; ask the operator if a client needs it.',
      );
    }
  }
  if (type === 'CopyStmt')
    fail('COPY needs a client-side data stream, which this tool does not offer.', 'Use INSERT … VALUES or INSERT … SELECT.');
  if (['PrepareStmt', 'ExecuteStmt', 'DeallocateStmt', 'DeclareCursorStmt', 'FetchStmt', 'ClosePortalStmt'].includes(type)) {
    fail(`${describe(type)} leaves state in a pooled session.`, 'Send the statement itself, with params for its values.');
  }
  if (['ListenStmt', 'UnlistenStmt', 'LoadStmt', 'DiscardStmt', 'VariableSetStmt'].includes(type)) {
    fail(`${describe(type)} changes the pooled session, not the database.`);
  }
  return inspect(type, node, 'write', argument);
}

type Purpose = 'read' | 'plan' | 'write';

/** Walk the whole tree once: what it calls, what it reads, and anything a read may not contain. */
function inspect(type: string, root: Node, purpose: Purpose, argument = 'sql'): Analysis {
  const functions: CalledFunction[] = [];
  const relations: RelationName[] = [];
  let parameters = 0;
  const fail = (reason: string, hint?: string): never => refuse(reason, hint, argument);

  const visit = (value: unknown, key: string | undefined, depth: number): void => {
    if (depth > 2_000) fail('the statement nests too deeply to check.');
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key, depth + 1);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;

    if (purpose !== 'write') {
      if (key === 'lockingClause' || key === 'LockingClause') {
        fail(
          'FOR UPDATE/FOR SHARE takes row locks that block writers.',
          'Drop the locking clause; a plain SELECT sees the same rows.',
        );
      }
      if (key === 'intoClause') fail('SELECT … INTO creates a table.', 'Drop INTO; the rows come back as the result.');
      if (key !== undefined && DML.has(key) && node !== root) {
        fail(`${describe(key)} inside the statement (a data-modifying WITH) changes data.`, READ_HINT);
      }
    }
    if (key === 'FuncCall') {
      const names = ((node.funcname as Node[] | undefined) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? ''));
      const name = names[names.length - 1] ?? '';
      const schema = names.length > 1 ? names[names.length - 2] : undefined;
      const denied = deniedFunction(name, purpose === 'write');
      if (denied) fail(`${name}() ${denied}`);
      if (name.toLowerCase() === 'set_config') {
        const first = ((node.args as Node[] | undefined)?.[0]?.A_Const as Node | undefined)?.sval as Node | undefined;
        if (typeof first?.sval === 'string' && isReadingSetting(first.sval)) {
          fail(`set_config('${first.sval}', …) changes how PostgreSQL reads SQL text.`, 'Leave it at its default.');
        }
      }
      functions.push({ ...(schema ? { schema } : {}), name, attribute: false });
    }
    if (key === 'ColumnRef' || key === 'A_Indirection') {
      // `alias.fn` and `(row).fn` call fn(row) when no column of that name exists.
      const parts = ((key === 'ColumnRef' ? node.fields : node.indirection) as Node[] | undefined) ?? [];
      const strings = parts.map((p) => (p.String as Node | undefined)?.sval).filter((s): s is string => typeof s === 'string');
      const last = strings[strings.length - 1];
      const qualified = key === 'A_Indirection' || strings.length > 1;
      if (last && qualified) {
        const denied = deniedFunction(last, purpose === 'write');
        if (denied) fail(`${last}() ${denied}`);
        functions.push({ name: last, attribute: true });
      }
    }
    if (key === 'ParamRef' && typeof node.number === 'number') parameters = Math.max(parameters, node.number);
    if (typeof node.relname === 'string') {
      const schema = typeof node.schemaname === 'string' ? node.schemaname : undefined;
      relations.push({ ...(schema ? { schema } : {}), name: node.relname });
    }
    for (const [childKey, child] of Object.entries(node)) {
      if (child !== null && typeof child === 'object') visit(child, childKey, depth + 1);
    }
  };
  visit(root, type, 0);
  return { type, functions: dedupe(functions), relations, parameters };
}

function dedupe(functions: CalledFunction[]): CalledFunction[] {
  const seen = new Map<string, CalledFunction>();
  for (const f of functions) {
    const key = `${f.schema ?? ''}.${f.name}.${f.attribute}`;
    if (!seen.has(key)) seen.set(key, f);
  }
  return [...seen.values()];
}

const NAMES: Record<string, string> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  TransactionStmt: 'transaction control (BEGIN/COMMIT/ROLLBACK/SET TRANSACTION…)',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  CopyStmt: 'COPY',
  DoStmt: 'a DO block',
  CallStmt: 'CALL',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateTableAsStmt: 'CREATE TABLE AS',
  LockStmt: 'LOCK',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  LoadStmt: 'LOAD',
  DiscardStmt: 'DISCARD',
  VacuumStmt: 'VACUUM/ANALYZE',
  ExplainStmt: 'EXPLAIN',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CheckPointStmt: 'CHECKPOINT',
  TruncateStmt: 'TRUNCATE',
  GrantStmt: 'GRANT/REVOKE',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleSetStmt: 'ALTER ROLE … SET',
  AlterDatabaseSetStmt: 'ALTER DATABASE … SET',
};

/** `CreateStmt` → "CREATE TABLE"-ish words a model recognises. */
export function describe(type: string): string {
  const known = NAMES[type];
  if (known) return known;
  const words = type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return words;
}
