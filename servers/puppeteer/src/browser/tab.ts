import type { Logger } from '@patchbay/kit';
import { DeadlineError, within } from '@patchbay/kit';
import type { CDPSession, ConsoleMessage, Dialog, Frame, HTTPRequest, Page } from 'puppeteer-core';
import type { NavigationPolicy } from './policy.js';
import { type ConsoleEntry, clip, type NetworkEntry, type Ring } from './ring.js';
import { INSTALL_WALKER } from './snapshot.js';

const MAX_LOGGED_TEXT = 2_000;
const MAX_LOGGED_URL = 500;
/** A quick check that a page answers at all: a healthy renderer answers in milliseconds. */
const PROBE_MS = 2_000;

/**
 * A tab whose page did not answer in time, or whose renderer died. A page's main thread runs one
 * thing at a time, so while a script loops (or a layout of a huge document runs) every call into
 * that page waits; the other tabs have renderers of their own. The connector's error table says
 * what the model can do about it.
 */
export class TabBusyError extends Error {
  override readonly name = 'TabBusyError';
  constructor(
    readonly tab: string,
    readonly busyMs: number,
    readonly crashed = false,
  ) {
    super(`tab ${tab} is ${crashed ? 'crashed' : `busy (${busyMs} ms)`}`);
  }
}

/**
 * A call into a tab that has a JavaScript dialog (alert, confirm, prompt) open: the page waits for
 * an answer, so nothing else in it runs until puppeteer_handle_dialog answers it.
 */
export class DialogOpenError extends Error {
  override readonly name = 'DialogOpenError';
  constructor(
    readonly tab: string,
    readonly dialog: { type: string; message: string },
  ) {
    super(`tab ${tab} shows a ${dialog.type} dialog`);
  }
}

/** How a dialog of the page is worded for the model. */
export function describeDialog(tab: string, dialog: { type: string; message: string; defaultValue?: string }): string {
  const prompt =
    dialog.type === 'prompt' && dialog.defaultValue ? ` (default answer ${JSON.stringify(dialog.defaultValue)})` : '';
  return `Tab ${tab} shows ${dialog.type === 'alert' ? 'an' : 'a'} ${dialog.type} dialog: ${JSON.stringify(dialog.message)}${prompt}.`;
}

export interface TabDeps {
  policy: NavigationPolicy;
  console: Ring<ConsoleEntry>;
  network: Ring<NetworkEntry>;
  log: Logger;
  /** Something the model should hear about with its next result (a dialog, a refused request). */
  notice: (text: string) => void;
  actionTimeout: number;
  navigationTimeout: number;
  /**
   * What happens to an alert, confirm or prompt: it waits for puppeteer_handle_dialog (`ask`, as
   * Playwright MCP does), or is dismissed at once (`dismiss`, under --read-only, where no tool
   * may answer it).
   */
  dialogs: 'ask' | 'dismiss';
}

/**
 * One browser tab with its guards and recorders attached: every request it makes passes the
 * navigation policy first, and console output, page errors, dialogs and requests are recorded in
 * the shared bounded logs.
 */
export class Tab {
  /** The last request the policy refused, to explain a failed navigation. */
  lastBlocked: { url: string; reason: string } | undefined;
  /** The browser's id of the tab's target, to ask the browser process (not the page) about it. */
  targetId: string | undefined;
  #page: Page;
  /** A session of our own on the page, for checks that must not wait behind puppeteer's queue. */
  #cdp: CDPSession | undefined;
  /** The oldest call into the page still unanswered past its deadline, while it stays unanswered. */
  #stuck: { since: number } | undefined;
  /** The page's renderer died: calls into it would wait for ever (its session stays open). */
  #crashed = false;
  /** Calls waiting on the page when its renderer dies; they answer at once. */
  readonly #onCrash = new Set<() => void>();
  /** The dialog the page waits on, until puppeteer_handle_dialog answers it. */
  #dialogOpen: Dialog | undefined;
  /** Calls waiting on the page when it opens a dialog; they answer at once. */
  readonly #onDialog = new Set<(dialog: Dialog) => void>();
  #navigation: { promise: Promise<void>; done: () => void; request: HTTPRequest } | undefined;
  readonly #entries = new WeakMap<HTTPRequest, NetworkEntry>();

  private constructor(
    readonly id: string,
    page: Page,
    private readonly deps: TabDeps,
  ) {
    this.#page = page;
  }

  static async attach(id: string, page: Page, deps: TabDeps): Promise<Tab> {
    const tab = new Tab(id, page, deps);
    await tab.#watch(page);
    return tab;
  }

  /** The tab's page; a new one after `replace` (the tab keeps its id). */
  get page(): Page {
    return this.#page;
  }

  /**
   * Put a fresh page (a new target, in a renderer of its own) in place of one that stopped
   * answering. The old page's events are ignored from now on; the caller closes it.
   */
  async replace(page: Page): Promise<void> {
    this.#page = page;
    this.#stuck = undefined;
    this.#crashed = false;
    this.#dialogOpen = undefined;
    this.#cdp = undefined;
    this.targetId = undefined;
    this.lastBlocked = undefined;
    this.#navigationDone();
    await this.#watch(page);
  }

  async #watch(page: Page): Promise<void> {
    const deps = this.deps;
    const current = () => page === this.#page;
    page.setDefaultTimeout(deps.actionTimeout);
    page.setDefaultNavigationTimeout(deps.navigationTimeout);
    page.on('request', (request) => void this.#guard(request, current()));
    page.on('response', (response) => {
      const entry = this.#entries.get(response.request());
      if (!entry) return;
      entry.status = response.status();
    });
    page.on('requestfinished', (request) => this.#finished(request));
    page.on('requestfailed', (request) => this.#failed(request));
    page.on('console', (message) => this.#console(message));
    page.on('pageerror', (error) => {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.console.push({ tab: this.id, time: Date.now(), level: 'pageerror', text: clip(text, MAX_LOGGED_TEXT) });
    });
    page.on('dialog', (dialog) => void this.#dialog(dialog, page));
    // puppeteer's 'error' is Inspector.targetCrashed: the renderer is gone, the target stays.
    page.on('error', () => {
      if (!current()) return;
      this.#crashed = true;
      for (const wake of this.#onCrash) wake();
      deps.log.warn('a tab crashed', { tab: this.id, url: clip(page.url(), 200) });
      deps.notice(`The page in tab ${this.id} crashed; reload it or open another page in it.`);
    });
    page.on('domcontentloaded', () => {
      if (current()) this.#navigationDone();
    });
    page.on('framenavigated', (frame) => {
      if (current()) void this.#navigated(page, frame);
    });
    // Every document gets the snapshot walker at its start (see snapshot.ts).
    await page.evaluateOnNewDocument(INSTALL_WALKER);
    // Service workers would answer requests where interception cannot see them.
    await page.setBypassServiceWorker(true);
    await page.setRequestInterception(true);
    const cdp = await page.createCDPSession();
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    if (current()) {
      this.#cdp = cdp;
      this.targetId = targetInfo.targetId;
    }
  }

  url(): string {
    return this.page.url();
  }

  /** True while a call into the page has gone unanswered past its deadline, or its renderer died. */
  get busy(): boolean {
    return this.#stuck !== undefined || this.#crashed;
  }

  /** The error for a call this tab's page does not answer. */
  unresponsive(ms = 0): TabBusyError {
    return new TabBusyError(this.id, this.#stuck ? Date.now() - this.#stuck.since : ms, this.#crashed);
  }

  /**
   * Run a call into the page with a deadline (the action timeout unless given). When it passes,
   * the answer is an error naming this tab, and until the call finally returns the tab counts as
   * busy: later calls answer at once instead of queueing behind it. `blocking: false` is for work
   * that may legitimately wait without the page being stuck (a promise the model's function
   * awaits): its deadline rejects with a DeadlineError for the caller to word.
   */
  async ask<T>(what: string, work: (page: Page) => Promise<T>, options: { ms?: number; blocking?: boolean } = {}): Promise<T> {
    if (this.#stuck || this.#crashed) throw this.unresponsive();
    this.throwIfDialog();
    const ms = options.ms ?? this.deps.actionTimeout;
    const pending = work(this.#page);
    let wake: () => void = () => undefined;
    const crash = new Promise<never>((_resolve, reject) => {
      wake = () => reject(this.unresponsive());
    });
    this.#onCrash.add(wake);
    try {
      return await Promise.race([within(this.whileNoDialog(pending), ms), crash]);
    } catch (error) {
      if (!(error instanceof DeadlineError) || options.blocking === false) throw error;
      if (!this.#stuck) {
        const stuck = { since: Date.now() - ms };
        this.#stuck = stuck;
        const answered = () => {
          if (this.#stuck === stuck) this.#stuck = undefined;
        };
        pending.then(answered, answered);
        this.deps.log.info('a tab did not answer in time', { tab: this.id, what, ms });
      }
      throw this.unresponsive(ms);
    } finally {
      this.#onCrash.delete(wake);
    }
  }

  /** The dialog the page shows and waits on, if any. */
  get dialog(): Dialog | undefined {
    return this.#dialogOpen;
  }

  throwIfDialog(): void {
    const open = this.#dialogOpen;
    if (open) throw new DialogOpenError(this.id, { type: open.type(), message: open.message() });
  }

  /**
   * `work` (a call into the page, a navigation), unless the page opens a dialog first: then a
   * DialogOpenError at once, since the page waits for an answer and `work` with it. `work` goes on
   * once the dialog is answered; its outcome is dropped.
   */
  whileNoDialog<T>(work: Promise<T>): Promise<T> {
    let wake: (dialog: Dialog) => void = () => undefined;
    const opened = new Promise<never>((_resolve, reject) => {
      wake = (dialog) => reject(new DialogOpenError(this.id, { type: dialog.type(), message: dialog.message() }));
    });
    this.#onDialog.add(wake);
    work.catch(() => undefined);
    return Promise.race([work, opened]).finally(() => this.#onDialog.delete(wake));
  }

  /** Answer the dialog the page waits on; false when there is none (any more). */
  async answerDialog(accept: boolean, text?: string): Promise<boolean> {
    const open = this.#dialogOpen;
    if (!open) return false;
    this.#dialogOpen = undefined;
    if (accept) await open.accept(text);
    else await open.dismiss();
    return true;
  }

  /**
   * Whether the page's main thread answers a trivial call within `ms` (the action timeout unless
   * given). `quick` checks within PROBE_MS, for callers to whom a false "no" costs little.
   */
  async responsive(ms: number | 'quick' = this.deps.actionTimeout): Promise<boolean> {
    if (ms === 'quick') return this.responsive(Math.min(this.deps.actionTimeout, PROBE_MS));
    try {
      await this.ask(
        'a check that it answers',
        (page) => this.#cdp?.send('Runtime.evaluate', { expression: '0', returnByValue: true }) ?? page.evaluate('0'),
        { ms },
      );
      return true;
    } catch (error) {
      // Any answer, even an error (no document yet), means the thread is free.
      return !(error instanceof TabBusyError);
    }
  }

  async title(ms?: number): Promise<string> {
    return this.ask(
      'reading its title',
      async (page) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            return await page.title();
          } catch {
            // The document was being replaced; the next one has a title too.
            await sleep(50);
          }
        }
        return '';
      },
      ms === undefined ? {} : { ms },
    );
  }

  /**
   * After an action: if it started a navigation of this tab, wait until the new document is
   * parsed (or the navigation fails), so the next snapshot sees the new page.
   */
  async settle(signal?: AbortSignal): Promise<boolean> {
    await sleep(80);
    const navigation = this.#navigation;
    if (!navigation) return false;
    await Promise.race([navigation.promise, sleep(Math.min(this.deps.navigationTimeout, 10_000)), aborted(signal)]);
    return true;
  }

  /** `current`: the request comes from the tab's page, not from one it replaced (still closing). */
  async #guard(request: HTTPRequest, current: boolean): Promise<void> {
    if (request.isInterceptResolutionHandled()) return;
    const frame = request.frame();
    const topLevel = request.isNavigationRequest() && (frame === null || frame.parentFrame() === null);
    const url = request.url();
    let verdict: Awaited<ReturnType<NavigationPolicy['checkRequest']>>;
    try {
      verdict = await this.deps.policy.checkRequest(url, topLevel);
    } catch (error) {
      this.deps.log.error('policy check failed', { error });
      verdict = { allowed: false, reason: 'the policy check failed' };
    }
    // Allowed data: and blob: URLs never reach the network; logging them would only add bulk.
    if (verdict.allowed && (url.startsWith('data:') || url.startsWith('blob:'))) {
      await request.continue().catch(() => undefined);
      return;
    }
    const entry = this.deps.network.push({
      tab: this.id,
      time: Date.now(),
      method: request.method(),
      url: clip(url, MAX_LOGGED_URL),
      type: request.resourceType(),
      ...(verdict.allowed ? {} : { failure: `refused: ${verdict.reason}`, blocked: true }),
    });
    this.#entries.set(request, entry);
    if (verdict.allowed) {
      if (topLevel && current) this.#startNavigation(request);
      await request.continue().catch(() => undefined);
      return;
    }
    if (current) this.lastBlocked = { url, reason: verdict.reason };
    this.deps.log.info('request refused', { tab: this.id, url: clip(url, 200), reason: verdict.reason });
    if (topLevel || request.isNavigationRequest()) this.deps.notice(`Refused ${clip(url, 200)}: ${verdict.reason}.`);
    await request.abort('blockedbyclient').catch(() => undefined);
  }

  #finished(request: HTTPRequest): void {
    const entry = this.#entries.get(request);
    if (entry) entry.ms = Date.now() - entry.time;
  }

  #failed(request: HTTPRequest): void {
    const entry = this.#entries.get(request);
    if (entry) {
      entry.ms = Date.now() - entry.time;
      if (!entry.blocked) entry.failure = request.failure()?.errorText ?? 'failed';
    }
    if (this.#navigation?.request === request) this.#navigationDone();
  }

  #console(message: ConsoleMessage): void {
    const location = message.location();
    this.deps.console.push({
      tab: this.id,
      time: Date.now(),
      level: message.type() === 'warn' ? 'warning' : message.type(),
      text: clip(message.text(), MAX_LOGGED_TEXT),
      ...(location.url ? { location: clip(`${location.url}:${(location.lineNumber ?? 0) + 1}`, MAX_LOGGED_URL) } : {}),
    });
  }

  /**
   * A dialog blocks the page until answered. An alert, confirm or prompt waits for
   * puppeteer_handle_dialog (the call that opened it says so) unless the operator's --read-only
   * leaves no tool to answer it: then it is dismissed. A beforeunload prompt comes from our own
   * navigation or close, which it would only stall: it is accepted.
   */
  async #dialog(dialog: Dialog, page: Page): Promise<void> {
    const text = `${dialog.type()} dialog: ${clip(dialog.message(), 500)}`;
    this.deps.console.push({ tab: this.id, time: Date.now(), level: 'dialog', text });
    const waits = this.deps.dialogs === 'ask' && dialog.type() !== 'beforeunload' && page === this.#page;
    if (waits) {
      this.#dialogOpen = dialog;
      this.deps.notice(
        `${describeDialog(this.id, { type: dialog.type(), message: clip(dialog.message(), 500), defaultValue: dialog.defaultValue() })} The page waits until puppeteer_handle_dialog accepts or dismisses it.`,
      );
      for (const wake of this.#onDialog) wake(dialog);
      return;
    }
    this.deps.notice(
      `The page showed ${dialog.type() === 'alert' ? 'an' : 'a'} ${text} (${dialog.type() === 'beforeunload' ? 'accepted' : 'dismissed'}).`,
    );
    if (dialog.type() === 'beforeunload' || dialog.type() === 'alert') await dialog.accept().catch(() => undefined);
    else await dialog.dismiss().catch(() => undefined);
  }

  /** A top-level page that got here without passing the guard (a chrome:// URL, say) is left. */
  async #navigated(page: Page, frame: Frame): Promise<void> {
    if (frame.parentFrame() !== null) return;
    const url = frame.url();
    // Our own refusal commits Chromium's "blocked" error page under the refused URL: harmless.
    if (this.lastBlocked?.url === url) return;
    const verdict = await this.deps.policy.checkTopLevel(url).catch(() => ({ allowed: false as const, reason: 'unchecked' }));
    if (verdict.allowed || url.startsWith('chrome-error://')) return;
    this.deps.notice(`Left ${clip(url, 200)}: ${verdict.reason}.`);
    await page.goto('about:blank').catch(() => undefined);
  }

  #startNavigation(request: HTTPRequest): void {
    // A redirect continues the navigation already under way.
    if (this.#navigation && request.redirectChain().length > 0) {
      this.#navigation.request = request;
      return;
    }
    this.#navigation?.done();
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.#navigation = { promise, done, request };
  }

  #navigationDone(): void {
    this.#navigation?.done();
    this.#navigation = undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
