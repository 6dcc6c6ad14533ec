import { createHash } from 'node:crypto';
import { ToolError } from '../errors.js';

/**
 * Where a paged call resumes. The kit makes and reads the cursor; a handler only sees this:
 * `offset` items of the listing were shown by earlier pages, and `state` is whatever the handler
 * or an upstream API needs to continue (an upstream page token, the index inside that page).
 */
export interface Position {
  /** Items shown by the previous pages of this listing (0 on the first page). */
  readonly offset: number;
  /** The upstream position (`paginate`) or a handler's own resume data (`page({ state })`). */
  readonly state: unknown;
}

export const START: Position = Object.freeze({ offset: 0, state: undefined });

/**
 * A cursor is bound to the call that made it: the tool and every argument but `cursor`. Passed
 * back with other arguments (another folder, another query) it is refused rather than silently
 * paging something else. Plain base64url JSON: nothing in it is secret, and it is validated on
 * the way back in like any argument.
 */
export function argumentsKey(tool: string, args: Record<string, unknown>): string {
  const rest = Object.fromEntries(
    Object.entries(args)
      .filter(([key, value]) => key !== 'cursor' && value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return createHash('sha256').update(tool).update('\0').update(stableJson(rest)).digest('base64url').slice(0, 12);
}

/**
 * `bound`: the key of what else the cursor is bound to (see `Binding`), checked when the reply is
 * built, since only the handler knows it.
 */
export function makeCursor(key: string, position: Position, bound?: string): string {
  const body: Record<string, unknown> = { k: key, o: position.offset };
  if (position.state !== undefined) body.s = position.state;
  if (bound !== undefined) body.b = bound;
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Read a cursor this tool made for these arguments; a ToolError naming `cursor` otherwise. */
export function readCursor(cursor: string, key: string, tool: string): Position {
  return openCursor(cursor, key, tool).position;
}

/** A cursor read back: where it resumes, and the key of the value it is bound to, if any. */
export function openCursor(cursor: string, key: string, tool: string): { position: Position; bound: string | undefined } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const body = value as { k?: unknown; o?: unknown; s?: unknown; b?: unknown } | undefined;
  if (
    !body ||
    typeof body !== 'object' ||
    typeof body.k !== 'string' ||
    !Number.isSafeInteger(body.o) ||
    (body.o as number) < 0
  ) {
    throw new ToolError('is not a cursor this tool returned.', {
      argument: 'cursor',
      hint: 'Pass the `more.cursor` value of the previous result unchanged, or leave cursor out to start from the beginning.',
    });
  }
  if (body.k !== key) {
    throw new ToolError(`belongs to a ${tool} call with different arguments.`, {
      argument: 'cursor',
      hint: 'Repeat the call that returned it with the same arguments, or leave cursor out to start over.',
    });
  }
  return { position: { offset: body.o as number, state: body.s }, bound: typeof body.b === 'string' ? body.b : undefined };
}

/**
 * Something a cursor depends on that the kit cannot see in the arguments: the page a browser tab
 * shows (its URL), a document's version. A handler passes it with its reply; a cursor made under
 * another value is refused with `refusal` (naming the argument `cursor`) instead of resuming at
 * an offset that now means something else. Only a hash of the value goes into the cursor.
 */
export interface Binding {
  value: string;
  /** What changed, as the model reads it: `the page navigated since this cursor was made.` */
  refusal: string;
  /** What to do instead. Default: start over without a cursor. */
  hint?: string;
}

/** The key a binding's value gets in a cursor. */
export function bindingKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 12);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
