import { byteLength } from '../budget.js';
import { buildPage, continuation, type ListSpec, type PageCall, type Reply } from './page.js';

/** One page of an upstream API: its items and the token of the next page, if any. */
export interface UpstreamPage<T, U> {
  items: readonly T[];
  /** The next page's token (a `Link: next` URL or page number, a `next_cursor`, a `nextPageToken`). */
  next?: U | undefined;
  /** The listing's total size when the API says it (GitHub search's `total_count`). */
  total?: number | undefined;
}

export interface PaginateInput<T, U> extends ListSpec<T> {
  /** Fetch the page at `token` (undefined: the first page). Must return the same page for the same token. */
  fetch: (token: U | undefined) => Promise<UpstreamPage<T, U>>;
  /** Most upstream requests one call may make (default 10): a slow API never holds a call for long. */
  maxRequests?: number;
}

/** Where in the upstream listing the next call resumes: a page token and the items to skip in it. */
interface UpstreamPosition<U> {
  u?: U;
  i: number;
}

const DEFAULT_MAX_REQUESTS = 10;

/**
 * Fill one reply from an API that pages on its own (`Link: next`, `next_cursor`,
 * `nextPageToken`): upstream pages are fetched until the output budget or the caller's limit is
 * full, and the cursor carries the upstream token plus the index inside that page, so the next
 * call resumes at the exact item, never skipping or repeating one.
 */
export async function paginate<T, U>(call: PageCall, input: PaginateInput<T, U>): Promise<Reply> {
  // A cursor bound to another value is refused before any upstream request.
  continuation(call, input);
  const maxRequests = input.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const resumeAt = readPosition<U>(call.position.state);
  const want = input.limit?.value ?? Number.POSITIVE_INFINITY;
  const collected: T[] = [];
  const origins: Array<UpstreamPosition<U>> = [];
  let token = resumeAt.u;
  let skip = resumeAt.i;
  let textBytes = 0;
  let after: UpstreamPosition<U> | undefined; // where the first item not collected is
  let total: number | undefined;

  for (let request = 0; ; request++) {
    const page = await input.fetch(token);
    if (page.total !== undefined) total = page.total;
    const items = page.items.slice(skip);
    let stoppedAt = -1;
    for (let j = 0; j < items.length; j++) {
      if (collected.length >= want || textBytes > call.budget) {
        stoppedAt = j;
        break;
      }
      const item = items[j] as T;
      collected.push(item);
      origins.push(token === undefined ? { i: skip + j } : { u: token, i: skip + j });
      // How much is collected, to stop fetching: a table's cells stand for its padded line.
      textBytes += byteLength(input.line ? input.line(item) : (input.table?.cells(item) ?? []).join('  ')) + 1;
    }
    if (stoppedAt !== -1) {
      after = token === undefined ? { i: skip + stoppedAt } : { u: token, i: skip + stoppedAt };
      break;
    }
    if (page.next === undefined || page.next === null) break;
    if (collected.length >= want || textBytes > call.budget || request + 1 >= maxRequests) {
      after = { u: page.next, i: 0 };
      break;
    }
    token = page.next;
    skip = 0;
  }

  const shownBefore = call.position.offset;
  const known = total !== undefined ? Math.max(0, total - shownBefore - collected.length) : undefined;
  return buildPage(call, {
    ...input,
    items: collected,
    rest: after ? (known !== undefined && known > 0 ? known : true) : false,
    resume: (index) => (index < origins.length ? origins[index] : after),
  });
}

function readPosition<U>(state: unknown): UpstreamPosition<U> {
  if (state && typeof state === 'object' && Number.isSafeInteger((state as { i?: unknown }).i)) {
    const s = state as { u?: U; i: number };
    return s.u === undefined ? { i: Math.max(0, s.i) } : { u: s.u, i: Math.max(0, s.i) };
  }
  return { i: 0 };
}
