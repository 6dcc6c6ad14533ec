import type { Connected } from '@patchbay/testing';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Message {
  tab: string;
  level: string;
  text: string;
  location?: string;
}
interface Request {
  method: string;
  url: string;
  type: string;
  status?: number;
  failure?: string;
}

describe('console, network, tabs and scripts', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--toolsets', 'default,inspect', '--allow-evaluate', '--output-budget', '4096']);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('shows console messages and uncaught errors, then only what is new', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/console`, snapshot: 'none' });
    await callOk(server.client, 'puppeteer_wait_for', { seconds: 0.2 });
    const first = await callOk<{ messages: Message[] }>(server.client, 'puppeteer_console_messages', {});
    const byLevel = first.data.messages.map((m) => [m.level, m.text]);
    expect(byLevel).toEqual(
      expect.arrayContaining([
        ['log', 'hello from the page'],
        ['warning', 'a warning'],
        ['error', 'something broke: code 42'],
        ['pageerror', 'Error: uncaught boom'],
      ]),
    );
    expect(first.data.messages.find((m) => m.text === 'hello from the page')?.location).toMatch(/\/console:\d+$/);
    expect(first.text).toContain('[t1 error] something broke: code 42');
    const again = await callOk<{ messages: Message[] }>(server.client, 'puppeteer_console_messages', {});
    expect(again.data.messages).toEqual([]);
    expect(again.text).toBe('No new console messages.');
    const all = await callOk<{ messages: Message[] }>(server.client, 'puppeteer_console_messages', { all: true, level: 'error' });
    expect(all.data.messages.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        'something broke: code 42',
        'Error: uncaught boom',
        expect.stringMatching(/^Failed to load resource: .* 404/),
      ]),
    );
    expect(all.data.messages.every((m) => m.level === 'error' || m.level === 'pageerror')).toBe(true);
    const byText = await callOk<{ messages: Message[] }>(server.client, 'puppeteer_console_messages', {
      all: true,
      text: 'WARNING',
    });
    expect(byText.data.messages.map((m) => m.text)).toEqual(['a warning']);
  });

  it('exposes the console log as a bounded resource', async () => {
    const resource = await server.client.readResource({ uri: 'puppeteer://console' });
    const text = (resource.contents[0] as { text: string }).text;
    expect(text).toMatch(/\[t1 error\] something broke: code 42/);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
  });

  it('lists network requests with status and failures, filtered', async () => {
    await callOk(server.client, 'puppeteer_network_requests', {});
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/console`, snapshot: 'none' });
    await callOk(server.client, 'puppeteer_wait_for', { network_idle: true });
    const all = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', {});
    expect(all.data.requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', url: `${site.origin}/console`, type: 'document', status: 200 }),
        expect.objectContaining({ url: `${site.origin}/missing`, type: 'fetch', status: 404 }),
      ]),
    );
    expect(all.text.split('\n')[0]).toMatch(/^tab\s+method\s+status\s+type\s+ms\s+url$/);
    const errors = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', {
      all: true,
      outcome: 'error_status',
      url: '/missing',
    });
    expect(errors.data.requests.every((r) => r.url.endsWith('/missing') && r.status === 404)).toBe(true);
    expect(errors.data.requests.length).toBeGreaterThan(0);
    const docs = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', {
      all: true,
      type: 'document',
    });
    expect(docs.data.requests.every((r) => r.type === 'document')).toBe(true);
  });

  it('keeps the newest entries when the log is larger than the budget', async () => {
    await callOk(server.client, 'puppeteer_evaluate', {
      function: "async () => { for (let i = 0; i < 100; i++) await fetch('/item/' + i); await fetch('/last-one'); }",
    });
    const result = await callOk<{ requests: Request[]; more?: { omitted: number } }>(
      server.client,
      'puppeteer_network_requests',
      { all: true },
    );
    expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(4096 * 1.1);
    expect(result.data.more?.omitted).toBeGreaterThan(50);
    expect(result.data.requests.at(-1)?.url).toBe(`${site.origin}/last-one`);
    expect(result.text).toMatch(/… \d+ more requests not shown \(output budget\)/);
  });

  it('leads to the older entries with a cursor, newest page first, each entry once', async () => {
    const pages: Request[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await callOk<{ requests: Array<Request & { seq: number }>; more?: { cursor?: string } }>(
        server.client,
        'puppeteer_network_requests',
        { all: true, url: '/item/', ...(cursor ? { cursor } : {}) },
      );
      expect(Buffer.byteLength(JSON.stringify(page.data))).toBeLessThanOrEqual(4096 * 1.1);
      pages.push(page.data.requests);
      cursor = page.data.more?.cursor;
      if (!cursor) break;
    }
    expect(pages.length).toBeGreaterThan(1);
    const urls = pages.reverse().flatMap((requests) => requests.map((r) => r.url));
    expect(urls).toEqual(Array.from({ length: 100 }, (_, i) => `${site.origin}/item/${i}`));
    // A cursor is for the same filters only.
    const first = await callOk<{ more?: { cursor?: string } }>(server.client, 'puppeteer_network_requests', {
      all: true,
      url: '/item/',
    });
    expect(
      await callError(server.client, 'puppeteer_network_requests', { all: true, url: '/other', cursor: first.data.more?.cursor }),
    ).toMatch(/^Argument `cursor`: belongs to a puppeteer_network_requests call with different arguments/);
  });

  it('opens, lists, selects and closes tabs', async () => {
    const opened = await callOk<{ tabs: Array<{ id: string; url: string; active: boolean }> }>(server.client, 'puppeteer_tabs', {
      action: 'open',
      url: `${site.origin}/form`,
    });
    const fresh = opened.data.tabs.find((t) => t.active);
    expect(fresh?.url).toBe(`${site.origin}/form`);
    expect(opened.data.tabs).toHaveLength(2);
    const first = opened.data.tabs.find((t) => !t.active)?.id as string;
    const snap = await callOk<{ tab: string; title: string }>(server.client, 'puppeteer_snapshot', {});
    expect(snap.data).toMatchObject({ tab: fresh?.id, title: 'Sign up' });
    await callOk(server.client, 'puppeteer_tabs', { action: 'select', tab: first });
    expect((await callOk<{ tab: string }>(server.client, 'puppeteer_snapshot', {})).data.tab).toBe(first);
    const closed = await callOk<{ tabs: Array<{ id: string; active: boolean }> }>(server.client, 'puppeteer_tabs', {
      action: 'close',
      tab: fresh?.id,
    });
    expect(closed.data.tabs.map((t) => t.id)).toEqual([first]);
    expect(closed.text.split('\n')[0]).toBe(`Closed tab ${fresh?.id}.`);
  });

  it('explains tab mistakes', async () => {
    expect(await callError(server.client, 'puppeteer_tabs', { action: 'select' })).toContain(
      'Argument `tab`: is required for action=select.',
    );
    expect(await callError(server.client, 'puppeteer_tabs', { action: 'close', tab: 't999' })).toMatch(
      /Argument `tab`: there is no tab "t999"\. Open tabs: t\d+/,
    );
    expect(await callError(server.client, 'puppeteer_tabs', { action: 'open', url: 'file:///etc/passwd' })).toContain(
      'the file: scheme is not allowed',
    );
  });

  it('opens a fresh tab when every tab was closed', async () => {
    const tabs = await callOk<{ tabs: Array<{ id: string }> }>(server.client, 'puppeteer_tabs', {});
    for (const t of tabs.data.tabs) await callOk(server.client, 'puppeteer_tabs', { action: 'close', tab: t.id });
    const page = await callOk<{ tab: string; url: string }>(server.client, 'puppeteer_navigate', {
      url: site.url,
      snapshot: 'none',
    });
    expect(page.data.url).toBe(site.url);
    expect(tabs.data.tabs.map((t) => t.id)).not.toContain(page.data.tab);
  });

  it('runs JavaScript in the page when the operator allowed it, annotated as destructive', async () => {
    const { tools } = await server.client.listTools();
    const evaluate = tools.find((t) => t.name === 'puppeteer_evaluate');
    expect(evaluate?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
    const title = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
      function: '() => ({ title: document.title, n: 1 + 1 })',
    });
    expect(JSON.parse(title.data.result)).toEqual({ title: 'Sign up', n: 2 });
    const awaited = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
      function: 'async () => { await new Promise(r => setTimeout(r, 10)); return "late"; }',
    });
    expect(awaited.data.result).toBe('"late"');
    const element = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
      function: '(el) => el.value',
      selector: 'input[name=name]',
    });
    expect(element.data.result).toBe('"old"');
    const nothing = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
      function: '() => { document.title = "changed"; }',
    });
    expect(nothing.data.result).toBe('undefined');
  });

  it('reports a script that throws or does not parse as a fixable error', async () => {
    expect(await callError(server.client, 'puppeteer_evaluate', { function: '() => { throw new Error("nope") }' })).toContain(
      'Argument `function`: the function threw in the page: nope',
    );
    expect(await callError(server.client, 'puppeteer_evaluate', { function: '() => {' })).toContain(
      'Argument `function`: is not a valid function expression',
    );
  });

  it('cuts a huge script result to the budget', async () => {
    const result = await callOk<{ result: string; more?: { omitted: number } }>(server.client, 'puppeteer_evaluate', {
      function: '() => "x".repeat(100000)',
    });
    expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(4096 * 1.1);
    expect(result.data.more?.omitted).toBeGreaterThan(90_000);
  });
});
