import { byteLength, jsonSize, type More } from '../budget.js';
import { ToolError } from '../errors.js';
import { makeCursor, type Position } from './cursor.js';

/**
 * How a list tool describes its items; the kit does the rest: fits the text and the structured
 * form to the output budget together, in one pass, makes the argument-bound cursor and writes the
 * continuation line with its cause (the budget, or the caller's limit) and its counts.
 */
export interface ListSpec<T> {
  /** Name of the list in the structured result (`commits`, `rows`, `issues`). */
  key: string;
  /** One item as the model reads it: one line, or a short block. */
  line: (item: T) => string;
  /** One item in the structured result (default: the item as is). */
  data?: (item: T) => unknown;
  /** The structured result's other fields (`repository`, `columns`…). */
  fields?: Record<string, unknown>;
  /** Text above the items (a header, a summary); counted in the budget. */
  head?: string;
  /** Text below the items, above the continuation line. */
  tail?: string;
  /** The whole text when there are no items at all. Default: "No <items>." */
  empty?: string;
  /** Singular and plural for the continuation line: `['commit', 'commits']`. Default items. */
  unit?: readonly [string, string];
  /** Between item lines. Default one line break. */
  separator?: string;
  /**
   * The caller's argument that capped this page (`{ argument: 'max_count', value: 30 }`). When
   * the items stop because of it, the continuation line blames the limit, not the budget.
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
}

export interface PageInput<T> extends ListSpec<T> {
  /** The items from the current position on, in order. More than fit is fine: they are cut. */
  items: readonly T[];
  /** More items exist after `items`: how many when known, `true` when not. */
  rest?: number | boolean;
  /**
   * What the next call needs to resume before item `index` of `items` (an upstream token, a last
   * key). Default: nothing but the offset, which the handler reads back as `ctx.position.offset`.
   */
  resume?: (index: number) => unknown;
}

/** What the kit knows about the call a page belongs to. */
export interface PageCall {
  tool: string;
  budget: number;
  position: Position;
  /** The call's argument key, when the tool takes a `cursor` (else no cursor is made). */
  cursorKey: string | undefined;
}

export interface Reply<O = Record<string, unknown>> {
  structured: O;
  text: string;
}

/** Room kept for the continuation line besides its hint and cursor. */
const MORE_LINE_RESERVE = 96;

export function buildPage<T>(call: PageCall, input: PageInput<T>): Reply {
  const unit = input.unit ?? ['item', 'items'];
  const separator = input.separator ?? '\n';
  const data = input.data ?? ((item: T) => item);
  const hint = continuationHint(call, input);
  const fields = input.fields ?? {};

  // The fixed part of each form, and the room a continuation needs (its cursor estimated from
  // the state it would carry after the first item, plus slack for longer tokens later).
  const sampleCursor = call.cursorKey
    ? makeCursor(call.cursorKey, { offset: call.position.offset + input.items.length, state: input.resume?.(0) })
    : '';
  const moreRoomJson = jsonSize({ omitted: 1e9, cursor: sampleCursor, hint }) + 64 + 10;
  const moreRoomText = byteLength(hint) + byteLength(sampleCursor) + MORE_LINE_RESERVE + 64;
  const fixedText = (input.head ? byteLength(input.head) + 1 : 0) + (input.tail ? byteLength(input.tail) + 1 : 0);
  const fixedJson = jsonSize({ ...fields, [input.key]: [] });
  const roomText = call.budget - fixedText - moreRoomText;
  const roomJson = call.budget - fixedJson - moreRoomJson;

  const shown: T[] = [];
  const lines: string[] = [];
  const datas: unknown[] = [];
  let usedText = 0;
  let usedJson = 0;
  for (const item of input.items) {
    const line = input.line(item);
    const value = data(item);
    const textCost = byteLength(line) + byteLength(separator);
    const jsonCost = jsonSize(value) + 1;
    if (usedText + textCost > roomText || usedJson + jsonCost > roomJson) {
      if (shown.length === 0) {
        const smaller = oversized(input, item, line, value, { text: roomText, json: roomJson });
        shown.push(smaller.item);
        lines.push(smaller.line);
        datas.push(smaller.value);
      }
      break;
    }
    shown.push(item);
    lines.push(line);
    datas.push(value);
    usedText += textCost;
    usedJson += jsonCost;
  }

  const rest = input.rest ?? false;
  const left = input.items.length - shown.length + (typeof rest === 'number' ? rest : 0);
  const moreExists = left > 0 || rest === true;
  const cause =
    shown.length < input.items.length
      ? 'output budget'
      : input.limit && shown.length >= input.limit.value
        ? `${input.limit.argument}=${input.limit.value}`
        : 'page';
  let more: More;
  if (moreExists) {
    const cursor = call.cursorKey
      ? makeCursor(call.cursorKey, { offset: call.position.offset + shown.length, state: input.resume?.(shown.length) })
      : undefined;
    more = cursor ? { omitted: left, cursor, hint } : { omitted: left, hint };
  }

  const parts: string[] = [];
  if (input.head) parts.push(input.head);
  if (shown.length === 0 && !moreExists) parts.push(input.empty ?? `No ${unit[1]}.`);
  else if (lines.length) parts.push(lines.join(separator));
  if (input.tail) parts.push(input.tail);
  let text = parts.join('\n');
  if (more) text += continuationLine(more, unit, { atLeast: rest === true, cause });
  return { structured: { ...fields, [input.key]: datas, ...(more ? { more } : {}) }, text };
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

function continuationHint(call: PageCall, input: { hint?: string }): string {
  const how = call.cursorKey ? `Call ${call.tool} again with the same arguments and this cursor for the rest.` : '';
  return [how, input.hint].filter(Boolean).join(' ') || 'Narrow the request to see the rest.';
}

function oversized<T>(
  input: PageInput<T>,
  item: T,
  line: string,
  value: unknown,
  room: { text: number; json: number },
): { item: T; line: string; value: unknown } {
  if (input.shrink) {
    const smaller = input.shrink(item, room);
    return { item: smaller, line: cutText(input.line(smaller), room.text), value: (input.data ?? ((x: T) => x))(smaller) };
  }
  if (jsonSize(value) > room.json) {
    throw new ToolError(`One ${input.unit?.[0] ?? 'item'} alone is bigger than the output budget.`, {
      hint: 'Narrow the request to that one item, or raise --output-budget.',
    });
  }
  return { item, line: cutText(line, room.text), value };
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
