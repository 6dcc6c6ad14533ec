import { ToolError } from '@patchbay/kit';
import type { Browser, Page, Target } from 'puppeteer-core';
import type { RefRegistry } from './snapshot.js';
import { sleep, Tab, type TabDeps } from './tab.js';

export interface SessionDeps extends TabDeps {
  refs: RefRegistry;
  /** Tab ids come from the services, so they never repeat across browser restarts. */
  nextTabId: () => string;
  downloadsDir: string | undefined;
}

/**
 * One running browser and its tabs. Tabs the pages open themselves (target=_blank, window.open)
 * are adopted with the same guards, become the active tab and are announced.
 */
export class BrowserSession {
  readonly #tabs = new Map<string, Tab>();
  readonly #adopting = new WeakMap<Target, Promise<Tab | undefined>>();
  #active: string | undefined;
  /** The tab last brought to the front: a background tab in headless Chromium stops painting, and clicks in it hang. */
  #front: string | undefined;
  readonly #inFlight = new Set<Promise<Tab | undefined>>();
  #closing = false;
  #opening: Promise<Tab> | undefined;

  private constructor(
    readonly browser: Browser,
    private readonly deps: SessionDeps,
    /** What the browser needed and outlives it: the guard proxy, a profile made for this launch. */
    private readonly release: () => Promise<void>,
  ) {}

  static async start(browser: Browser, deps: SessionDeps, release: () => Promise<void>): Promise<BrowserSession> {
    const session = new BrowserSession(browser, deps, release);
    browser.on('targetcreated', (target: Target) => {
      // Only tabs a page opened have an opener; ours come through newTab().
      if (target.type() === 'page' && target.opener()) void session.#adopt(target, true);
    });
    await session.#configureDownloads();
    const [first] = await browser.pages();
    const page = first ?? (await browser.newPage());
    const tab = await session.#adopt(page.target(), false);
    if (tab) session.#active = tab.id;
    return session;
  }

  /** True once close() began: a disconnect from now on is intended, not a crash. */
  get closing(): boolean {
    return this.#closing;
  }

  get connected(): boolean {
    return this.browser.connected && !this.#closing;
  }

  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  tabs(): Tab[] {
    return [...this.#tabs.values()];
  }

  get activeId(): string | undefined {
    return this.#active;
  }

  /** The tab tools act on; a fresh one if every tab was closed. */
  async active(): Promise<Tab> {
    let tab = this.#active ? this.#tabs.get(this.#active) : undefined;
    if (!tab || tab.page.isClosed()) tab = [...this.#tabs.values()].filter((t) => !t.page.isClosed()).pop();
    if (!tab) {
      // Calls arriving together after the last tab closed share one new tab.
      this.#opening ??= this.newTab().finally(() => {
        this.#opening = undefined;
      });
      return this.#opening;
    }
    this.#active = tab.id;
    await this.#toFront(tab);
    return tab;
  }

  /** Let tabs a page just opened finish attaching, so a result can mention them. */
  async adopted(): Promise<void> {
    if (this.#inFlight.size) await Promise.race([Promise.all([...this.#inFlight]), sleep(3_000)]);
  }

  async #toFront(tab: Tab): Promise<void> {
    if (this.#front === tab.id) return;
    await tab.page.bringToFront().catch(() => undefined);
    this.#front = tab.id;
  }

  get(id: string): Tab {
    const tab = this.#tabs.get(id);
    if (!tab || tab.page.isClosed()) {
      throw new ToolError(`there is no tab "${id}".`, {
        argument: 'tab',
        hint: `Open tabs: ${
          this.tabs()
            .map((t) => t.id)
            .join(', ') || 'none'
        }. List them with puppeteer_tabs action=list.`,
      });
    }
    return tab;
  }

  async newTab(): Promise<Tab> {
    const page = await this.browser.newPage();
    const tab = await this.#adopt(page.target(), false);
    if (!tab) throw new Error('the new tab closed before it could be used');
    this.#active = tab.id;
    this.#front = tab.id;
    return tab;
  }

  async select(id: string): Promise<Tab> {
    const tab = this.get(id);
    this.#active = id;
    await this.#toFront(tab);
    return tab;
  }

  async closeTab(id: string): Promise<void> {
    const tab = this.get(id);
    await tab.page.close();
    this.#forget(id);
  }

  /** Close the browser and make sure no Chromium process of ours is left behind. */
  async close(): Promise<void> {
    this.#closing = true;
    const child = this.browser.process();
    await Promise.race([this.browser.close().catch(() => undefined), sleep(1_000)]);
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        // puppeteer starts Chromium as a process group leader: end the renderers and zygote too.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    await this.release();
  }

  #adopt(target: Target, announce: boolean): Promise<Tab | undefined> {
    let pending = this.#adopting.get(target);
    if (!pending) {
      pending = this.#attach(target, announce).catch((error: unknown) => {
        this.deps.log.debug('could not attach to a tab', { error });
        return undefined;
      });
      this.#adopting.set(target, pending);
      const tracked = pending;
      this.#inFlight.add(tracked);
      void tracked.finally(() => this.#inFlight.delete(tracked));
    }
    return pending;
  }

  async #attach(target: Target, announce: boolean): Promise<Tab | undefined> {
    const page: Page | null = await target.page();
    if (!page || page.isClosed()) return undefined;
    const id = this.deps.nextTabId();
    const tab = await Tab.attach(id, page, this.deps);
    this.#tabs.set(id, tab);
    page.once('close', () => this.#forget(id));
    if (announce) {
      // The page opened this tab before our guard was attached: its first document is checked now.
      const verdict = await this.deps.policy
        .checkTopLevel(page.url())
        .catch(() => ({ allowed: false as const, reason: 'unchecked' }));
      if (!verdict.allowed) {
        await page.goto('about:blank').catch(() => undefined);
        this.deps.notice(`A page opened ${page.url()} in a new tab, which was refused: ${verdict.reason}.`);
      }
      this.#active = id;
      this.deps.notice(
        `The page opened a new tab ${id}${page.url() !== 'about:blank' ? ` (${page.url()})` : ''}; it is now the active tab.`,
      );
    }
    return tab;
  }

  #forget(id: string): void {
    this.#tabs.delete(id);
    this.deps.refs.forgetTab(id);
    if (this.#active === id) this.#active = [...this.#tabs.keys()].pop();
    if (this.#front === id) this.#front = undefined;
  }

  /** Downloads land in the operator's folder, or nowhere. */
  async #configureDownloads(): Promise<void> {
    const cdp = await this.browser.target().createCDPSession();
    if (!this.deps.downloadsDir) {
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'deny', eventsEnabled: true });
    } else {
      await cdp.send('Browser.setDownloadBehavior', {
        behavior: 'allow',
        downloadPath: this.deps.downloadsDir,
        eventsEnabled: true,
      });
    }
    cdp.on('Browser.downloadWillBegin', (event) => {
      this.deps.network.push({
        tab: this.#active ?? '',
        time: Date.now(),
        method: 'GET',
        url: event.url.slice(0, 500),
        type: 'download',
        ...(this.deps.downloadsDir
          ? {}
          : { failure: 'refused: downloads are off (the operator can allow them with --downloads-dir)', blocked: true }),
      });
      this.deps.notice(
        this.deps.downloadsDir
          ? `Download started: ${event.suggestedFilename} (saved into the downloads folder).`
          : `The page started a download of ${event.suggestedFilename}; downloads are refused on this server.`,
      );
    });
    cdp.on('Browser.downloadProgress', (event) => {
      if (event.state === 'inProgress') return;
      this.deps.log.info('download finished', { guid: event.guid, state: event.state, bytes: event.receivedBytes });
    });
  }
}
