import { badArgument, moreSchema } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { DialogOpenError, type Tab, TabBusyError } from '../browser/tab.js';
import { elementLabel } from '../calls.js';
import { busyError, isTimeout } from '../errors.js';
import type { Ctx } from '../kit.js';
import { readSnapshot, type Snapshot, type SnapshotMode, SnapshotUnreadableError, withSnapshot } from './page-snapshot.js';

export const refInput = z
  .string()
  .regex(/^e\d{1,9}$/, 'a ref looks like e12')
  .optional()
  .describe('Element ref from a snapshot, like e12');
export const selectorInput = z
  .string()
  .min(1)
  .max(1_000)
  .optional()
  .describe('CSS selector (or ::-p-text(…)) when there is no ref');

/**
 * Fields every result about a page carries. Output fields go without descriptions: the text
 * rendering explains them, and every byte of a schema is paid on every conversation.
 */
export const pageShape = {
  tab: z.string(),
  url: z.string(),
  title: z.string(),
  notices: z.array(z.string()).optional(),
};

export const snapshotShape = {
  snapshot: z.string().optional(),
  more: moreSchema,
};

export interface Located {
  handle: ElementHandle;
  /** How to name the element in a result: `button "Save" [ref=e4]` or the selector. */
  label: string;
}

/** The element a tool acts on, from a ref of a snapshot or a selector. */
export async function locate(
  ctx: Ctx,
  tab: Tab,
  args: { ref?: string | undefined; selector?: string | undefined },
): Promise<Located> {
  if (args.ref && args.selector) throw badArgument('ref', 'give either ref or selector, not both.');
  if (args.ref) return locateRef(ctx, tab, args.ref);
  if (args.selector) return locateSelector(ctx, tab, args.selector);
  throw badArgument('ref', 'is required (or selector).', 'Take a snapshot with puppeteer_snapshot and pass a [ref=…] from it.');
}

export async function locateOptional(
  ctx: Ctx,
  tab: Tab,
  args: { ref?: string | undefined; selector?: string | undefined },
): Promise<Located | undefined> {
  return args.ref || args.selector ? locate(ctx, tab, args) : undefined;
}

async function locateRef(ctx: Ctx, tab: Tab, ref: string): Promise<Located> {
  const target = ctx.services.refs.get(ref);
  if (!target) {
    throw badArgument(
      'ref',
      `"${ref}" is not a ref of this browser's pages.`,
      'Take a new snapshot with puppeteer_snapshot and use a [ref=…] from it.',
    );
  }
  if (target.tab !== tab.id) {
    throw badArgument(
      'ref',
      `${ref} belongs to tab ${target.tab}, not the active tab ${tab.id}.`,
      `Select it first: puppeteer_tabs action=select tab=${target.tab}.`,
    );
  }
  const label = elementLabel({ ref }, ctx.services.refs);
  const handle = await tab.ask('finding an element', async () => {
    let found: ElementHandle | null = null;
    try {
      found = await target.handle();
    } catch {
      return null;
    }
    const connected = found ? await found.evaluate((node) => node.isConnected).catch(() => false) : false;
    return connected ? found : null;
  });
  if (!handle) {
    throw badArgument(
      'ref',
      `${label} is no longer on the page (it changed or navigated since the snapshot).`,
      'Take a new snapshot and use a current ref.',
    );
  }
  return { handle, label };
}

async function locateSelector(ctx: Ctx, tab: Tab, selector: string): Promise<Located> {
  const timeout = ctx.services.options.actionTimeout;
  // A direct query first: it answers at once when the element is there and rejects a malformed
  // selector (the error table says so), where waiting would only time out.
  const handle =
    (await tab.ask('finding an element', (page) => page.$(selector))) ??
    (await tab.page.waitForSelector(selector, { timeout, signal: ctx.signal }).catch((error: unknown) => {
      if (isTimeout(error)) return null;
      throw error;
    }));
  if (!handle) {
    throw badArgument(
      'selector',
      `no element matches ${JSON.stringify(selector)} within ${timeout} ms.`,
      'Check the page with puppeteer_snapshot; a ref is more reliable than a selector.',
    );
  }
  return { handle: handle as ElementHandle, label: elementLabel({ selector }, ctx.services.refs) };
}

export async function pageState(tab: Tab, ms?: number): Promise<{ tab: string; url: string; title: string }> {
  return { tab: tab.id, url: tab.url(), title: await tab.title(ms) };
}

/**
 * Where a tab is and its snapshot (as asked), for a call whose own work is done (a navigation, an
 * action): that work happened, so a page that does not answer afterwards does not turn the reply
 * into an error. The reply then has the browser's title for the tab, no snapshot, and a note
 * naming the tab and saying what to do.
 */
export async function describeTab(
  ctx: Ctx,
  tab: Tab,
  mode: SnapshotMode,
  ms?: number,
): Promise<{ state: { tab: string; url: string; title: string }; snap?: Snapshot | undefined; note?: string }> {
  try {
    if (mode === 'none') return { state: await pageState(tab, ms) };
    // The title comes with the outline: one call into the page, not two.
    const snap = await readSnapshot(ctx, tab, { compact: mode === 'compact', ms });
    const state = snap.title !== undefined ? { tab: tab.id, url: tab.url(), title: snap.title } : await pageState(tab, ms);
    return { state, snap };
  } catch (error) {
    // A dialog the page waits on: the notice about it says what to do, and the page cannot be read.
    if (error instanceof DialogOpenError) {
      return { state: { tab: tab.id, url: tab.url(), title: (await ctx.services.peek()?.knownTitle(tab)) ?? '' } };
    }
    // The page's scripts broke the snapshot: the tool did its work all the same, and says so.
    if (error instanceof SnapshotUnreadableError) {
      return { state: await pageState(tab, ms), note: error.render() };
    }
    if (!(error instanceof TabBusyError)) throw error;
    const title = (await ctx.services.peek()?.knownTitle(tab)) ?? '';
    return { state: { tab: tab.id, url: tab.url(), title }, note: busyError(error).render() };
  }
}

export function pageHeader(state: { tab: string; url: string; title: string }): string {
  return `Tab ${state.tab}: ${state.title ? `${JSON.stringify(state.title)} ` : ''}${state.url}`;
}

/**
 * Notices collected since the last result, and any of this call's own (a tab that stopped
 * answering), only when there are some (no empty arrays in output).
 */
export function notices(ctx: Ctx, ...own: Array<string | undefined>): { notices?: string[] } {
  const list = [...ctx.services.drainNotices(), ...own.filter((n): n is string => Boolean(n))];
  return list.length ? { notices: list } : {};
}

/** A result's header with its notices under it, as the text of every result starts. */
export function headed(header: string, side: { notices?: string[] }): string {
  return [header, ...(side.notices ?? []).map((n) => `Note: ${n}`)].join('\n');
}

/** The common tail of every action: settle, then state, notices and an optional snapshot. */
export async function afterAction<E extends Record<string, unknown> = Record<never, never>>(
  ctx: Ctx,
  tab: Tab,
  urlBefore: string,
  done: string,
  mode: SnapshotMode,
  /** A tool's own fields and the lines under the header that show them. */
  extra: { fields?: E; lines?: string[] } = {},
) {
  const navigated = (tab.dialog ? false : await tab.settle(ctx.signal)) || tab.url() !== urlBefore;
  await (await ctx.services.session()).adopted();
  const active = await ctx.services.tab();
  const { state, snap, note } = await describeTab(ctx, active, mode);
  const side = notices(ctx, note);
  return withSnapshot(ctx, snap, {
    fields: { ...state, action: done, navigated, ...(extra.fields as E), ...side },
    head: [headed(`${done}${navigated ? ' The page navigated.' : ''}\n${pageHeader(state)}`, side), ...(extra.lines ?? [])].join(
      '\n',
    ),
  });
}

/**
 * The shape of an action on one element: find it by ref or selector, act (the error table words
 * what puppeteer throws), then reply like every action.
 */
export async function actOn(
  ctx: Ctx,
  args: { ref?: string | undefined; selector?: string | undefined; snapshot: SnapshotMode },
  act: (handle: ElementHandle, timeout: number, label: string) => Promise<unknown>,
  done: (label: string) => string,
) {
  const tab = await ctx.services.tab();
  const { handle, label } = await locate(ctx, tab, args);
  const before = tab.url();
  const timeout = ctx.services.options.actionTimeout;
  // The action waits up to `timeout` for its element, then sends input the page must take: a
  // page that stops answering on the way (its click handler never returns) is named as such.
  const opened = await tab
    .ask('acting on an element', () => act(handle, timeout, label), { ms: 2 * timeout + 1_000 })
    .then(() => false, dialogOpened);
  return afterAction(ctx, tab, before, done(label) + (opened ? ' It opened a dialog.' : ''), args.snapshot);
}

/** An action whose input made the page open a dialog did its work: that is its outcome, not an error. */
export function dialogOpened(error: unknown): true {
  if (error instanceof DialogOpenError) return true;
  throw error;
}

export const actionShape = {
  ...pageShape,
  action: z.string(),
  navigated: z.boolean(),
  ...snapshotShape,
};
