import { execFileSync } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Connected } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect, descendants, isAlive, waitFor } from './helpers.js';
import { type Site, startSite } from './site.js';

/**
 * Pages that attack the session itself rather than the network: one that never yields its
 * thread (`for (;;) {}`), one that never finishes loading, one with 200 000 elements. Whatever
 * one tab does, every call answers — with an error that names the tab when that tab cannot —
 * and the other tabs go on working. Deadlines here are generous on purpose (a loaded 2-core
 * machine): the tests check that an answer came and what it said, never how fast.
 */

interface Answer<T> {
  isError: boolean;
  text: string;
  data: T;
}

interface Landed {
  tab: string;
  url: string;
  title: string;
  status?: number;
  snapshot?: string;
  notices?: string[];
  more?: { omitted: number; cursor?: string; hint: string };
}

interface Tabs {
  tabs: Array<{ id: string; url: string; title: string; active: boolean }>;
}

/**
 * Call a tool and require an answer (a result or an error result) before `ms`: the MCP client
 * gives up with a timeout error otherwise, and the test fails on it.
 */
async function answer<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  ms: number,
): Promise<Answer<T>> {
  const raw = (await client.callTool({ name, arguments: args }, undefined, { timeout: ms })) as CallToolResult;
  const text = raw.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { isError: raw.isError === true, text, data: (raw.structuredContent ?? {}) as T };
}

/** What an error about an unresponsive tab must say: which tab, what is wrong, what to do. */
function expectBusyError(text: string, tab: string): void {
  expect(text).toContain(`tab ${tab}`);
  expect(text).toMatch(/busy|not responding|unresponsive/);
  expect(text).toContain('puppeteer_navigate_history action=reload');
  expect(text).toContain(`puppeteer_tabs action=close tab=${tab}`);
}

/** Chromium renderer processes of a browser (they run the pages' scripts). */
function renderers(browserPid: number): number[] {
  return descendants(browserPid).filter((pid) => {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

const ACTION_TIMEOUT = 10_000;
const NAVIGATION_TIMEOUT = 15_000;
/** Room on top of a server deadline before the client stops waiting: the machine may be slow. */
const GRACE = 20_000;

describe('a page that never yields its thread (for (;;) {})', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  let busy: string;
  let spins = 0;

  /**
   * Open a tab at a page that wedges its renderer, and wait until it has. `processes` receives the
   * renderer processes that appeared with it: the one running the loop is among them.
   */
  async function spinningTab(options: { once?: boolean; processes?: number[] } = {}): Promise<string> {
    const browserPid = server.services.peek()?.pid;
    const before = browserPid ? renderers(browserPid) : [];
    const id = `s${++spins}`;
    const url = `${site.origin}/spin?after=300&id=${id}${options.once ? `&once=${id}` : ''}`;
    const opened = await answer<Tabs>(server.client, 'puppeteer_tabs', { action: 'open', url }, NAVIGATION_TIMEOUT + GRACE);
    expect(opened.isError, opened.text).toBe(false);
    const tab = opened.data.tabs.find((t) => t.active)?.id as string;
    expect(await waitFor(() => site.requests.some((r) => r.path === `/spin/started?id=${id}`), 15_000)).toBe(true);
    if (options.processes && browserPid) options.processes.push(...renderers(browserPid).filter((p) => !before.includes(p)));
    return tab;
  }

  beforeAll(async () => {
    site = await startSite();
    server = await connect([
      '--allow-evaluate',
      '--action-timeout',
      String(ACTION_TIMEOUT),
      '--navigation-timeout',
      String(NAVIGATION_TIMEOUT),
    ]);
    busy = await spinningTab();
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('still lists the tabs, with the busy tab’s title and URL, without waiting for it', async () => {
    // Well under the action timeout: listing must not wait on the page at all.
    const list = await answer<Tabs>(server.client, 'puppeteer_tabs', {}, ACTION_TIMEOUT - 2_000);
    expect(list.isError, list.text).toBe(false);
    expect(list.data.tabs).toContainEqual(
      expect.objectContaining({ id: busy, title: 'Spinning', url: expect.stringContaining('/spin?'), active: true }),
    );
  });

  it('answers a snapshot of the busy tab with an error naming the tab', async () => {
    const result = await answer(server.client, 'puppeteer_snapshot', {}, ACTION_TIMEOUT + GRACE);
    expect(result.isError).toBe(true);
    expectBusyError(result.text, busy);
  });

  it.each([
    ['puppeteer_get_text', {}],
    ['puppeteer_evaluate', { function: '() => document.title' }],
    ['puppeteer_screenshot', {}],
    ['puppeteer_click', { selector: 'button' }],
    ['puppeteer_wait_for', { text: 'Spinning' }],
  ])('answers %s on the busy tab with an error naming the tab', async (tool, args) => {
    const result = await answer(server.client, tool, args, NAVIGATION_TIMEOUT + GRACE);
    expect(result.isError, result.text).toBe(true);
    expectBusyError(result.text, busy);
  });

  it('opens a new tab that works while the other one spins', async () => {
    const opened = await answer<Tabs>(
      server.client,
      'puppeteer_tabs',
      { action: 'open', url: `${site.origin}/form` },
      NAVIGATION_TIMEOUT + GRACE,
    );
    expect(opened.isError, opened.text).toBe(false);
    const fresh = opened.data.tabs.find((t) => t.active);
    expect(fresh?.id).not.toBe(busy);
    expect(fresh?.title).toBe('Sign up');
    // Same site as the spinning page: it must still not share its stuck renderer.
    const snap = await answer<Landed>(server.client, 'puppeteer_snapshot', {}, ACTION_TIMEOUT + GRACE);
    expect(snap.isError, snap.text).toBe(false);
    expect(snap.data.snapshot).toMatch(/button "Send" \[ref=e\d+\]/);
    const nav = await answer<Landed>(server.client, 'puppeteer_navigate', { url: site.url }, NAVIGATION_TIMEOUT + GRACE);
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.data.title).toBe('Fixture home');
  });

  it('reloads a busy tab into a working page, and ends the stuck renderer', async () => {
    const spinning: number[] = [];
    const tab = await spinningTab({ once: true, processes: spinning });
    expect(spinning.length).toBeGreaterThan(0);
    const reloaded = await answer<Landed>(
      server.client,
      'puppeteer_navigate_history',
      { action: 'reload' },
      ACTION_TIMEOUT + NAVIGATION_TIMEOUT + GRACE,
    );
    expect(reloaded.isError, reloaded.text).toBe(false);
    expect(reloaded.data.tab).toBe(tab);
    expect(reloaded.data.title).toBe('Calm again');
    expect(reloaded.data.snapshot).toMatch(/button "Still here" \[ref=e\d+\]/);
    const text = await answer<{ result: string }>(server.client, 'puppeteer_evaluate', { function: '() => 6 * 7' }, GRACE);
    expect(text.data.result).toBe('42');
    expect(await waitFor(() => spinning.every((pid) => !isAlive(pid)), 15_000)).toBe(true);
  });

  it('navigates a busy tab to another page of the same site', async () => {
    const tab = await spinningTab();
    const moved = await answer<Landed>(
      server.client,
      'puppeteer_navigate',
      { url: `${site.origin}/form` },
      ACTION_TIMEOUT + NAVIGATION_TIMEOUT + GRACE,
    );
    expect(moved.isError, moved.text).toBe(false);
    expect(moved.data.tab).toBe(tab);
    expect(moved.data.title).toBe('Sign up');
    expect(moved.data.snapshot).toMatch(/textbox "Name" \[ref=e\d+\]: old/);
  });

  it('closes a busy tab, and its renderer process ends', async () => {
    const spinning: number[] = [];
    const tab = await spinningTab({ processes: spinning });
    expect(spinning.length).toBeGreaterThan(0);
    const closed = await answer<Tabs>(server.client, 'puppeteer_tabs', { action: 'close', tab }, ACTION_TIMEOUT + GRACE);
    expect(closed.isError, closed.text).toBe(false);
    expect(closed.data.tabs.map((t) => t.id)).not.toContain(tab);
    const list = await answer<Tabs>(server.client, 'puppeteer_tabs', {}, GRACE);
    expect(list.data.tabs.map((t) => t.id)).not.toContain(tab);
    // The loop is not left burning a core in an orphaned renderer.
    expect(await waitFor(() => spinning.every((pid) => !isAlive(pid)), 15_000)).toBe(true);
  });
});

describe('navigation when the page wedges its renderer', () => {
  const navigationTimeout = 8_000;
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--action-timeout', '4000', '--navigation-timeout', String(navigationTimeout)]);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('answers a navigation to a page that wedges as soon as it has loaded', async () => {
    const landed = await answer<Landed>(
      server.client,
      'puppeteer_navigate',
      { url: `${site.origin}/spin?after=0&id=n1` },
      navigationTimeout + GRACE,
    );
    // It loaded, so the navigation succeeded; what could not be read is said, with the tab.
    expect(landed.isError, landed.text).toBe(false);
    expect(landed.data.url).toContain('/spin?');
    if (!landed.data.snapshot) expect(landed.text).toMatch(new RegExp(`tab ${landed.data.tab} .*(busy|not responding)`));
  });

  it('gives up on a page whose script never lets it finish loading, within the navigation timeout', async () => {
    const result = await answer(
      server.client,
      'puppeteer_navigate',
      { url: `${site.origin}/spin-while-loading` },
      navigationTimeout + GRACE,
    );
    expect(result.isError).toBe(true);
    expect(result.text).toContain(`did not finish loading within ${navigationTimeout} ms`);
  });

  it('navigates away from the wedged page, to the same site, within the navigation timeout', async () => {
    const result = await answer<Landed>(
      server.client,
      'puppeteer_navigate',
      { url: `${site.origin}/form` },
      navigationTimeout + GRACE,
    );
    expect(result.isError, result.text).toBe(false);
    expect(result.data.title).toBe('Sign up');
    expect(result.data.snapshot).toMatch(/button "Send" \[ref=e\d+\]/);
  });
});

describe('a page with 200 000 elements, or nested 20 000 deep', () => {
  const actionTimeout = 30_000;
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--action-timeout', String(actionTimeout), '--navigation-timeout', '60000']);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('answers a navigation with a compact snapshot cut to its size', async () => {
    const page = await answer<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/huge` }, 60_000 + GRACE);
    expect(page.isError, page.text).toBe(false);
    expect(page.data.snapshot).toMatch(/- heading "Huge" \[level=1\] \[ref=e\d+\]/);
    expect(page.data.more?.cursor).toBeTruthy();
    expect(Buffer.byteLength(page.data.snapshot ?? '')).toBeLessThanOrEqual(4_096);
  }, 150_000);

  it('answers puppeteer_snapshot within the action timeout, cut to the budget with a cursor that continues', async () => {
    const first = await answer<Landed>(server.client, 'puppeteer_snapshot', {}, actionTimeout + GRACE);
    expect(first.isError, first.text).toBe(false);
    expect(first.data.snapshot).toMatch(/- link "Row 0" \[ref=e\d+\]/);
    expect(Buffer.byteLength(first.text)).toBeLessThanOrEqual(32_768);
    expect(first.data.more?.cursor).toBeTruthy();
    expect(first.text).toMatch(
      /… (at least )?(\d+ )?more lines not shown \(output budget\)\. Call puppeteer_snapshot again with the same arguments and this cursor for the rest\. Snapshot one part/,
    );
    const next = await answer<Landed>(
      server.client,
      'puppeteer_snapshot',
      { cursor: first.data.more?.cursor },
      actionTimeout + GRACE,
    );
    expect(next.isError, next.text).toBe(false);
    const rows = (text: string | undefined) => [...(text ?? '').matchAll(/link "Row (\d+)"/g)].map((m) => Number(m[1]));
    expect(rows(next.data.snapshot)[0]).toBe((rows(first.data.snapshot).at(-1) ?? -1) + 1);
  }, 150_000);
  it('answers about a page nested deeper than the browser can take, naming the tab, and the tab recovers', async () => {
    const opened = await answer<Landed>(
      server.client,
      'puppeteer_navigate',
      { url: `${site.origin}/deep?divs=20000&spans=5000`, snapshot: 'none' },
      60_000 + GRACE,
    );
    expect(opened.data.tab ?? opened.text).toBeTruthy();
    // Chromium's renderer stalls or dies on such a page; either way the call answers.
    const snap = await answer<Landed>(server.client, 'puppeteer_snapshot', {}, actionTimeout + GRACE);
    if (snap.isError) expect(snap.text).toMatch(/tab t\d+ is not responding/);
    else expect(snap.data.snapshot).toContain('After the depths');
    const away = await answer<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` }, 60_000 + GRACE);
    expect(away.isError, away.text).toBe(false);
    expect(away.data.title).toBe('Sign up');
  });
});
