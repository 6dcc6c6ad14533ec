import type { Logger, OptionValues } from '@patchbay/kit';
import { ToolError } from '@patchbay/kit';
import type { Browser, LaunchOptions } from 'puppeteer-core';
import { type BrowserOptions, parseViewport } from '../config.js';
import { findBrowser, isExecutable, NO_BROWSER_HINT } from './executable.js';

/**
 * Switches every launch gets. This machine class often has no network beyond a few hosts, and a
 * stock Chromium then retries background connections (updates, sync, safe browsing, QUIC) for
 * ever; none of them is anything a tool needs.
 */
export const BASE_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  '--disable-domain-reliability',
  '--no-pings',
  // puppeteer merges this with its own list. Autofill would otherwise ask Google about every
  // form; the spare renderer is a whole idle process kept for the next site (~80 MB resident).
  '--disable-features=AutofillServerCommunication,SpareRendererForSitePerProcess',
];

const importPuppeteer = () => import('puppeteer-core');
let puppeteerModule: ReturnType<typeof importPuppeteer> | undefined;
/**
 * puppeteer-core is loaded on the first browser call, so the server starts like plain Node. The
 * built server has it bundled on its own (package.json `patchbay.vendor`: dist/vendor/), read
 * through a code cache; the library entry imports that bundle as CommonJS, whose default export
 * is the exports object, so only puppeteer's named exports are used (`launch` is bound).
 */
export function loadPuppeteer(): ReturnType<typeof importPuppeteer> {
  puppeteerModule ??= importPuppeteer();
  return puppeteerModule;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The launch, from operator options alone. Nothing a tool receives is passed here. */
export function launchOptions(
  options: OptionValues<BrowserOptions>,
  executablePath: string,
  root: boolean,
  proxy: string,
  profileDir: string,
): LaunchOptions {
  const args = [...BASE_ARGS];
  if (options.noSandbox || root) args.push('--no-sandbox');
  // Every connection goes through the guard proxy, loopback included (Chromium bypasses proxies
  // for loopback unless told not to).
  args.push(`--proxy-server=${proxy}`, '--proxy-bypass-list=<-loopback>');
  // Without a window there is nothing for a separate GPU process to do but hold memory.
  if (!options.headful) args.push('--in-process-gpu');
  args.push(...options.browserArg);
  return {
    executablePath,
    headless: !options.headful,
    args,
    // Pages may open windows only on a user gesture, as in a normal browser.
    ignoreDefaultArgs: ['--disable-popup-blocking'],
    // A pipe, not a TCP port: nothing on this machine (or a page) can reach DevTools.
    pipe: true,
    defaultViewport: parseViewport(options.viewport) ?? { width: 1280, height: 720 },
    // Always ours to prepare (see profile.ts): the operator's folder, or a fresh one per launch.
    userDataDir: profileDir,
    // The kit owns signals and shutdown; puppeteer still kills the browser when Node exits.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 30_000,
    protocolTimeout: options.navigationTimeout + 30_000,
  };
}

export async function launchBrowser(
  options: OptionValues<BrowserOptions>,
  log: Logger,
  proxy: string,
  profileDir: string,
): Promise<Browser> {
  const found = findBrowser(options.executablePath);
  if (!found) throw new ToolError(`no Chrome or Chromium was found on this machine.`, { hint: NO_BROWSER_HINT });
  if (!isExecutable(found.path)) {
    throw new ToolError(`the configured browser ${found.path} does not exist or is not executable.`, { hint: NO_BROWSER_HINT });
  }
  const root = isRoot();
  if (root && !options.noSandbox) {
    log.info('running as root: Chromium starts with --no-sandbox, since it cannot run its sandbox as root');
  }
  const { launch } = await loadPuppeteer();
  const started = performance.now();
  try {
    const browser = await launch(launchOptions(options, found.path, root, proxy, profileDir));
    log.info('browser started', { path: found.path, from: found.source, ms: Math.round(performance.now() - started) });
    return browser;
  } catch (error) {
    const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    log.error('browser failed to start', { path: found.path, error });
    throw new ToolError(`the browser (${found.path}) failed to start: ${first}`, {
      hint: root || options.noSandbox ? NO_BROWSER_HINT : 'If this is a container, start the server with --no-sandbox.',
    });
  }
}
