import { byteLength, jsonSize, type More } from '../budget.js';
import { type Binding, makeCursor } from './cursor.js';
import { continuation, continuationLine, type PageCall, type Reply } from './page.js';

/** A long text (a file, a document, a log) shown a budget-sized piece at a time. */
export interface TextPageInput {
  /** The whole text. The kit shows it from the cursor's position on. */
  text: string;
  /** Field of the structured result that holds the piece shown. Default `text`. */
  key?: string;
  /** The structured result's other fields. */
  fields?: Record<string, unknown>;
  /** Text above the piece (not repeated in the structured result). */
  head?: string;
  /** What else the caller can do besides passing the cursor (ask for a line range). */
  hint?: string;
  /**
   * When `text` is only a window of a longer text, read from `ctx.position.offset` on (a page's
   * text, a remote file read by range: the whole never crosses), the whole text's length in
   * characters. What is left is then counted in characters, and no line numbers are given.
   */
  total?: number;
  /** Also bind the cursor to a value the arguments do not show (see `Binding`). */
  bind?: Binding;
}

/**
 * Show `text` from `position.offset` (a character offset) on, cut at the last line break that
 * fits (a character boundary when a single line is longer than the budget), with a cursor to the
 * exact character where the next piece starts. Structured `start_line`/`end_line` say which
 * lines of the whole text the piece covers.
 */
export function buildTextPage(call: PageCall, input: TextPageInput): Reply {
  const key = input.key ?? 'text';
  const windowed = input.total !== undefined;
  // The text's length, and where the piece starts: in the text given, and in the whole text.
  const length = windowed ? call.position.offset + input.text.length : input.text.length;
  const start = windowed ? call.position.offset : Math.min(call.position.offset, input.text.length);
  const remaining = windowed ? input.text : input.text.slice(start);
  const next = continuation(call, input);
  const hint = [next.how, input.hint].filter(Boolean).join(' ');
  const total = Math.max(length, input.total ?? 0);
  const sampleCursor = next.key ? makeCursor(next.key, { offset: total, state: undefined }, next.bound) : '';
  const fields = input.fields ?? {};
  const reserve = byteLength(hint) + byteLength(sampleCursor) + 160;
  const fixed = Math.max(
    (input.head ? byteLength(input.head) + 1 : 0) + reserve,
    jsonSize({ ...fields, [key]: '', ...(windowed ? {} : { start_line: 0, end_line: 0 }) }) + reserve,
  );
  // JSON escapes line breaks and quotes: leave room for the structured copy growing.
  const room = Math.max(256, call.budget - fixed);
  let piece = remaining;
  if (jsonSize(remaining) > room || byteLength(remaining) > room) {
    piece = fitPrefix(remaining, room);
  }
  const end = start + piece.length;
  let more: More;
  if (end < total) {
    // A window counts what is left in characters: the rest of the text was never read.
    const rest = windowed ? '' : input.text.slice(end);
    const omitted = windowed ? total - end : rest.split('\n').length - (rest.endsWith('\n') ? 1 : 0);
    const cursor = next.key ? makeCursor(next.key, { offset: end, state: undefined }, next.bound) : undefined;
    more = cursor ? { omitted, cursor, hint } : { omitted, hint: hint || 'Ask for a line range.' };
  }
  const body = [input.head, piece.replace(/\n$/, '')].filter((p) => p !== undefined && p !== '').join('\n');
  const unit: readonly [string, string] = windowed ? ['character', 'characters'] : ['line', 'lines'];
  const text = more ? body + continuationLine(more, unit, { cause: 'output budget' }) : body;
  const startLine = windowed ? 0 : lineNumberAt(input.text, start);
  const lines = windowed ? {} : { start_line: startLine, end_line: piece.length ? lineNumberAt(input.text, end - 1) : startLine };
  return { structured: { ...fields, [key]: piece, ...lines, ...(more ? { more } : {}) }, text };
}

/** The longest prefix whose text and JSON forms both fit, ending at a line break when one is near. */
function fitPrefix(text: string, room: number): string {
  // JSON-escaped size is at most 6× the raw size; search the character count that fits.
  let lo = 0;
  let hi = Math.min(text.length, room);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = text.slice(0, mid);
    if (jsonSize(candidate) <= room && byteLength(candidate) <= room) lo = mid;
    else hi = mid - 1;
  }
  let cut = lo;
  // Never split a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut--;
  const lastBreak = text.lastIndexOf('\n', cut - 1);
  return lastBreak >= cut / 2 ? text.slice(0, lastBreak + 1) : text.slice(0, cut);
}

function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
