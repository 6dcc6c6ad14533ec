/**
 * Cursor pagination as Slack does it: `limit` and `cursor` in, `response_metadata.next_cursor`
 * out — a base64 cursor while more follow, an empty string on the last page. A cursor another
 * method made, or one that names something gone, is `invalid_cursor`.
 */
import { decodeCursor, encodeCursor } from '../ids.js';
import type { Call } from '../wire.js';

/** The key inside the call's `cursor` argument, undefined on the first page; fails `invalid_cursor`. */
export function cursorKey(call: Call, kind: string): string | undefined {
  const cursor = call.string('cursor');
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, kind);
  if (key === undefined) call.fail('invalid_cursor');
  return key;
}

/** `response_metadata` for a list page: the cursor to the item `nextKey`, or '' at the end. */
export function pageMetadata(kind: string, nextKey: string | undefined): { next_cursor: string } {
  return { next_cursor: nextKey === undefined ? '' : encodeCursor(kind, nextKey) };
}
