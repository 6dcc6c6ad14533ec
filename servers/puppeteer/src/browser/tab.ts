import type { Logger } from '@patchbay/kit';
import type { ConsoleMessage, Dialog, Frame, HTTPRequest, Page } from 'puppeteer-core';
import type { NavigationPolicy } from './policy.js';
import { PROXY_ERROR_HEADER } from './proxy.js';
import { type ConsoleEntry, clip, type NetworkEntry, type Ring } from './ring.js';

const MAX_LOGGED_TEXT = 2_000;
const MAX_LOGGED_URL = 500;

export interface TabDeps {
  policy: NavigationPolicy;
  console: Ring<ConsoleEntry>;
  network: Ring<NetworkEntry>;
  log: Logger;
  /** Something the model should hear about with its next result (a dialog, a refused request). */
  notice: (text: string) => void;
  actionTimeout: number;
  navigationTimeout: number;
}

/**
 * One browser tab with its guards and recorders attached: every request it makes passes the
 * navigation policy first, and console output, page errors, dialogs and requests are recorded in
 * the shared bounded logs.
 */
export class Tab {
  /** The last request the policy refused, to explain a failed navigation. */
  lastBlocked: { url: string; reason: string } | undefined;
  #navigation: { promise: Promise<void>; done: () => void; request: HTTPRequest } | undefined;
  readonly #entries = new WeakMap<HTTPRequest, NetworkEntry>();

  private constructor(
    readonly id: string,
    readonly page: Page,
    private readonly deps: TabDeps,
  ) {}

  static async attach(id: string, page: Page, deps: TabDeps): Promise<Tab> {
    const tab = new Tab(id, page, deps);
    page.setDefaultTimeout(deps.actionTimeout);
    page.setDefaultNavigationTimeout(deps.navigationTimeout);
    page.on('request', (request) => void tab.#guard(request));
    page.on('response', (response) => {
      const entry = tab.#entries.get(response.request());
      if (!entry) return;
      entry.status = response.status();
      const proxyError = response.headers()[PROXY_ERROR_HEADER];
      if (proxyError) entry.failure = proxyError;
    });
    page.on('requestfinished', (request) => tab.#finished(request));
    page.on('requestfailed', (request) => tab.#failed(request));
    page.on('console', (message) => tab.#console(message));
    page.on('pageerror', (error) => {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.console.push({ tab: id, time: Date.now(), level: 'pageerror', text: clip(text, MAX_LOGGED_TEXT) });
    });
    page.on('dialog', (dialog) => void tab.#dialog(dialog));
    page.on('domcontentloaded', () => tab.#navigationDone());
    page.on('framenavigated', (frame) => void tab.#navigated(frame));
    // Service workers would answer requests where interception cannot see them.
    await page.setBypassServiceWorker(true);
    await page.setRequestInterception(true);
    return tab;
  }

  url(): string {
    return this.page.url();
  }

  async title(): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await this.page.title();
      } catch {
        // The document was being replaced; the next one has a title too.
        await sleep(50);
      }
    }
    return '';
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

  async #guard(request: HTTPRequest): Promise<void> {
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
      if (topLevel) this.#startNavigation(request);
      await request.continue().catch(() => undefined);
      return;
    }
    this.lastBlocked = { url, reason: verdict.reason };
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

  /** Dialogs would block the page until answered; they are dismissed and reported instead. */
  async #dialog(dialog: Dialog): Promise<void> {
    const text = `${dialog.type()} dialog: ${clip(dialog.message(), 500)}`;
    this.deps.console.push({ tab: this.id, time: Date.now(), level: 'dialog', text });
    this.deps.notice(`The page showed a ${text} (dismissed).`);
    if (dialog.type() === 'beforeunload' || dialog.type() === 'alert') await dialog.accept().catch(() => undefined);
    else await dialog.dismiss().catch(() => undefined);
  }

  /** A top-level page that got here without passing the guard (a chrome:// URL, say) is left. */
  async #navigated(frame: Frame): Promise<void> {
    if (frame.parentFrame() !== null) return;
    const url = frame.url();
    // Our own refusal commits Chromium's "blocked" error page under the refused URL: harmless.
    if (this.lastBlocked?.url === url) return;
    const verdict = await this.deps.policy.checkTopLevel(url).catch(() => ({ allowed: false as const, reason: 'unchecked' }));
    if (verdict.allowed || url.startsWith('chrome-error://')) return;
    this.deps.notice(`Left ${clip(url, 200)}: ${verdict.reason}.`);
    await this.page.goto('about:blank').catch(() => undefined);
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
