import * as z from 'zod';

export { DEFAULT_OUTPUT_BUDGET, MAX_OUTPUT_BUDGET, MIN_OUTPUT_BUDGET } from './limits.js';

/**
 * The `more` field every tool that can be cut puts in its output: how much was left out and how
 * to get it. Present only when something was left out. No descriptions: every tool that can be
 * cut publishes this schema, each byte is paid in every conversation, and each result's own
 * `hint` (and its text line) already says how to get the rest.
 */
export const moreSchema = z.object({ omitted: z.number(), cursor: z.string().optional(), hint: z.string() }).optional();

export type More = z.infer<typeof moreSchema>;

export function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Bytes of `value` as JSON (UTF-8), as `JSON.stringify` would write it. */
export function jsonSize(value: unknown): number {
  if (typeof value === 'string') return jsonStringSize(value);
  return byteLength(JSON.stringify(value) ?? '');
}

/**
 * A string's size as JSON, counted rather than written: lists are fitted line by line, and
 * stringifying each line only to measure it was most of what fitting a long list cost.
 */
function jsonStringSize(text: string): number {
  let size = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      // \b \t \n \f \r have short escapes; other control characters are written \u00XX.
      size += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    } else if (c < 0x80) {
      size += c === 0x22 || c === 0x5c ? 2 : 1;
    } else if (c < 0x800) {
      size += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        size += 4;
        i++;
      } else {
        // A lone surrogate is escaped as \uXXXX.
        size += 6;
      }
    } else {
      size += 3;
    }
  }
  return size;
}

/**
 * The output budget of one tool call. Handlers use it to stop collecting before a result grows
 * too big (so nothing is ever fetched or serialised in full); the kit enforces it again on what
 * the handler returns.
 */
export class OutputBudget {
  constructor(readonly bytes: number) {}

  /**
   * Keep the leading items whose combined size fits, leaving `reserve` bytes for the rest of the
   * reply. An item that alone is bigger than the budget is not kept: the caller cuts such an item
   * itself (a long line, a huge cell) before fitting.
   */
  take<T>(
    items: readonly T[],
    options: { reserve?: number; size?: (item: T) => number } = {},
  ): { items: T[]; omitted: number; bytes: number } {
    const size = options.size ?? jsonSize;
    const limit = this.bytes - (options.reserve ?? 512);
    const kept: T[] = [];
    let used = 0;
    for (const item of items) {
      const next = size(item) + 1;
      if (used + next > limit) break;
      kept.push(item);
      used += next;
    }
    return { items: kept, omitted: items.length - kept.length, bytes: used };
  }

  /** A running tally for streaming producers (cursor reads, log walks). */
  meter(reserve = 512): BudgetMeter {
    return new BudgetMeter(this.bytes - reserve);
  }

  /**
   * Cut text at the last line break that fits (a clean boundary), returning what was left out.
   * Text without line breaks is cut at a character boundary.
   */
  cutText(text: string, reserve = 256): { text: string; cut: boolean; omittedBytes: number; omittedLines: number } {
    const limit = this.bytes - reserve;
    if (byteLength(text) <= limit) return { text, cut: false, omittedBytes: 0, omittedLines: 0 };
    const head = Buffer.from(text, 'utf8')
      .subarray(0, limit)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    const lastBreak = head.lastIndexOf('\n');
    const kept = lastBreak > limit / 2 ? head.slice(0, lastBreak) : head;
    const rest = text.slice(kept.length);
    return {
      text: kept,
      cut: true,
      omittedBytes: byteLength(rest),
      omittedLines: rest.split('\n').length - (rest.startsWith('\n') ? 1 : 0),
    };
  }
}

export class BudgetMeter {
  used = 0;
  constructor(readonly limit: number) {}

  /** Count an item; false when it no longer fits (the item is then not counted). */
  fits(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }
}

/** A `more` value, or undefined when nothing was left out. */
export function more(omitted: number, hint: string, cursor?: string): More {
  if (omitted <= 0 && !cursor) return undefined;
  return cursor ? { omitted, cursor, hint } : { omitted, hint };
}

/** One line for the text rendering that says what `more` says. */
export function moreLine(value: More, unit = 'items'): string {
  if (!value) return '';
  const count = value.omitted > 0 ? `${value.omitted} more ${unit} not shown` : `More ${unit} available`;
  return `\n… ${count} (output budget). ${value.hint}${value.cursor ? ` cursor: ${value.cursor}` : ''}`;
}
