import {
  type AnyTool,
  badArgument,
  isToolError,
  type More,
  moreLine,
  moreSchema,
  type ToolContext,
  ToolError,
} from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { Deadline, DeadlineError, within } from '../browser/deadline.js';
import { type Tab, UnresponsiveTabError } from '../browser/tab.js';
import type { BrowserServices } from '../client.js';
import { attachedSnapshot, type PageSnapshot, type SnapshotMode } from './page-snapshot.js';

export type Ctx = ToolContext<BrowserServices>;

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
  const label = `${target.role}${target.name ? ` ${JSON.stringify(target.name.slice(0, 80))}` : ''} [ref=${ref}]`;
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
  try {
    // A direct query first: it answers at once when the element is there and rejects a
    // malformed selector, where waiting would only time out.
    const handle =
      (await tab.ask('finding an element', (page) => page.$(selector))) ??
      (await tab.page.waitForSelector(selector, { timeout: ctx.services.options.actionTimeout, signal: ctx.signal }));
    if (!handle) throw new Error('not found');
    return { handle: handle as ElementHandle, label: `selector ${JSON.stringify(selector)}` };
  } catch (error) {
    throw selectorError(error, selector, ctx.services.options.actionTimeout);
  }
}

export function selectorError(error: unknown, selector: string, timeout: number): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (isInvalidSelector(error)) {
    return badArgument(
      'selector',
      `${JSON.stringify(selector)} is not a valid selector.`,
      'Prefer a ref from puppeteer_snapshot.',
    );
  }
  if (!isTimeout(error) && message !== 'not found') return error;
  return badArgument(
    'selector',
    `no element matches ${JSON.stringify(selector)} within ${timeout} ms.`,
    'Check the page with puppeteer_snapshot; a ref is more reliable than a selector.',
  );
}

export function isInvalidSelector(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not a valid selector|Unexpected token|Invalid selector|is not a valid|SyntaxError/i.test(message);
}

/** Puppeteer's timeouts (their name is TimeoutError, which the kit would report as a cancellation). */
export function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'TimeoutError' || /timed? ?out|timeout|ms exceeded/i.test(error.message);
}

/** Turn puppeteer's failures while acting on an element into something the model can act on. */
export function actionError(error: unknown, label: string, timeout: number): unknown {
  if (isToolError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTimeout(error)) {
    return new ToolError(`${label} did not become visible, enabled and still within ${timeout} ms.`, {
      hint: 'It may be hidden, covered or disabled; check with puppeteer_snapshot or puppeteer_screenshot.',
    });
  }
  if (/not clickable|not visible|not an HTMLElement|0 width|0 height|detached/i.test(message)) {
    return new ToolError(`${label} cannot be used: ${message.split('\n')[0]}.`, {
      hint: 'Take a new snapshot and pick a visible element.',
    });
  }
  return error;
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
): Promise<{ state: { tab: string; url: string; title: string }; snap?: PageSnapshot | undefined; busy?: string }> {
  try {
    const [state, snap] = await Promise.all([pageState(tab, ms), attachedSnapshot(ctx, tab, mode, ms)]);
    return { state, snap };
  } catch (error) {
    if (!(error instanceof UnresponsiveTabError)) throw error;
    const title = (await ctx.services.peek()?.knownTitle(tab)) ?? '';
    return { state: { tab: tab.id, url: tab.url(), title }, busy: error.render() };
  }
}

export function pageHeader(state: { tab: string; url: string; title: string }): string {
  return `Tab ${state.tab}: ${state.title ? `${JSON.stringify(state.title)} ` : ''}${state.url}`;
}

/** The text rendering of a result: header, body, notices and the `more` line. */
export function render(parts: {
  header: string;
  body?: string | undefined;
  notices?: string[] | undefined;
  more?: More;
  /** The `more` line when the default rendering does not fit (a compact snapshot's). */
  moreText?: string | undefined;
  unit?: string;
}): string {
  const out = [parts.header];
  if (parts.notices?.length) out.push(...parts.notices.map((n) => `Note: ${n}`));
  if (parts.body) out.push(parts.body);
  return out.join('\n') + (parts.moreText ?? moreLine(parts.more, parts.unit ?? 'lines'));
}

/**
 * Notices collected since the last result, and any of this call's own (a tab that stopped
 * answering), only when there are some (no empty arrays in output).
 */
export function notices(ctx: Ctx, ...own: Array<string | undefined>): { notices?: string[] } {
  const list = [...ctx.services.drainNotices(), ...own.filter((n): n is string => Boolean(n))];
  return list.length ? { notices: list } : {};
}

/** The common tail of every action: settle, then state, notices and an optional snapshot. */
export async function afterAction(ctx: Ctx, tab: Tab, urlBefore: string, done: string, mode: SnapshotMode) {
  const navigated = (await tab.settle(ctx.signal)) || tab.url() !== urlBefore;
  await (await ctx.services.session()).adopted();
  const active = await ctx.services.tab();
  const { state, snap, busy } = await describeTab(ctx, active, mode);
  const side = notices(ctx, busy);
  const structured = {
    ...state,
    action: done,
    navigated,
    ...side,
    ...(snap ? { snapshot: snap.snapshot, more: snap.more } : {}),
  };
  const header = `${done}${navigated ? ' The page navigated.' : ''}\n${pageHeader(state)}`;
  return {
    structured,
    text: render({ header, body: snap?.snapshot, notices: side.notices, more: snap?.more, moreText: snap?.moreText }),
  };
}

/**
 * The shape of an action on one element: find it by ref or selector, act (puppeteer's failures
 * become advice), then reply like every action.
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
  try {
    // The action waits up to `timeout` for its element, then sends input the page must take: a
    // page that stops answering on the way (its click handler never returns) is named as such.
    await tab.ask('acting on an element', () => act(handle, timeout, label), { ms: 2 * timeout + 1_000 });
  } catch (error) {
    throw actionError(error, label, timeout);
  }
  return afterAction(ctx, tab, before, done(label), args.snapshot);
}

export const actionShape = {
  ...pageShape,
  action: z.string(),
  navigated: z.boolean(),
  ...snapshotShape,
};

/**
 * The longest any call may take, beyond the deadlines its own steps keep: a net under every path
 * into a page, so that no tool call waits on a stuck page for longer than this.
 */
function backstopMs(options: BrowserServices['options']): number {
  return options.navigationTimeout + 2 * options.actionTimeout + 5_000;
}

const BROWSER_GONE =
  /Target closed|Session closed|Connection closed|frame was detached|detached Frame|browser has disconnected|Protocol error|Execution context was destroyed/i;

/**
 * Every tool of this connector, wrapped so that a puppeteer timeout nobody mapped still reaches
 * the model as what it is (a timeout), not as a cancellation; and so that a call that found the
 * browser dead (killed, crashed) runs once more on a new browser instead of failing. Nothing the
 * first attempt did survives in the new browser, so the retry cannot act twice.
 */
export function withBrowserErrors<T extends AnyTool<BrowserServices>>(tool: T): T {
  const handler = tool.handler;
  return {
    ...tool,
    async handler(args: never, ctx: Ctx) {
      const session = ctx.services.peek();
      const limit = backstopMs(ctx.services.options);
      // The whole call, a run again on a new browser included, answers by the backstop.
      const deadline = new Deadline(limit);
      const overdue = new AbortController();
      const bounded: Ctx = { ...ctx, signal: AbortSignal.any([ctx.signal, overdue.signal]) };
      const run = async () => {
        try {
          return await within(handler(args, bounded), deadline.left());
        } catch (error) {
          if (!(error instanceof DeadlineError)) throw error;
          // Whatever the call was waiting for is abandoned (puppeteer's waits take the signal).
          overdue.abort();
          throw overdueError(ctx, tool.name, limit);
        }
      };
      try {
        return await run();
      } catch (error) {
        if (isToolError(error) || ctx.signal.aborted) throw error;
        if (isTimeout(error)) {
          throw new ToolError(`the browser did not answer in time: ${(error as Error).message.split('\n')[0]}.`, {
            hint: 'The page may be busy or stuck; try again, or reload it with puppeteer_navigate_history action=reload.',
          });
        }
        if (error instanceof Error && BROWSER_GONE.test(error.message) && session && (await died(session))) {
          ctx.log.warn(`${tool.name} found the browser dead; running it again on a new browser`);
          return run();
        }
        throw error;
      }
    },
  };
}

/** The answer of a call that ran past the backstop: it names the tab it was most likely stuck on. */
function overdueError(ctx: Ctx, name: string, ms: number): ToolError {
  const tab = ctx.services.peek()?.activeId;
  if (!tab) return new ToolError(`${name} got no answer from the browser within ${ms} ms.`, { hint: 'Try again.' });
  return new UnresponsiveTabError(tab, ms);
}

/** Whether a browser stopped, giving puppeteer a moment to notice its pipe closing. */
async function died(session: { connected: boolean }): Promise<boolean> {
  for (let i = 0; i < 10 && session.connected; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !session.connected;
}
