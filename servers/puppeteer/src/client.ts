import path from 'node:path';
import { type Lazy, type Logger, lazy, type OptionValues } from '@patchbay/kit';
import { launchBrowser } from './browser/launch.js';
import { NavigationPolicy } from './browser/policy.js';
import { type Profile, prepareProfile } from './browser/profile.js';
import { startGuardProxy } from './browser/proxy.js';
import { type ConsoleEntry, type NetworkEntry, Ring } from './browser/ring.js';
import { BrowserSession } from './browser/session.js';
import { RefRegistry } from './browser/snapshot.js';
import type { Tab } from './browser/tab.js';
import type { BrowserOptions } from './config.js';
import { ScreenshotStore } from './media.js';

const CONSOLE_CAPACITY = 1_000;
const NETWORK_CAPACITY = 1_000;
const MAX_NOTICES = 20;

export interface BrowserServices {
  options: OptionValues<BrowserOptions>;
  log: Logger;
  policy: NavigationPolicy;
  console: Ring<ConsoleEntry>;
  network: Ring<NetworkEntry>;
  screenshots: ScreenshotStore;
  refs: RefRegistry;
  /** What the console and network tools returned last, so the next call shows only what is new. */
  seen: { console: number; network: number };
  /** The running browser, launched on first use and again after a crash. */
  session(): Promise<BrowserSession>;
  /** The running browser if there is one, without launching. */
  peek(): BrowserSession | undefined;
  /** The active tab, or the named one. */
  tab(id?: string): Promise<Tab>;
  /** Notes for the model gathered since the last tool result (dialogs, new tabs, refusals). */
  drainNotices(): string[];
  /** Add a note for the next tool result. */
  notice(text: string): void;
  /** Why the guard proxy last failed to connect to this URL's host and port, if it did. */
  connectionFailure(url: string): string | undefined;
  dispose(): Promise<void>;
}

/** Created with no I/O: the browser starts when the first tool needs it. */
export function createBrowserServices(
  options: OptionValues<BrowserOptions>,
  log: Logger,
  settings: { readOnly: boolean } = { readOnly: false },
): BrowserServices {
  const policy = new NavigationPolicy({
    allowSites: options.allowSites,
    blockSites: options.blockSites,
    blockPrivateNetworks: options.blockPrivateNetworks,
  });
  const consoleRing = new Ring<ConsoleEntry>(CONSOLE_CAPACITY);
  const networkRing = new Ring<NetworkEntry>(NETWORK_CAPACITY);
  const refs = new RefRegistry();
  const notices: string[] = [];
  const notice = (text: string) => {
    notices.push(text);
    if (notices.length > MAX_NOTICES) notices.shift();
  };
  // Why the guard proxy could not connect somewhere, so a failed navigation can say it plainly.
  const failures = new Map<string, string>();
  const remember = (target: string, error: string) => {
    failures.delete(target);
    failures.set(target, error);
    if (failures.size > 200) failures.delete(failures.keys().next().value as string);
  };
  const proxyEvents = {
    refused(target: string, reason: string) {
      networkRing.push({
        tab: '',
        time: Date.now(),
        method: 'CONNECT',
        url: target,
        type: 'connection',
        failure: `refused: ${reason}`,
        blocked: true,
      });
      remember(target, `refused: ${reason}`);
      notice(`Refused a connection to ${target}: ${reason}.`);
    },
    failed: (target: string, error: string) => remember(target, error),
  };
  let tabCounter = 0;
  let crashed = false;

  const browser: Lazy<BrowserSession> = lazy(
    async () => {
      const proxy = await startGuardProxy(policy, log, proxyEvents);
      let profile: Profile | undefined;
      const release = async () => {
        await proxy.close();
        await profile?.dispose();
      };
      let instance: Awaited<ReturnType<typeof launchBrowser>>;
      try {
        profile = await prepareProfile(options.userDataDir);
        instance = await launchBrowser(options, log, proxy.url, profile.dir);
      } catch (error) {
        await release();
        throw error;
      }
      try {
        const session = await BrowserSession.start(
          instance,
          {
            policy,
            console: consoleRing,
            network: networkRing,
            log,
            notice,
            refs,
            actionTimeout: options.actionTimeout,
            navigationTimeout: options.navigationTimeout,
            nextTabId: () => `t${++tabCounter}`,
            downloadsDir: options.downloadsDir ? path.resolve(options.downloadsDir) : undefined,
            dialogs: settings.readOnly ? 'dismiss' : 'ask',
          },
          release,
        );
        instance.once('disconnected', () => {
          if (session.closing || browser.peek() !== session) return;
          // The browser died under us (killed, crashed, out of memory): the next call relaunches.
          crashed = true;
          log.warn('the browser disconnected; it will be started again on the next call', { pid: session.pid });
          void browser.reset();
        });
        // A new browser: the old one's tabs (if it died, they never said they closed) and refs are gone.
        refs.clear();
        if (crashed) {
          crashed = false;
          notice('The browser had stopped and was started again; earlier tabs and refs are gone.');
        }
        return session;
      } catch (error) {
        await instance.close().catch(() => undefined);
        await release();
        throw error;
      }
    },
    (session) => session.close(),
  );

  const session = async () => {
    const current = browser.peek();
    // A dead browser whose 'disconnected' event has not arrived yet is replaced now.
    if (current && !current.connected) await browser.reset();
    return browser.get();
  };

  return {
    options,
    log,
    policy,
    console: consoleRing,
    network: networkRing,
    screenshots: new ScreenshotStore(),
    refs,
    seen: { console: 0, network: 0 },
    session,
    peek: () => browser.peek(),
    async tab(id) {
      const s = await session();
      return id ? s.get(id) : s.active();
    },
    drainNotices: () => notices.splice(0, notices.length),
    notice,
    connectionFailure(url) {
      try {
        const u = new URL(url);
        return failures.get(`${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`);
      } catch {
        return undefined;
      }
    },
    dispose: () => browser.dispose(),
  };
}
