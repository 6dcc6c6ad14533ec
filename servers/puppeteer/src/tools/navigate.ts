import { badArgument, Deadline } from '@patchbay/kit';
import type { HTTPResponse } from 'puppeteer-core';
import * as z from 'zod';
import { DialogOpenError, type Tab } from '../browser/tab.js';
import { type Ctx, tool } from '../kit.js';
import { describeTab, headed, notices, pageHeader, pageShape, snapshotShape } from './common.js';
import { type SnapshotMode, snapshotModeInput, withSnapshot } from './page-snapshot.js';

/**
 * What the title and snapshot after a navigation may take when the navigation itself used up its
 * time: a whole navigation answers within --navigation-timeout plus this.
 */
const LANDING_GRACE_MS = 2_000;

const waitUntilInput = z
  .enum(['load', 'domcontentloaded', 'networkidle'])
  .default('load')
  .describe('When the page counts as loaded (domcontentloaded is sooner)');
const withSnapshotInput = snapshotModeInput('compact');

const navigationShape = {
  ...pageShape,
  // Left out when the document came without an HTTP response (about:blank, a cached history entry).
  status: z.number().optional(),
  ...snapshotShape,
};

/** Check a URL the model gave against the policy before the browser sees it. */
export async function checkTarget(ctx: Ctx, raw: string, argument = 'url'): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const guess = /^[\w.-]+\.[a-z]{2,}(?::\d+)?(\/.*)?$/i.test(raw) ? ` Did you mean https://${raw}?` : '';
    throw badArgument(argument, `"${raw.slice(0, 200)}" is not an absolute URL.${guess}`);
  }
  const verdict = await ctx.services.policy.checkTopLevel(url.href);
  if (!verdict.allowed) {
    throw badArgument(
      argument,
      `${url.href.slice(0, 200)} is not allowed: ${verdict.reason}.`,
      'Only http(s) pages the operator allows can be opened.',
    );
  }
  return url.href;
}

/**
 * A tab whose page stopped answering gets a fresh page (a new renderer) before it navigates: a
 * navigation of the stuck page would wait behind its thread (see BrowserSession.renew).
 */
async function readyToNavigate(ctx: Ctx, tab: Tab): Promise<void> {
  // Quick: a page merely slow to answer that gets a fresh page loses only its history.
  if (await tab.responsive('quick')) return;
  await (await ctx.services.session()).renew(tab);
  ctx.services.notice(
    `Tab ${tab.id} was not responding, so its page was replaced by a fresh one (a new renderer); its back/forward history is gone.`,
  );
}

/**
 * Open a checked URL in a tab (the error table words the browser's failures). The navigation ends
 * by the deadline (--navigation-timeout from the start of the call), whatever the page does.
 */
export async function goTo(
  ctx: Ctx,
  tab: Tab,
  url: string,
  waitUntil: 'load' | 'domcontentloaded' | 'networkidle',
  deadline = new Deadline(ctx.services.options.navigationTimeout),
): Promise<HTTPResponse | null> {
  tab.throwIfDialog();
  await readyToNavigate(ctx, tab);
  tab.lastBlocked = undefined;
  const loading = tab.page.goto(url, {
    waitUntil: waitUntil === 'networkidle' ? 'networkidle0' : waitUntil,
    // Never 0, which puppeteer reads as "no timeout".
    timeout: deadline.left(1),
    signal: ctx.signal,
  });
  // A page that opens a dialog while loading waits for its answer: the reply says so, now.
  const response = await tab.whileNoDialog(loading).catch((error: unknown) => {
    if (error instanceof DialogOpenError) return null;
    throw error;
  });
  return response;
}

/**
 * The reply of every tool that lands on a page: where, status, and a (compact) snapshot. The
 * page is read within what is left of the deadline (at least LANDING_GRACE_MS); one that does
 * not answer gets a reply all the same, naming the tab.
 */
export async function landed(
  ctx: Ctx,
  tab: Tab,
  response: HTTPResponse | null,
  mode: SnapshotMode,
  verb: string,
  deadline: Deadline,
) {
  const ms = Math.min(ctx.services.options.actionTimeout, deadline.left(LANDING_GRACE_MS));
  const { state, snap, note } = await describeTab(ctx, tab, mode, ms);
  const status = response?.status();
  const side = notices(ctx, note);
  return withSnapshot(ctx, snap, {
    fields: { ...state, ...(status !== undefined ? { status } : {}), ...side },
    head: headed(`${verb} ${pageHeader(state)}${status !== undefined ? ` (HTTP ${status})` : ''}`, side),
  });
}

export const navigateTool = tool({
  name: 'puppeteer_navigate',
  title: 'Open a URL',
  description:
    'Open an http(s) URL in the active tab; returns the final URL, HTTP status, title and a compact snapshot with element refs.',
  toolset: 'browse',
  access: 'read',
  idempotent: false,
  openWorld: true,
  input: {
    url: z.string().min(1).max(8_192).describe('Absolute http(s) URL, or about:blank'),
    wait_until: waitUntilInput,
    snapshot: withSnapshotInput,
  },
  output: navigationShape,
  async handler(args, ctx) {
    const url = await checkTarget(ctx, args.url);
    const deadline = new Deadline(ctx.services.options.navigationTimeout);
    const tab = await ctx.services.tab();
    const response = await goTo(ctx, tab, url, args.wait_until, deadline);
    return landed(ctx, tab, response, args.snapshot, 'Opened', deadline);
  },
});

export const historyTool = tool({
  name: 'puppeteer_navigate_history',
  title: 'Back, forward or reload',
  description: 'Go back, forward or reload in the active tab; replies like puppeteer_navigate.',
  toolset: 'browse',
  access: 'read',
  idempotent: false,
  openWorld: true,
  input: {
    action: z.enum(['back', 'forward', 'reload']).describe('Where to go'),
    wait_until: waitUntilInput,
    snapshot: withSnapshotInput,
  },
  output: navigationShape,
  async handler(args, ctx) {
    const deadline = new Deadline(ctx.services.options.navigationTimeout);
    const tab = await ctx.services.tab();
    tab.throwIfDialog();
    const url = tab.url();
    const verb = args.action === 'reload' ? 'Reloaded' : args.action === 'back' ? 'Went back to' : 'Went forward to';
    if (!(await tab.responsive(args.action === 'reload' ? 'quick' : undefined))) {
      // A stuck page cannot go anywhere in its own renderer; a reload is a fresh page at its URL.
      if (args.action !== 'reload') throw tab.unresponsive();
      const response = await goTo(ctx, tab, url, args.wait_until, deadline);
      return landed(ctx, tab, response, args.snapshot, verb, deadline);
    }
    const options = {
      waitUntil: args.wait_until === 'networkidle' ? ('networkidle0' as const) : args.wait_until,
      timeout: deadline.left(1),
      signal: ctx.signal,
    };
    tab.lastBlocked = undefined;
    let response: HTTPResponse | null;
    const untilDialog = (loading: Promise<HTTPResponse | null>) =>
      tab.whileNoDialog(loading).catch((error: unknown) => {
        if (error instanceof DialogOpenError) return null;
        throw error;
      });
    if (args.action === 'reload') response = await untilDialog(tab.page.reload(options));
    else {
      const move = untilDialog(args.action === 'back' ? tab.page.goBack(options) : tab.page.goForward(options));
      // Only this call knows that an empty history is what its `action` asked for.
      response = await move.catch((error: unknown) => {
        throw error instanceof Error && /History entry to navigate to not found/i.test(error.message)
          ? noHistory(args.action, tab.id)
          : error;
      });
      if (!response && tab.url() === url) throw noHistory(args.action, tab.id);
    }
    return landed(ctx, tab, response, args.snapshot, verb, deadline);
  },
});

function noHistory(action: string, tab: string) {
  return badArgument('action', `there is no page to go ${action} to in tab ${tab}.`);
}
