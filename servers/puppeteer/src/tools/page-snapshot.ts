import { badArgument, decodeCursor, encodeCursor, jsonSize, type More, more, moreLine } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { measured, type OutlineLine, readOutline, type Signpost, withRef } from '../browser/snapshot.js';
import type { Tab } from '../browser/tab.js';
import type { Ctx } from './common.js';

export type SnapshotMode = 'compact' | 'full' | 'none';

/** The `snapshot` argument of the tools that land on a page or act on one. */
export function snapshotModeInput(fallback: SnapshotMode) {
  return z.enum(['compact', 'full', 'none']).default(fallback).describe('Page snapshot to return');
}

export interface PageSnapshot {
  snapshot: string;
  more: More;
  /** The text rendering of `more`. */
  moreText: string;
}

interface SnapshotCursor extends Record<string, unknown> {
  o: number;
  u: string;
}

const REST = 'puppeteer_snapshot shows the rest: ref= for one part, or';
/** What puppeteer says when the document under a walk was replaced (a navigation, a reload). */
const CONTEXT_LOST = /Execution context was destroyed|Cannot find context|detached Frame|frame was detached/i;
/** What the signpost list of a compact snapshot may take of its size. */
const SIGNPOST_SHARE = 0.25;
const MAX_SIGNPOST_BYTES = 1_024;

/**
 * The accessibility outline of a tab (or of one element), cut at a line boundary: to the output
 * budget, or for a compact snapshot to the operator's `--snapshot-bytes`, followed by the
 * landmarks, headings and dialogs of the part left out. A compact snapshot is the start of the
 * full one (same lines, same refs), so its cursor continues in puppeteer_snapshot, as long as
 * the page has not navigated.
 */
export async function budgetedSnapshot(
  ctx: Ctx,
  tab: Tab,
  options: { scope?: ElementHandle; cursor?: string; reserve?: number; compact?: boolean; ms?: number } = {},
): Promise<PageSnapshot> {
  let offset = 0;
  if (options.cursor) {
    const state = decodeCursor<SnapshotCursor>(
      options.cursor,
      (v): v is SnapshotCursor => typeof v.o === 'number' && typeof v.u === 'string',
    );
    if (state.u !== tab.url()) {
      throw badArgument('cursor', 'the page navigated since this cursor was made.', 'Take a new snapshot without a cursor.');
    }
    offset = state.o;
  }
  const reserve = options.reserve ?? 1_536;
  const limit = options.compact
    ? Math.min(ctx.services.options.snapshotBytes, ctx.budget.bytes - reserve)
    : ctx.budget.bytes - reserve;
  const size = (line: string) => jsonSize(line) + 1;
  // The page walks and renders its own outline; a page that does not answer in time (its thread
  // stuck in a script, or a document too big to walk) is reported by name, not waited for.
  const outline = await tab.ask(
    'taking a snapshot',
    async (page) => {
      const read = () => readOutline(page, { offset, limit, signposts: options.compact === true }, options.scope);
      try {
        return await read();
      } catch (error) {
        // The walk takes a few round trips; a document replaced during them is walked again, once.
        if (options.scope || offset > 0 || !(error instanceof Error) || !CONTEXT_LOST.test(error.message)) throw error;
        return read();
      }
    },
    options.ms === undefined ? {} : { ms: options.ms },
  );
  const lines = outline.lines;
  let used = lines.reduce((sum, line) => sum + size(measured(line)), 0);
  const cut = !outline.exact || outline.total - offset - lines.length > 0;
  let chosen: Signpost[] = [];
  if (options.compact && cut) {
    chosen = chooseSignposts(outline.signposts, Math.min(MAX_SIGNPOST_BYTES, limit * SIGNPOST_SHARE));
    // The note on the rest needs room: the last lines make way for it (the cursor then starts at them).
    const room = jsonSize(REST) + chosen.reduce((sum, s) => sum + jsonSize(s.line.head) + 20, 0);
    while (lines.length > 1 && used + room > limit) used -= size(measured(lines.pop() as OutlineLine));
  }
  // Refs are handed out in document order: the lines shown, then the signposts after them.
  const shown = lines.map((line) => withRef(line, tab.id, ctx.services.refs));
  const further = chosen.length
    ? `Further down: ${chosen.map((s) => withRef(s.line, tab.id, ctx.services.refs)).join(', ')}${chosen.length < outline.signposts.length ? ', …' : ''}. `
    : '';
  // When the page was too big to count to the end, how much is left is not known: "more".
  const omitted = outline.exact ? outline.total - offset - shown.length : 0;
  const cursor = cut ? encodeCursor({ o: offset + shown.length, u: tab.url() }) : undefined;
  const snapshot = shown.join('\n') || (outline.total ? '' : '(the page has no accessible content)');
  if (!cursor) return { snapshot, more: undefined, moreText: '' };
  if (!options.compact) {
    const info = more(
      omitted,
      'Snapshot one part with ref= (a landmark, list or form from above) or selector=, or pass cursor to continue.',
      cursor,
    );
    return { snapshot, more: info, moreText: moreLine(info, 'lines') };
  }
  return {
    snapshot,
    more: more(omitted, `${further}${REST} this cursor to continue.`, cursor),
    moreText: `\n… ${omitted ? `${omitted} more lines` : 'More lines'} not shown (compact snapshot). ${further}${REST} cursor=${cursor} to continue.`,
  };
}

/** The signposts that matter most and fit, back in document order. */
function chooseSignposts(signposts: Signpost[], bytes: number): Signpost[] {
  const ranked = signposts.map((s, order) => ({ s, order })).sort((a, b) => a.s.priority - b.s.priority || a.order - b.order);
  const chosen: Array<{ s: Signpost; order: number }> = [];
  let used = 0;
  for (const entry of ranked) {
    const cost = jsonSize(entry.s.line.head) + 20;
    if (used + cost > bytes) break;
    chosen.push(entry);
    used += cost;
  }
  return chosen.sort((a, b) => a.order - b.order).map((entry) => entry.s);
}

/** The snapshot a navigation or an action attaches, as the call asked, within `ms` if given. */
export function attachedSnapshot(ctx: Ctx, tab: Tab, mode: SnapshotMode, ms?: number): Promise<PageSnapshot | undefined> {
  if (mode === 'none') return Promise.resolve(undefined);
  return budgetedSnapshot(ctx, tab, { compact: mode === 'compact', ...(ms === undefined ? {} : { ms }) });
}

/** Actions return no snapshot unless asked: the model's refs stay valid while the page stays. */
export const snapshotAfterInput = snapshotModeInput('none');
