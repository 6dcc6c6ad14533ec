import { DeadlineError, ToolError, within } from '@patchbay/kit';
import type { Browser, CDPSession, Page, Target } from 'puppeteer-core';
import type { RefRegistry } from './snapshot.js';
import { sleep, Tab, type TabDeps } from './tab.js';

/** The browser process answers about its targets at once; this long means it is in trouble. */
const BROWSER_MS = 5_000;

/** The CDP target id puppeteer keeps on its Target (not in its typings; read defensively). */
const targetIdOf = (target: Target): string | undefined => {
  const id = (target as unknown as { _targetId?: unknown })._targetId;
  return typeof id === 'string' ? id : undefined;
};

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
  /** A session on the browser itself: what it answers never waits on a page. */
  #cdp: CDPSession | undefined;

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

  /**
   * Bring the active tab to the front again after a page of our own (not a tab) took it: a tab
   * left in the background stops painting, and clicks in it hang.
   */
  async refront(): Promise<void> {
    this.#front = undefined;
    await this.active();
  }

  /** Let tabs a page just opened finish attaching, so a result can mention them. */
  async adopted(): Promise<void> {
    await this.#awaitOpened();
    if (this.#inFlight.size) await Promise.race([Promise.all([...this.#inFlight]), sleep(3_000)]);
  }

  /**
   * Tabs our pages opened that puppeteer has not told us of yet. The browser process knows of a
   * tab as soon as a click opens it, but its `targetcreated` event can reach us after the action's
   * short settle when the machine is busy, and the reply would then name the old tab. So the
   * browser is asked, and each such tab is waited for (bounded) and adopted.
   */
  async #awaitOpened(): Promise<void> {
    if (!this.#cdp) return;
    let infos: Array<{ targetId: string; type: string; url: string; openerId?: string }>;
    try {
      ({ targetInfos: infos } = await within(this.#cdp.send('Target.getTargets'), BROWSER_MS));
    } catch {
      return;
    }
    const ours = new Set(this.tabs().map((t) => t.targetId));
    const opened = infos.filter(
      (i) => i.type === 'page' && i.openerId !== undefined && ours.has(i.openerId) && !ours.has(i.targetId),
    );
    await Promise.all(
      opened.map((info) =>
        this.browser
          .waitForTarget((t) => targetIdOf(t) === info.targetId, { timeout: 3_000 })
          .then((target) => this.#adopt(target, true))
          .catch(() => undefined),
      ),
    );
  }

  async #toFront(tab: Tab): Promise<void> {
    if (this.#front === tab.id) return;
    // The browser process handles this; bounded all the same, it is only a nicety.
    await within(tab.page.bringToFront(), this.deps.actionTimeout).catch(() => undefined);
    this.#front = tab.id;
  }

  /**
   * Every open tab's id, URL and title as the browser process knows them (it keeps each target's
   * title and URL): no page is asked, so a page whose thread is stuck cannot hold up the list.
   */
  async describe(): Promise<Array<{ id: string; url: string; title: string }>> {
    const titles = new Map<string, string>();
    try {
      const cdp = this.#cdp ?? (await this.browser.target().createCDPSession());
      const { targetInfos } = await within(cdp.send('Target.getTargets'), BROWSER_MS);
      for (const info of targetInfos) if (info.type === 'page') titles.set(info.targetId, displayTitle(info.title, info.url));
    } catch (error) {
      this.deps.log.debug('the browser did not list its targets', { error });
    }
    return this.tabs()
      .filter((t) => !t.page.isClosed())
      .map((t) => ({ id: t.id, url: t.url(), title: (t.targetId && titles.get(t.targetId)) || '' }));
  }

  /** A tab's title as the browser process knows it, for when its page does not answer. */
  async knownTitle(tab: Tab): Promise<string> {
    if (!tab.targetId || !this.#cdp) return '';
    try {
      const { targetInfo } = await within(this.#cdp.send('Target.getTargetInfo', { targetId: tab.targetId }), BROWSER_MS);
      return displayTitle(targetInfo.title, targetInfo.url);
    } catch {
      return '';
    }
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

  /**
   * A new tab. It is a new target with no opener, so Chromium gives it a renderer process of its
   * own (site-per-process): a page of the same site spinning in another tab does not hold it up.
   */
  async newTab(): Promise<Tab> {
    const page = await this.#newPage();
    const tab = await within(this.#adopt(page.target(), false), this.deps.actionTimeout).catch(() => undefined);
    if (!tab) {
      await page.close().catch(() => undefined);
      throw new ToolError('the browser opened a new tab but it did not become ready in time.', {
        hint: 'Try again; if it keeps happening, the machine may be short of memory.',
      });
    }
    this.#active = tab.id;
    this.#front = tab.id;
    return tab;
  }

  async #newPage(): Promise<Page> {
    try {
      return await within(this.browser.newPage(), this.deps.actionTimeout);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      throw new ToolError(`the browser did not open a new tab within ${error.ms} ms.`, {
        hint: 'Try again; if it keeps happening, the machine may be short of memory.',
      });
    }
  }

  /**
   * Give a tab whose page stopped answering a new page under the same id, in a fresh renderer.
   * Navigating the stuck page itself does not work: a same-site navigation commits in the same
   * renderer, whose thread never gets to it, and it blocks every later navigation of that tab.
   * The stuck page is closed in the background; its history goes with it.
   */
  async renew(tab: Tab): Promise<void> {
    const old = tab.page;
    const oldTarget = tab.targetId;
    const page = await this.#newPage();
    try {
      await within(tab.replace(page), this.deps.actionTimeout);
    } catch (error) {
      // Neither page can be used: the tab goes, rather than stay half replaced.
      this.#forget(tab.id);
      void this.#closePage(page, undefined);
      void this.#closePage(old, oldTarget);
      throw new ToolError(
        `tab ${tab.id} was not responding, and a fresh page for it did not start in time; the tab was closed.`,
        {
          hint: 'Open a new tab with puppeteer_tabs action=open.',
          cause: error,
        },
      );
    }
    page.once('close', () => this.#closed(tab.id, page));
    this.deps.refs.forgetTab(tab.id);
    if (this.#front === tab.id) this.#front = undefined;
    if (this.#active === tab.id) await this.#toFront(tab);
    void this.#closePage(old, oldTarget);
  }

  async select(id: string): Promise<Tab> {
    const tab = this.get(id);
    this.#active = id;
    await this.#toFront(tab);
    return tab;
  }

  async closeTab(id: string): Promise<void> {
    const tab = this.get(id);
    const page = tab.page;
    this.#forget(id);
    await this.#closePage(page, tab.targetId);
  }

  /**
   * Close a page whatever state its renderer is in. puppeteer's close asks the browser to close
   * the target and then waits to hear it is gone, which a wedged renderer can delay: past the
   * deadline the target is closed again directly. Closing the target ends its renderer process
   * when no other page uses it, which stops a script that never yields.
   */
  async #closePage(page: Page, targetId: string | undefined): Promise<void> {
    try {
      await within(page.close(), this.deps.actionTimeout);
    } catch (error) {
      this.deps.log.warn('a tab did not close in time; closing its target directly', { error });
      if (targetId && this.#cdp) {
        await within(this.#cdp.send('Target.closeTarget', { targetId }), BROWSER_MS).catch(() => undefined);
      }
    }
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
    page.once('close', () => this.#closed(id, page));
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

  /** A page closed: the tab goes, unless the page was one the tab had already replaced. */
  #closed(id: string, page: Page): void {
    if (this.#tabs.get(id)?.page === page) this.#forget(id);
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
    this.#cdp = cdp;
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

/**
 * The browser's title of a target as a page would give it: Chromium shows the URL (without its
 * scheme) as the title of a page that has none, where document.title is empty.
 */
export function displayTitle(title: string, url: string): string {
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return title === url || title === bare || title === bare.replace(/\/$/, '') ? '' : title;
}
