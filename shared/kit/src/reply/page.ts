import { byteLength, jsonSize, type More } from '../budget.js';
import { ToolError } from '../errors.js';
import { tableLayout } from '../table.js';
import { argumentsKey, type Binding, bindingKey, makeCursor, type Position } from './cursor.js';

/** What every reply built by `ctx.page` may say besides its items. */
interface Shape<T> {
  /**
   * The structured result's other fields (`repository`, `columns`…). A function gets the items
   * shown (`row_count`); it is measured with every item given, so it must not grow when fewer are
   * shown (a count does not).
   */
  fields?: Record<string, unknown> | ((shown: readonly T[]) => Record<string, unknown>);
  /** Text above the items (a header, a summary); counted in the budget. A function: as `fields`. */
  head?: string | ((shown: readonly T[]) => string);
  /** Text below the items, above the continuation line. A function: as `fields`. */
  tail?: string | ((shown: readonly T[]) => string);
  /** The whole text when there are no items at all. Default: "No <items>." */
  empty?: string;
  /** Singular and plural for the continuation line: `['commit', 'commits']`. Default items. */
  unit?: readonly [string, string];
  /** Between item lines. Default one line break. */
  separator?: string;
  /**
   * The caller's argument that capped this page (`{ argument: 'max_count', value: 30 }`). Items
   * past it are not shown (give one more than the limit to show that more exist); when the items
   * stop because of it, the continuation line blames the limit, not the budget.
   */
  limit?: { argument: string; value: number };
  /** What else the caller can do besides passing the cursor (a narrower filter). */
  hint?: string;
  /**
   * An item that alone is bigger than the whole budget: return a smaller version of it (its text
   * cut, with a note on how to read it whole) so the page still makes progress. Without this the
   * kit cuts the item's text at a line break and keeps its structured form if that fits.
   */
  shrink?: (item: T, room: { text: number; json: number }) => T;
  /**
   * Instead of `shrink`, for an item the next page can continue (a long patch, a long run of
   * lines): return the part of it that fits in `room` and what the next call needs to resume
   * inside it. The item still counts as not shown; the cursor carries `resume` as its state.
   */
  split?: (item: T, room: { text: number; json: number }) => { item: T; resume: unknown };
  /**
   * At most this many bytes for this list (never more than the call's budget): a list that is one
   * part of a larger text, such as a prompt's material, gets its share.
   */
  budget?: number;
  /**
   * What the continuation line names as the cause of the cut when the caller's limit did not make
   * it. Default: `output budget` when the kit cut the items, `page` when the handler gave fewer
   * than exist. A handler that reads a window the size of the budget says `output budget`; a list
   * kept short on purpose by `budget` says why (`compact snapshot`).
   */
  cause?: string;
  /** Also bind the cursor to a value the arguments do not show (see `Binding`). */
  bind?: Binding;
  /**
   * Make the cursor for another tool, which continues this listing (a page's start, shown by the
   * call that opened the page, continues in the snapshot tool): its name and its arguments as it
   * receives them, defaults included. The continuation line names that tool.
   */
  cursorFor?: { tool: string; args?: Record<string, unknown> };
}

/** How one list's items are drawn and stored. */
interface Drawn<T> {
  /** One item as the model reads it: one line, or a short block. Not needed with `table`. */
  line?: (item: T) => string;
  /**
   * Draw the items as an aligned table: the column names and each item's cells. Widths come from
   * every item given (so each line is measured as sent), and the header stands above the rows
   * whenever any is shown.
   */
  table?: { columns: readonly string[]; cells: (item: T) => readonly unknown[]; maxCell?: number };
  /** One item in the structured result (default: the item as is). */
  data?: (item: T) => unknown;
}

/**
 * How a list tool describes its items; the kit does the rest: fits the text and the structured
 * form to the output budget together, in one pass, makes the argument-bound cursor and writes the
 * continuation line with its cause (the budget, or the caller's limit) and its counts.
 */
export interface ListSpec<T> extends Shape<T>, Drawn<T> {
  /** Name of the list in the structured result (`commits`, `rows`, `issues`). */
  key: string;
  /**
   * The structured result holds the shown lines as one string, joined by `separator`, instead of
   * an array: for a text whose lines are the items (an outline, a log). `data` is not used.
   */
  joined?: boolean;
}

export interface PageInput<T> extends ListSpec<T> {
  /** The items from the current position on, in order. More than fit is fine: they are cut. */
  items: readonly T[];
  /**
   * More items exist after `items`: how many when known, `{ atLeast: n }` when only a lower bound
   * is (a stream read on past the page, then stopped), `true` when not even that.
   */
  rest?: number | boolean | { atLeast: number };
  /**
   * What the next call needs to resume before item `index` of `items` (an upstream token, a last
   * key). Default: nothing but the offset, which the handler reads back as `ctx.position.offset`.
   */
  resume?: (index: number) => unknown;
  /**
   * Which items a cut keeps: the first (default), or the last, for a log whose newest entries
   * matter most. With `last`, the items left out are those before the ones shown, `rest` counts
   * items before `items`, a `limit` keeps the last `limit.value`, the next page is the items
   * before the shown ones (`resume` gets that index), and `split` is not used.
   */
  keep?: 'first' | 'last';
}

/**
 * Several lists in one reply, one after the other under one budget (blocked sessions, then locks;
 * the rows each statement returned): each goes to its own key of the structured result.
 */
// biome-ignore lint/suspicious/noExplicitAny: sections hold items of different types; `section()` keeps each typed
export interface SectionsInput extends Shape<any> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  sections: ReadonlyArray<Section<any>>;
  /** More items exist after the last section's: how many when known, `true` when not. */
  rest?: number | boolean;
}

/** One of several lists in a reply. */
export interface Section<T> extends Drawn<T> {
  key: string;
  items: readonly T[];
  /** The line above its items (`locks held:`), shown whenever it has items, a table's header below it. */
  title?: string;
  /** Its text when it has no items at all (`No session is waiting for a lock.`). */
  empty?: string;
}

/** A section, with its items' type checked against how they are drawn. */
export function section<T>(input: Section<T>): Section<T> {
  return input;
}

/**
 * A list read one item past the caller's limit, to know whether more exist, as `ctx.page` takes
 * it: `ctx.page({ key: 'tables', ...pastLimit(rows, 'limit', args.limit), … })`. The item past the
 * limit is not shown; the continuation line counts it as a lower bound and blames the limit.
 */
export function pastLimit<T>(items: readonly T[], argument: string, value: number) {
  return { items, rest: items.length > value, limit: { argument, value } };
}

/** What the kit knows about the call a page belongs to. */
export interface PageCall {
  tool: string;
  budget: number;
  position: Position;
  /** The call's argument key, when the tool takes a `cursor` (else no cursor is made). */
  cursorKey: string | undefined;
  /** Present when the call came with a cursor: the key of the value that cursor was bound to. */
  resumed?: { bound: string | undefined } | undefined;
}

export interface Reply<O = Record<string, unknown>> {
  structured: O;
  text: string;
}

/** Room kept for the continuation line besides its hint and cursor. */
const MORE_LINE_RESERVE = 96;

/** One section's share of a flattened list: its key and text, and how many of the items are its own. */
interface Group {
  key: string;
  count: number;
  title?: string | undefined;
  empty?: string | undefined;
}

export function buildPage<T>(call: PageCall, input: PageInput<T> | SectionsInput): Reply {
  return 'sections' in input ? fitList(call, ...flatten(input)) : fitList(call, input);
}

/** Sections as one list of entries, each drawn and stored as its section says. */
function flatten(input: SectionsInput): [PageInput<Entry>, Group[]] {
  const drawers = input.sections.map((s) => drawing(s, s.items));
  const groups = input.sections.map((s, i) => {
    const header = [s.title, drawers[i]?.table?.head].filter(Boolean).join('\n');
    return { key: s.key, count: s.items.length, title: header || undefined, empty: s.empty };
  });
  const items = input.sections.flatMap((s, i) => s.items.map((item): Entry => ({ i, item })));
  const { sections, shrink, split, fields, head, tail, ...shape } = input;
  // What is said of the items shown is said of the sections' items, not of the entries.
  const ofItems = <R>(part: R | ((shown: readonly unknown[]) => R) | undefined) =>
    typeof part === 'function'
      ? (shown: readonly Entry[]) => (part as (shown: readonly unknown[]) => R)(shown.map((e) => e.item))
      : part;
  const list: PageInput<Entry> = {
    ...shape,
    key: '',
    items,
    line: (e) => drawers[e.i]?.line(e.item) ?? '',
    data: (e) => (sections[e.i]?.data ?? ((x: unknown) => x))(e.item),
  };
  const f = ofItems(fields);
  const h = ofItems(head);
  const t = ofItems(tail);
  if (f !== undefined) list.fields = f;
  if (h !== undefined) list.head = h;
  if (t !== undefined) list.tail = t;
  if (shrink) list.shrink = (e, room) => ({ i: e.i, item: shrink(e.item, room) });
  if (split) {
    list.split = (e, room) => {
      const part = split(e.item, room);
      return { item: { i: e.i, item: part.item }, resume: part.resume };
    };
  }
  return [list, groups];
}

interface Entry {
  i: number;
  item: unknown;
}

function fitList<T>(call: PageCall, input: PageInput<T>, groups?: Group[]): Reply {
  const { table, line: drawLine } = drawing(input, input.items);
  const unit = input.unit ?? ['item', 'items'];
  const separator = input.separator ?? '\n';
  const joined = input.joined === true && !groups;
  const data = joined ? drawLine : (input.data ?? ((item: T) => item));
  const last = input.keep === 'last';
  const next = continuation(call, input);
  const hint = continuationHint(next.how, input);
  const budget = Math.min(call.budget, input.budget ?? call.budget);
  const sectionOf = groups ? sectionIndexes(groups, input.items.length) : undefined;
  const fields = (shown: readonly T[]) => (typeof input.fields === 'function' ? input.fields(shown) : (input.fields ?? {}));
  const head = (shown: readonly T[]) => {
    const own = typeof input.head === 'function' ? input.head(shown) : input.head;
    return [own, table && shown.length ? table.head : undefined].filter(Boolean).join('\n');
  };
  const tail = (shown: readonly T[]) => (typeof input.tail === 'function' ? input.tail(shown) : input.tail);
  const lists = (datas: readonly unknown[]): Record<string, unknown> =>
    groups
      ? Object.fromEntries(groups.map((g, i) => [g.key, datas.filter((_, j) => sectionOf?.[j] === i)]))
      : { [input.key]: joined ? datas.join(separator) : datas };

  // The fixed part of each form, and the room a continuation needs (its cursor estimated from
  // the state it would carry after the first item, plus slack for longer tokens later).
  const sampleCursor = next.key
    ? makeCursor(next.key, { offset: call.position.offset + input.items.length, state: input.resume?.(0) }, next.bound)
    : '';
  const moreRoomJson = jsonSize({ omitted: 1e9, cursor: sampleCursor, hint }) + 64 + 10;
  const moreRoomText = byteLength(hint) + byteLength(sampleCursor) + MORE_LINE_RESERVE + 64;
  const textOf = (part: string | undefined) => (part ? byteLength(part) + 1 : 0);
  const sectionText = (groups ?? []).reduce((sum, g) => sum + textOf(g.title) + textOf(g.empty), 0);
  const fixedText = textOf(head(input.items)) + textOf(tail(input.items)) + sectionText;
  const fixedJson = jsonSize({ ...fields(input.items), ...lists([]) });
  const roomText = budget - fixedText - moreRoomText;
  const roomJson = budget - fixedJson - moreRoomJson;
  const cap = input.limit ? Math.min(input.items.length, Math.max(0, input.limit.value)) : input.items.length;
  // A joined list's items cost their JSON-escaped text and separator, without quotes or commas.
  const separatorJson = joined ? jsonSize(separator) - 2 : 1;
  const candidates = last ? input.items.slice(input.items.length - cap).reverse() : input.items.slice(0, cap);

  const shown: T[] = [];
  const lines: string[] = [];
  const datas: unknown[] = [];
  let usedText = 0;
  let usedJson = 0;
  // Set when the first item did not fit and was split: the next page resumes inside it.
  let continued: { resume: unknown } | undefined;
  for (const item of candidates) {
    const line = drawLine(item);
    const value = data(item);
    const textCost = byteLength(line) + byteLength(separator);
    const jsonCost = jsonSize(value) - (joined ? 2 : 0) + separatorJson;
    if (usedText + textCost > roomText || usedJson + jsonCost > roomJson) {
      if (shown.length === 0) {
        const room = { text: roomText, json: roomJson };
        const part = last ? undefined : input.split?.(item, room);
        const smaller = part ? ownSize(input, drawLine, part.item, room) : oversized(input, drawLine, item, line, value, room);
        shown.push(smaller.item);
        lines.push(smaller.line);
        datas.push(joined ? smaller.line : smaller.value);
        if (part) continued = { resume: part.resume };
      }
      break;
    }
    shown.push(item);
    lines.push(line);
    datas.push(value);
    usedText += textCost;
    usedJson += jsonCost;
  }

  if (last) {
    shown.reverse();
    lines.reverse();
    datas.reverse();
  }
  const rest = input.rest ?? false;
  // Items shown whole: a split item is still to come (from inside it).
  const whole = shown.length - (continued ? 1 : 0);
  const counted = typeof rest === 'number' ? rest : typeof rest === 'object' ? rest.atLeast : 0;
  const lowerBound = rest === true || typeof rest === 'object';
  const left = input.items.length - whole + counted;
  const moreExists = left > 0 || rest === true;
  const cause =
    whole < cap
      ? (input.cause ?? 'output budget')
      : input.limit && shown.length >= input.limit.value
        ? `${input.limit.argument}=${input.limit.value}`
        : (input.cause ?? 'page');
  let more: More;
  if (moreExists) {
    const cursor = next.key
      ? makeCursor(
          next.key,
          {
            offset: call.position.offset + whole,
            state: continued ? continued.resume : input.resume?.(last ? input.items.length - whole : whole),
          },
          next.bound,
        )
      : undefined;
    more = cursor ? { omitted: left, cursor, hint } : { omitted: left, hint };
  }

  const parts: string[] = [];
  const top = head(shown);
  if (top) parts.push(top);
  if (shown.length === 0 && !moreExists && (input.empty !== undefined || !groups)) parts.push(input.empty ?? `No ${unit[1]}.`);
  else if (groups) parts.push(...sectionTexts(groups, sectionOf ?? [], lines, separator));
  else if (lines.length) parts.push(lines.join(separator));
  const bottom = tail(shown);
  if (bottom) parts.push(bottom);
  let text = parts.join('\n');
  if (more) text += continuationLine(more, unit, { atLeast: lowerBound, cause });
  return { structured: { ...fields(shown), ...lists(datas), ...(more ? { more } : {}) }, text };
}

/** How items are drawn: the handler's `line`, or a row of the aligned table laid out over `items`. */
function drawing<T>(input: Drawn<T>, items: readonly T[]): { table?: { head: string }; line: (item: T) => string } {
  if (input.line) return { line: input.line };
  if (!input.table) throw new Error('a list needs `line` or `table` to draw its items');
  const { columns, cells, maxCell } = input.table;
  const layout = tableLayout(columns, items.map(cells), maxCell);
  return { table: layout, line: (item) => layout.line(cells(item)) };
}

/** Which section each item belongs to, from the sections' counts (which must add up to the items). */
function sectionIndexes(sections: readonly Group[], items: number): number[] {
  const indexes = sections.flatMap((s, i) => Array.from({ length: Math.max(0, s.count) }, () => i));
  if (indexes.length !== items) throw new Error(`the sections count ${indexes.length} items, but ${items} were given`);
  return indexes;
}

/**
 * Each section's title (whenever it has items, even if the budget left none of them shown, so the
 * reply still says what there is) and its shown lines; its `empty` text when it has no items.
 */
function sectionTexts(sections: readonly Group[], sectionOf: readonly number[], lines: readonly string[], separator: string) {
  return sections.flatMap((section, i) => {
    if (section.count === 0) return section.empty ? [section.empty] : [];
    const own = lines.filter((_, j) => sectionOf[j] === i);
    return [...(section.title ? [section.title] : []), ...(own.length ? [own.join(separator)] : [])];
  });
}

/**
 * The line that says what was left out, why, and how to get it:
 * `… 103 more commits not shown (max_count=2). Pass cursor to continue. cursor: eyJr…`
 */
export function continuationLine(
  more: NonNullable<More>,
  [one, many]: readonly [string, string],
  { atLeast = false, cause = 'output budget' }: { atLeast?: boolean; cause?: string } = {},
): string {
  const n = more.omitted;
  const count = n > 0 ? `${atLeast ? 'at least ' : ''}${n} more ${n === 1 ? one : many} not shown` : `more ${many} not shown`;
  return `\n… ${count} (${cause}). ${more.hint}${more.cursor ? ` cursor: ${more.cursor}` : ''}`;
}

export function continuationHint(how: string, input: { hint?: string }): string {
  return [how, input.hint].filter(Boolean).join(' ') || 'Narrow the request to see the rest.';
}

/**
 * Where a reply's cursor leads (this tool with these arguments, or `cursorFor`), what it is bound
 * to, and how the continuation line says to use it. A cursor this call came with that was bound
 * to another value than `bind`'s is refused here, before anything is built on its offset.
 */
export function continuation(
  call: PageCall,
  input: { bind?: Binding | undefined; cursorFor?: { tool: string; args?: Record<string, unknown> } | undefined },
): { key: string | undefined; bound: string | undefined; how: string } {
  const bound = input.bind ? bindingKey(input.bind.value) : undefined;
  if (input.bind && call.resumed && call.resumed.bound !== bound) {
    throw new ToolError(input.bind.refusal, {
      argument: 'cursor',
      hint: input.bind.hint ?? 'Call again without a cursor to start over.',
    });
  }
  const target = input.cursorFor;
  if (target) {
    const args = Object.entries(target.args ?? {}).filter(([, v]) => v !== undefined);
    const withArgs = args.length ? ` with ${args.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')} and` : ' with';
    return {
      key: argumentsKey(target.tool, target.args ?? {}),
      bound,
      how: `Call ${target.tool}${withArgs} this cursor for the rest.`,
    };
  }
  const how = call.cursorKey ? `Call ${call.tool} again with the same arguments and this cursor for the rest.` : '';
  return { key: call.cursorKey, bound, how };
}

function oversized<T>(
  input: PageInput<T>,
  draw: (item: T) => string,
  item: T,
  line: string,
  value: unknown,
  room: { text: number; json: number },
): { item: T; line: string; value: unknown } {
  if (input.shrink) return ownSize(input, draw, input.shrink(item, room), room);
  if (jsonSize(value) > room.json) {
    throw new ToolError(`One ${input.unit?.[0] ?? 'item'} alone is bigger than the output budget.`, {
      hint: 'Narrow the request to that one item, or raise --output-budget.',
    });
  }
  return { item, line: cutText(line, room.text), value };
}

/** A smaller item made by `shrink` or `split`: its text cut if it is still too long. */
function ownSize<T>(input: PageInput<T>, draw: (item: T) => string, item: T, room: { text: number }) {
  return { item, line: cutText(draw(item), room.text), value: (input.data ?? ((x: T) => x))(item) };
}

/** Cut text to `limit` bytes at the last line break that fits, saying how much was cut. */
export function cutText(text: string, limit: number): string {
  if (byteLength(text) <= limit) return text;
  const note = (bytes: number) => `\n… ${bytes} more bytes of this item cut to fit the output budget.`;
  const room = Math.max(0, limit - byteLength(note(text.length)));
  const head = Buffer.from(text, 'utf8')
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const lastBreak = head.lastIndexOf('\n');
  const kept = lastBreak > room / 2 ? head.slice(0, lastBreak) : head;
  return kept + note(byteLength(text) - byteLength(kept));
}
