import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor, ToolError } from '@patchbay/kit';

/**
 * Cursors of this connector carry `k`, a fingerprint of the arguments that made them, so a
 * cursor passed back with other arguments is refused instead of silently paging something else.
 */
export function argumentsKey(...parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 10);
}

/** Decode a cursor this tool made for these arguments; a ToolError naming `cursor` otherwise. */
export function openCursor<T extends { k: string }>(
  cursor: string,
  key: string,
  tool: string,
  isValid: (value: Record<string, unknown>) => boolean,
): T {
  const value = decodeCursor(cursor, (v): v is T => typeof v.k === 'string' && isValid(v));
  if (value.k !== key) {
    throw new ToolError(`belongs to a ${tool} call with different arguments.`, {
      argument: 'cursor',
      hint: 'Repeat the call that returned it with the same arguments, or leave cursor out to start over.',
    });
  }
  return value;
}

/** A cursor that continues after the first `n` items of a listing. */
export function skipCursor(key: string, n: number): string {
  return encodeCursor({ k: key, n });
}

/** How many items a skip cursor says to pass over (0 without one). */
export function readSkip(cursor: string | undefined, key: string, tool: string): number {
  if (!cursor) return 0;
  return openCursor<{ k: string; n: number }>(cursor, key, tool, (v) => Number.isInteger(v.n) && (v.n as number) > 0).n;
}
