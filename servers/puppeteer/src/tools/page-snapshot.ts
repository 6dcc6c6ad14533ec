import { type Binding, jsonSize, type More, ToolError, type ToolReply } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { type OutlineLine, OutlineUnreadableError, readOutline, type Signpost, withRef } from '../browser/snapshot.js';
import type { Tab } from '../browser/tab.js';
import type { Ctx } from '../kit.js';

export type SnapshotMode = 'compact' | 'full' | 'none';

/** The `snapshot` argument of the tools that land on a page or act on one. */
export function snapshotModeInput(fallback: SnapshotMode) {
  return z.enum(['compact', 'full', 'none']).default(fallback).describe('Page snapshot to return');
}

/** Actions return no snapshot unless asked: the model's refs stay valid while the page stays. */
export const snapshotAfterInput = snapshotModeInput('none');

/** The outline read for one reply: its lines from where the reply starts, refs handed out. */
export interface Snapshot {
  tab: Tab;
  lines: string[];
  /** Lines after these: how many, or a lower bound when the page was too big to count. */
  rest: number | { atLeast: number } | true;
  /** A compact snapshot: the start of the page, with its landmarks and headings further down. */
  compact: boolean;
  /** A compact snapshot's "Further down: …" list, refs included. */
  further: string;
  /** The page's title, read with a whole-page outline (saves asking the page again). */
  title?: string;
}

/** What puppeteer says when the document under a walk was replaced (a navigation, a reload). */
const CONTEXT_LOST = /Execution context was destroyed|Cannot find context|detached Frame|frame was detached/i;
/** What the signpost list of a compact snapshot may take of its size. */
const SIGNPOST_SHARE = 0.25;
const MAX_SIGNPOST_BYTES = 1_024;

/**
 * The accessibility outline of a tab (or of one element) from `offset` on: the page walks its
 * DOM and renders about as many lines as a reply can take (the output budget, or for a compact
 * snapshot the operator's `--snapshot-bytes`); the kit fits them. A compact snapshot is the start
 * of the full one (same lines, same refs), and also lists the landmarks, headings and dialogs of
 * the part left out.
 */
export async function readSnapshot(
  ctx: Ctx,
  tab: Tab,
  options: { scope?: ElementHandle | undefined; offset?: number; compact?: boolean; ms?: number | undefined } = {},
): Promise<Snapshot> {
  const offset = options.offset ?? 0;
  const compact = options.compact === true;
  const limit = compact ? Math.min(ctx.services.options.snapshotBytes, ctx.budget.bytes) : ctx.budget.bytes;
  // The page walks and renders its own outline; a page that does not answer in time (its thread
  // stuck in a script, or a document too big to walk) is reported by name, not waited for.
  const outline = await tab.ask(
    'taking a snapshot',
    async (page) => {
      const read = () => readOutline(page, { offset, limit, signposts: compact }, options.scope);
      try {
        return await read();
      } catch (error) {
        if (error instanceof OutlineUnreadableError) throw new SnapshotUnreadableError(tab);
        // The walk takes a few round trips; a document replaced during them is walked again, once.
        if (options.scope || offset > 0 || !(error instanceof Error) || !CONTEXT_LOST.test(error.message)) throw error;
        return read();
      }
    },
    options.ms === undefined ? {} : { ms: options.ms },
  );
  const after = Math.max(0, outline.total - offset - outline.lines.length);
  // When the page was too big to count to the end, only a lower bound of the rest is known.
  const rest = outline.exact ? after : after > 0 ? { atLeast: after } : true;
  const cut = rest !== 0;
  const chosen = compact && cut ? chooseSignposts(outline.signposts, Math.min(MAX_SIGNPOST_BYTES, limit * SIGNPOST_SHARE)) : [];
  // Refs are handed out in document order: the lines, then the signposts after them.
  const lines = outline.lines.map((line) => withRef(line, tab.id, ctx.services.refs));
  const further = chosen.length
    ? `Further down: ${chosen.map((s) => withRef(s.line, tab.id, ctx.services.refs)).join(', ')}${chosen.length < outline.signposts.length ? ', …' : ''}.`
    : '';
  return { tab, lines, rest, compact, further, ...(outline.title !== undefined ? { title: outline.title } : {}) };
}

/**
 * A page whose own scripts broke the walk's answer (see OutlineUnreadableError). A tool that
 * landed on the page replies without a snapshot and says so; puppeteer_snapshot fails with it.
 */
export class SnapshotUnreadableError extends ToolError {
  constructor(tab: Tab) {
    super(
      `tab ${tab.id}: the page did not answer the snapshot as expected — its own scripts changed what the snapshot relies on (JSON or the objects' toJSON).`,
      { hint: 'Read it with puppeteer_get_text or puppeteer_screenshot, or open another page in the tab.' },
    );
  }
}

/** The signposts that matter most and fit, back in document order. */
function chooseSignposts(signposts: Signpost[], bytes: number): Signpost[] {
  const ranked = signposts.map((s, order) => ({ s, order })).sort((a, b) => a.s.priority - b.s.priority || a.order - b.order);
  const chosen: Array<{ s: Signpost; order: number }> = [];
  let used = 0;
  for (const entry of ranked) {
    const cost = signpostSize(entry.s.line);
    if (used + cost > bytes) break;
    chosen.push(entry);
    used += cost;
  }
  return chosen.sort((a, b) => a.order - b.order).map((entry) => entry.s);
}

/** A signpost as listed: its line's head and a ref. */
function signpostSize(line: OutlineLine): number {
  return jsonSize(line.head) + 20;
}

/**
 * A snapshot's cursor holds an offset into the outline of the page the tab showed: after a
 * navigation the same offset is another page's line, so the cursor is refused.
 */
export function pageBinding(tab: Tab): Binding {
  return {
    value: tab.url(),
    refusal: 'the page navigated since this cursor was made.',
    hint: 'Call again without a cursor to start from the top of the page.',
  };
}

/**
 * A reply that carries a snapshot beside its own fields and header: the outline's lines fitted by
 * the kit, with a cursor that continues in puppeteer_snapshot (its own, in that tool). Without a
 * snapshot (none asked, or the page did not answer), the fields and the header alone.
 */
export function withSnapshot<F extends Record<string, unknown>>(
  ctx: Ctx,
  snap: Snapshot | undefined,
  reply: { fields: F; head: string },
): ToolReply<F & { snapshot?: string; more?: More }> {
  if (!snap) return { structured: reply.fields, text: reply.head };
  const own = ctx.tool === 'puppeteer_snapshot';
  const part = 'Snapshot one part with ref= (a landmark, list or form from above) or selector=.';
  return ctx.page({
    key: 'snapshot',
    joined: true,
    items: snap.lines,
    rest: snap.rest,
    line: (line) => line,
    unit: ['line', 'lines'],
    fields: reply.fields,
    head: reply.head,
    empty: '(the page has no accessible content)',
    bind: pageBinding(snap.tab),
    ...(own ? {} : { cursorFor: { tool: 'puppeteer_snapshot' } }),
    ...(snap.compact
      ? {
          // --snapshot-bytes is the size of the snapshot and its note on the rest; the page's
          // fields and notices come on top of it (never over the output budget).
          budget: Math.min(ctx.budget.bytes, ctx.services.options.snapshotBytes + jsonSize(reply.fields)),
          cause: 'compact snapshot',
          hint: `${snap.further ? `${snap.further} ` : ''}ref= snapshots one part.`,
        }
      : // The page walked as many lines as the budget holds: the budget is what cut them.
        { cause: 'output budget', hint: part }),
  });
}
