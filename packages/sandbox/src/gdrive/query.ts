/**
 * Drive's search query language (`q`): a tokenizer and a recursive-descent parser to an AST, then
 * evaluation against a file. Strings are single- (or double-) quoted with `\'` and `\\` as the
 * only escapes, so user text inside quotes can never become query syntax; anything the grammar
 * does not allow — an unknown field, an operator a field does not take, a bad date, an unclosed
 * quote — is a {@link QuerySyntaxError}, which routes answer with Google's 400 "Invalid Value".
 *
 *   query := or ;  or := and ('or' and)* ;  and := unary ('and' unary)*
 *   unary := 'not' unary | '(' or ')' | term
 *   term  := STRING 'in' field | field 'contains' STRING | field op value
 *          | field 'has' '{' 'key' '=' STRING 'and' 'value' '=' STRING '}' | 'sharedWithMe'
 */

export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { kind: 'punct'; value: '(' | ')' | '{' | '}' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      let closed = false;
      while (i < source.length) {
        const c = source[i]!;
        if (c === '\\') {
          const next = source[i + 1];
          if (next !== "'" && next !== '\\' && next !== '"') throw new QuerySyntaxError(`bad escape \\${next ?? ''} at ${i}`);
          value += next;
          i += 2;
        } else if (c === ch) {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw new QuerySyntaxError('unterminated string');
      tokens.push({ kind: 'string', value });
    } else if ('(){}'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch as '(' });
      i++;
    } else if (ch === '!' || ch === '<' || ch === '>' || ch === '=') {
      const two = source.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if (ch === '!') throw new QuerySyntaxError(`unexpected ! at ${i}`);
      else {
        tokens.push({ kind: 'op', value: ch as '=' });
        i++;
      }
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!m) throw new QuerySyntaxError(`unexpected ${ch} at ${i}`);
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else throw new QuerySyntaxError(`unexpected ${ch} at ${i}`);
  }
  return tokens;
}

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'in' | 'has';

export type QueryNode =
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; operand: QueryNode }
  | { kind: 'term'; field: string; op: Op; value: string | number | boolean | Date | { key: string; value: string } };

type ValueType = 'string' | 'boolean' | 'date' | 'number' | 'keyValue';

/** What a field accepts: its operators and the type of its value. */
export interface FieldRule {
  ops: readonly Op[];
  type: ValueType;
  /** May stand alone, meaning `= true` (`sharedWithMe`). */
  bare?: boolean;
}

const STRING_EQ: FieldRule = { ops: ['=', '!='], type: 'string' };
const COMPARE_DATE: FieldRule = { ops: ['=', '!=', '<', '<=', '>', '>='], type: 'date' };
const BOOL: FieldRule = { ops: ['=', '!='], type: 'boolean' };
const MEMBERSHIP: FieldRule = { ops: ['in'], type: 'string' };

/** The `files.list` fields and what each takes (Drive's "search query terms" table). */
export const FILE_FIELDS: Record<string, FieldRule> = {
  name: { ops: ['contains', '=', '!='], type: 'string' },
  fullText: { ops: ['contains'], type: 'string' },
  mimeType: { ops: ['contains', '=', '!='], type: 'string' },
  modifiedTime: COMPARE_DATE,
  viewedByMeTime: COMPARE_DATE,
  createdTime: COMPARE_DATE,
  trashed: BOOL,
  starred: BOOL,
  sharedWithMe: { ...BOOL, bare: true },
  parents: MEMBERSHIP,
  owners: MEMBERSHIP,
  writers: MEMBERSHIP,
  readers: MEMBERSHIP,
  properties: { ops: ['has'], type: 'keyValue' },
  appProperties: { ops: ['has'], type: 'keyValue' },
  visibility: STRING_EQ,
  'shortcutDetails.targetId': STRING_EQ,
};

/** The `drives.list` fields. */
export const DRIVE_FIELDS: Record<string, FieldRule> = {
  name: { ops: ['contains', '=', '!='], type: 'string' },
  hidden: BOOL,
  createdTime: COMPARE_DATE,
  memberCount: { ops: ['=', '!=', '<', '<=', '>', '>='], type: 'number' },
  organizerCount: { ops: ['=', '!=', '<', '<=', '>', '>='], type: 'number' },
  orgUnitId: STRING_EQ,
};

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'has', 'contains', 'true', 'false']);

/** RFC 3339 (`2024-05-01T12:00:00Z`, an offset, or no zone = UTC) or a plain date. */
function parseDate(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) throw new QuerySyntaxError(`not an RFC 3339 date: ${text}`);
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new QuerySyntaxError(`not a date: ${text}`);
  return date;
}

/** Parses a query against a field table; throws {@link QuerySyntaxError}. */
export function parseQuery(source: string, fields: Record<string, FieldRule> = FILE_FIELDS): QueryNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.value.toLowerCase() === word;
  const expectWord = (word: string) => {
    if (!isWord(peek(), word)) throw new QuerySyntaxError(`expected ${word}`);
    pos++;
  };
  const expectPunct = (p: string) => {
    const t = peek();
    if (t?.kind !== 'punct' || t.value !== p) throw new QuerySyntaxError(`expected ${p}`);
    pos++;
  };
  const expectString = (): string => {
    const t = peek();
    if (t?.kind !== 'string') throw new QuerySyntaxError('expected a quoted string');
    pos++;
    return t.value;
  };
  const rule = (field: string): FieldRule => {
    const r = fields[field];
    if (!r) throw new QuerySyntaxError(`unknown field ${field}`);
    return r;
  };

  const or = (): QueryNode => {
    let left = and();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): QueryNode => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): QueryNode => {
    if (isWord(peek(), 'not')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    const t = peek();
    if (t?.kind === 'punct' && t.value === '(') {
      pos++;
      const inner = or();
      expectPunct(')');
      return inner;
    }
    return term();
  };
  const term = (): QueryNode => {
    const t = peek();
    if (!t) throw new QuerySyntaxError('unexpected end of query');
    if (t.kind === 'string') {
      pos++;
      expectWord('in');
      const field = peek();
      if (field?.kind !== 'word') throw new QuerySyntaxError('expected a field after in');
      pos++;
      if (!rule(field.value).ops.includes('in')) throw new QuerySyntaxError(`${field.value} does not take in`);
      return { kind: 'term', field: field.value, op: 'in', value: t.value };
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.value.toLowerCase())) throw new QuerySyntaxError('expected a field');
    pos++;
    const field = t.value;
    const r = rule(field);
    const next = peek();
    if (
      r.bare &&
      (next === undefined || isWord(next, 'and') || isWord(next, 'or') || (next.kind === 'punct' && next.value === ')'))
    )
      return { kind: 'term', field, op: '=', value: true };
    if (isWord(next, 'contains') || isWord(next, 'has')) {
      const op = String(next!.value).toLowerCase() as 'contains' | 'has';
      pos++;
      if (!r.ops.includes(op)) throw new QuerySyntaxError(`${field} does not take ${op}`);
      if (op === 'contains') return { kind: 'term', field, op, value: expectString() };
      expectPunct('{');
      expectWord('key');
      if (peek()?.kind !== 'op' || peek()!.value !== '=') throw new QuerySyntaxError('expected key =');
      pos++;
      const key = expectString();
      expectWord('and');
      expectWord('value');
      if (peek()?.kind !== 'op' || peek()!.value !== '=') throw new QuerySyntaxError('expected value =');
      pos++;
      const value = expectString();
      expectPunct('}');
      return { kind: 'term', field, op, value: { key, value } };
    }
    if (next?.kind !== 'op') throw new QuerySyntaxError(`expected an operator after ${field}`);
    pos++;
    if (!r.ops.includes(next.value)) throw new QuerySyntaxError(`${field} does not take ${next.value}`);
    const v = peek();
    pos++;
    switch (r.type) {
      case 'boolean':
        if (!isWord(v, 'true') && !isWord(v, 'false')) throw new QuerySyntaxError(`${field} takes true or false`);
        return { kind: 'term', field, op: next.value, value: isWord(v, 'true') };
      case 'number':
        if (v?.kind !== 'number') throw new QuerySyntaxError(`${field} takes a number`);
        return { kind: 'term', field, op: next.value, value: v.value };
      case 'date':
        if (v?.kind !== 'string') throw new QuerySyntaxError(`${field} takes a quoted date`);
        return { kind: 'term', field, op: next.value, value: parseDate(v.value) };
      default:
        if (v?.kind !== 'string') throw new QuerySyntaxError(`${field} takes a quoted string`);
        return { kind: 'term', field, op: next.value, value: v.value };
    }
  };

  if (tokens.length === 0) throw new QuerySyntaxError('empty query');
  const node = or();
  if (pos !== tokens.length) throw new QuerySyntaxError('unexpected text after the query');
  return node;
}

/** Reads the value of a term's field from a candidate (a file or a drive). */
export type FieldReader = (field: string, term: Extract<QueryNode, { kind: 'term' }>) => unknown;

/** Evaluates a parsed query; `term` answers one term for the candidate. */
export function evaluate(node: QueryNode, term: (t: Extract<QueryNode, { kind: 'term' }>) => boolean): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, term) && evaluate(node.right, term);
    case 'or':
      return evaluate(node.left, term) || evaluate(node.right, term);
    case 'not':
      return !evaluate(node.operand, term);
    default:
      return term(node);
  }
}

/** Compares with a term's operator. */
export function compare(op: Op, actual: number | string | boolean, expected: number | string | boolean): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    default:
      return false;
  }
}

/**
 * `name contains`: Drive matches a prefix of a word, case-insensitively — "Quarterly report"
 * matches 'rep' and 'quarterly r', "HelloWorld" matches 'hello' but not 'world'.
 */
export function nameContains(name: string, needle: string): boolean {
  const hay = name.toLowerCase();
  const want = needle.toLowerCase();
  if (want === '') return true;
  for (let i = 0; i <= hay.length - want.length; i++) {
    const atWordStart = i === 0 || !/[\p{L}\p{N}]/u.test(hay[i - 1]!);
    if (atWordStart && hay.startsWith(want, i)) return true;
  }
  return false;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** `fullText contains`: whole words, in order (a phrase), case-insensitively. */
export function fullTextContains(text: string, needle: string): boolean {
  const want = words(needle.replace(/^"(.*)"$/, '$1'));
  if (want.length === 0) return false;
  const have = words(text);
  for (let i = 0; i <= have.length - want.length; i++) if (want.every((w, j) => have[i + j] === w)) return true;
  return false;
}

/** Whether a query mentions a field anywhere (`trashed`, `fullText`). */
export function mentions(node: QueryNode, field: string): boolean {
  if (node.kind === 'term') return node.field === field;
  if (node.kind === 'not') return mentions(node.operand, field);
  return mentions(node.left, field) || mentions(node.right, field);
}
