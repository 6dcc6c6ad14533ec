import { badArgument, DeadlineError, type FailedCall, ToolError } from '@patchbay/kit';
import { DialogOpenError, describeDialog, TabBusyError } from './browser/tab.js';
import { conditionsOf, describeCondition, elementLabel, waitLimit } from './calls.js';
import type { BrowserServices } from './client.js';

type Call = FailedCall<BrowserServices>;

/**
 * The connector's one error table: what puppeteer and Chromium throw (a TimeoutError, a closed
 * target, a detached frame, a net::ERR_ code) and a tab whose page does not answer, turned into
 * results that say what happened and what to do, worded by the call it happened in: a timeout is
 * a page that did not load for a navigation, an element that never became ready for a click, a
 * condition that never held for a wait. Handlers throw ToolError themselves only for what only
 * they know (a bad key name, a page range past the document).
 */
export function explainBrowserError(error: unknown, call: Call): ToolError | undefined {
  const { tool, args } = call;
  if (error instanceof TabBusyError) return busyError(error);
  if (error instanceof DialogOpenError) {
    return new ToolError(`${describeDialog(error.tab, error.dialog)} The page waits for an answer before anything else.`, {
      hint: 'Answer it with puppeteer_handle_dialog (accept=true or false), or close the tab.',
    });
  }
  if (error instanceof DeadlineError) return deadlineError(error, call);
  const message = error instanceof Error ? error.message : String(error);
  const navigation = loads(call) ? navigationError(message, call) : undefined;
  if (navigation) return navigation;
  const selector = ['selector', 'selector_gone'].find((k) => typeof args[k] === 'string');
  if (selector && INVALID_SELECTOR.test(message)) {
    return badArgument(
      selector,
      `${JSON.stringify(args[selector])} is not a valid selector.`,
      'Prefer a ref from puppeteer_snapshot.',
    );
  }
  if (isTimeout(error)) return timeoutError(message, call);
  if (ELEMENT_ACTIONS.has(tool) && UNUSABLE.test(message)) {
    return new ToolError(`${label(call)} cannot be used: ${firstLine(message)}.`, {
      hint: 'Take a new snapshot and pick a visible element.',
    });
  }
  if (!PAGE_CHANGED.test(message)) return undefined;
  return new ToolError(`the page changed while ${tool} was working on it (it navigated or closed): ${firstLine(message)}.`, {
    hint: 'Take a new snapshot and try again.',
  });
}

/** A tab whose page does not answer: which tab, why, and what the model can do. */
export function busyError({ tab, busyMs, crashed }: TabBusyError): ToolError {
  const why = crashed
    ? "its page crashed (the browser's renderer for it died, often of a page too big or too deep for it)"
    : `its page has been busy for ${Math.max(1, Math.round(busyMs / 1_000))} s (a script that never yields, or more page than the browser can handle)`;
  const close = `close it with puppeteer_tabs action=close tab=${tab}`;
  return new ToolError(`tab ${tab} is not responding: ${why}.`, {
    hint: crashed
      ? `Reload it with puppeteer_navigate_history action=reload, open another page in it, or ${close}.`
      : `Call again later, reload it with puppeteer_navigate_history action=reload, or ${close}.`,
  });
}

/** Puppeteer's timeouts (named TimeoutError), and the ones its messages only describe. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || /timed? ?out|timeout|ms exceeded/i.test(error.message));
}

/** A call that loads a page (a navigation, back or reload, a tab opened at a URL): its failures are a page's. */
function loads({ tool, args }: Call): boolean {
  return (
    tool === 'puppeteer_navigate' ||
    tool === 'puppeteer_navigate_history' ||
    (tool === 'puppeteer_tabs' && typeof args.url === 'string')
  );
}

/** Tools that act on one element, by ref or selector. */
const ELEMENT_ACTIONS = new Set([
  'puppeteer_click',
  'puppeteer_hover',
  'puppeteer_type',
  'puppeteer_select_option',
  'puppeteer_press_key',
]);
const INVALID_SELECTOR = /not a valid selector|Unexpected token|Invalid selector|is not a valid|SyntaxError/i;
const UNUSABLE = /not clickable|not visible|not an HTMLElement|0 width|0 height|detached/i;
/** The document or target under a call went away: a navigation, a closed tab, a frame removed. */
const PAGE_CHANGED =
  /Target closed|Session closed|frame was detached|detached Frame|Execution context was destroyed|Cannot find context/i;

function timeoutError(message: string, call: Call): ToolError {
  const { tool, args, services } = call;
  const { options } = services;
  if (loads(call)) {
    return new ToolError(`${target(call).slice(0, 200)} did not finish loading within ${options.navigationTimeout} ms.`, {
      hint: 'What has loaded so far can be read with puppeteer_snapshot; wait_until=domcontentloaded finishes sooner.',
    });
  }
  if (ELEMENT_ACTIONS.has(tool)) {
    return new ToolError(`${label(call)} did not become visible, enabled and still within ${options.actionTimeout} ms.`, {
      hint: 'It may be hidden, covered or disabled; check with puppeteer_snapshot or puppeteer_screenshot.',
    });
  }
  if (tool === 'puppeteer_wait_for') {
    return new ToolError(`gave up waiting for ${describeCondition(args)} after ${waitLimit(args, options)} ms.`, {
      argument: conditionsOf(args)[0] ?? 'text',
      hint: 'Check the page with puppeteer_snapshot; the condition may never hold.',
    });
  }
  return new ToolError(`the browser did not answer in time: ${firstLine(message)}.`, {
    hint: 'The page may be busy or stuck; try again, or reload it with puppeteer_navigate_history action=reload.',
  });
}

/** A deadline of the connector's own passed: for a function the model ran, or for the whole call. */
function deadlineError(error: DeadlineError, { tool, services }: Call): ToolError {
  const tab = services.peek()?.activeId;
  if (tool !== 'puppeteer_evaluate') {
    if (tab) return busyError(new TabBusyError(tab, error.ms));
    return new ToolError(`${tool} got no answer from the browser within ${error.ms} ms.`, { hint: 'Try again.' });
  }
  const close = tab ? ` or close it with puppeteer_tabs action=close tab=${tab}` : '';
  return new ToolError(`the function did not finish within ${error.ms} ms${tab ? ` in tab ${tab}` : ''}.`, {
    argument: 'function',
    hint: `If it waits for something, wait for less; if it loops, the page may now be stuck: reload it with puppeteer_navigate_history action=reload${close}.`,
  });
}

/** How Chromium words a connection the guard proxy (SOCKS5) did not make: the proxy knows why. */
const THROUGH_PROXY = /^ERR_(SOCKS_\w+|PROXY_CONNECTION_FAILED)$/;

/** What Chromium's net:: codes mean for the page a navigation was loading. */
function navigationError(message: string, call: Call): ToolError | undefined {
  const url = target(call);
  const blocked = activeTab(call.services)?.lastBlocked;
  if (/ERR_BLOCKED_BY_CLIENT/.test(message) && blocked) {
    const where = blocked.url === url ? blocked.url : `${blocked.url} (reached from ${url.slice(0, 200)})`;
    return new ToolError(`navigation refused: ${where.slice(0, 300)} is not allowed: ${blocked.reason}.`, {
      hint: 'Nothing was requested from that address.',
    });
  }
  if (/ERR_ABORTED/.test(message)) {
    return new ToolError(
      `loading ${url.slice(0, 200)} was aborted (often because the URL is a download, or the page navigated again).`,
      {
        hint: 'puppeteer_network_requests shows what happened.',
      },
    );
  }
  const net = /net::(ERR_[A-Z_]+)/.exec(message);
  if (!net) return undefined;
  // Through the guard proxy a failed connection reaches Chromium only as a failed proxy connection;
  // the proxy said why.
  const code = net[1] ?? '';
  const detail = (THROUGH_PROXY.test(code) && call.services.connectionFailure(url)) || code;
  return new ToolError(`could not load ${url.slice(0, 200)}: ${detail}.`, {
    hint: 'Check the address; the site may be down or unreachable from here.',
  });
}

/** The URL a navigation call was loading: its `url` argument as the browser got it, or the tab's (back, reload). */
function target({ args, services }: Call): string {
  if (typeof args.url !== 'string') return activeTab(services)?.url() ?? 'the page';
  return URL.canParse(args.url) ? new URL(args.url).href : args.url;
}

/** The tab calls act on, as it is now, without launching a browser or waiting on one. */
function activeTab(services: BrowserServices) {
  const session = services.peek();
  return session?.tabs().find((t) => t.id === session.activeId);
}

function label({ args, services }: Call): string {
  return elementLabel(args, services.refs, 'the focused element');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? '';
}
