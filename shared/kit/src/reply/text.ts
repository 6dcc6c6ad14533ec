import { byteLength, jsonSize, type More } from '../budget.js';
import { makeCursor } from './cursor.js';
import { continuationLine, type PageCall, type Reply } from './page.js';

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
}

/**
 * Show `text` from `position.offset` (a character offset) on, cut at the last line break that
 * fits (a character boundary when a single line is longer than the budget), with a cursor to the
 * exact character where the next piece starts. Structured `start_line`/`end_line` say which
 * lines of the whole text the piece covers.
 */
export function buildTextPage(call: PageCall, input: TextPageInput): Reply {
  const key = input.key ?? 'text';
  const start = Math.min(call.position.offset, input.text.length);
  const remaining = input.text.slice(start);
  const hint = [call.cursorKey ? `Call ${call.tool} again with the same arguments and this cursor for the rest.` : '', input.hint]
    .filter(Boolean)
    .join(' ');
  const sampleCursor = call.cursorKey ? makeCursor(call.cursorKey, { offset: input.text.length, state: undefined }) : '';
  const fields = input.fields ?? {};
  const reserve = byteLength(hint) + byteLength(sampleCursor) + 160;
  const fixed = Math.max(
    (input.head ? byteLength(input.head) + 1 : 0) + reserve,
    jsonSize({ ...fields, [key]: '', start_line: 0, end_line: 0 }) + reserve,
  );
  // JSON escapes line breaks and quotes: leave room for the structured copy growing.
  const room = Math.max(256, call.budget - fixed);
  let piece = remaining;
  if (jsonSize(remaining) > room || byteLength(remaining) > room) {
    piece = fitPrefix(remaining, room);
  }
  const end = start + piece.length;
  const startLine = lineNumberAt(input.text, start);
  const endLine = piece.length ? lineNumberAt(input.text, end - 1) : startLine;
  let more: More;
  if (end < input.text.length) {
    const rest = input.text.slice(end);
    const omittedLines = rest.split('\n').length - (rest.endsWith('\n') ? 1 : 0);
    const cursor = call.cursorKey ? makeCursor(call.cursorKey, { offset: end, state: undefined }) : undefined;
    more = cursor ? { omitted: omittedLines, cursor, hint } : { omitted: omittedLines, hint: hint || 'Ask for a line range.' };
  }
  const body = [input.head, piece.replace(/\n$/, '')].filter((p) => p !== undefined && p !== '').join('\n');
  const text = more ? body + continuationLine(more, ['line', 'lines'], { cause: 'output budget' }) : body;
  return {
    structured: { ...fields, [key]: piece, start_line: startLine, end_line: endLine, ...(more ? { more } : {}) },
    text,
  };
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
