import type { Connected } from '@patchbay/testing';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { closedPort, connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Landed {
  tab: string;
  url: string;
  title: string;
  status: number | null;
  snapshot?: string;
  more?: { omitted: number; cursor?: string; hint: string };
}

describe('navigating and reading pages', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--output-budget', '8192']);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('opens a page and returns final URL, status, title and a snapshot with refs', async () => {
    const result = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: site.url });
    expect(result.data.url).toBe(site.url);
    expect(result.data.status).toBe(200);
    expect(result.data.title).toBe('Fixture home');
    expect(result.data.snapshot).toMatch(/- heading "Fixture home" \[level=1\] \[ref=e\d+\]/);
    expect(result.data.snapshot).toMatch(/- link "Form" \[ref=e\d+\] → \/form/);
    expect(result.text.split('\n')[0]).toBe(`Opened Tab ${result.data.tab}: "Fixture home" ${site.url} (HTTP 200)`);
  });

  it('reports the final URL after a redirect', async () => {
    const result = await callOk<Landed>(server.client, 'puppeteer_navigate', {
      url: `${site.origin}/redirect-form`,
      snapshot: false,
    });
    expect(result.data.url).toBe(`${site.origin}/form`);
    expect(result.data.title).toBe('Sign up');
    expect(result.data.snapshot).toBeUndefined();
  });

  it('keeps an element’s ref across snapshots of the same page', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: false });
    const first = await callOk<Landed>(server.client, 'puppeteer_snapshot', {});
    const second = await callOk<Landed>(server.client, 'puppeteer_snapshot', {});
    const ref = /button "Send" \[ref=(e\d+)\]/.exec(first.data.snapshot ?? '')?.[1];
    expect(ref).toBeDefined();
    expect(second.data.snapshot).toContain(`button "Send" [ref=${ref}]`);
    expect(first.data.snapshot).toMatch(/textbox "Name" \[ref=e\d+\]: old/);
    expect(first.data.snapshot).toMatch(/combobox "Colour" \[ref=e\d+\]: Red/);
  });

  it('includes iframe content in the snapshot and acts on elements inside it', async () => {
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/frame` });
    expect(page.data.snapshot).toMatch(/- iframe "Inner frame" \[ref=e\d+\]:/);
    expect(page.data.snapshot).toMatch(/ {2,}- text: Inside the frame/);
    const ref = /button "Inner button" \[ref=(e\d+)\]/.exec(page.data.snapshot ?? '')?.[1];
    expect(ref).toBeDefined();
    await callOk(server.client, 'puppeteer_click', { ref });
    const after = await callOk<Landed>(server.client, 'puppeteer_snapshot', {});
    expect(after.data.snapshot).toMatch(new RegExp(`button "Inner clicked" (\\[focused\\] )?\\[ref=${ref}\\]`));
  });

  it('scopes a snapshot to one element by ref or selector', async () => {
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` });
    const formRef = /- form \[ref=(e\d+)\]/.exec(page.data.snapshot ?? '')?.[1];
    expect(formRef).toBeDefined();
    const scoped = await callOk<Landed>(server.client, 'puppeteer_snapshot', { ref: formRef });
    expect(scoped.data.snapshot).toContain('button "Send"');
    expect(scoped.data.snapshot).not.toContain('heading "Sign up"');
    const bySelector = await callOk<Landed>(server.client, 'puppeteer_snapshot', { selector: 'select' });
    expect(bySelector.data.snapshot).toMatch(/^- combobox "Colour"/);
    expect(bySelector.data.snapshot).toContain('option "Green"');
  });

  it('cuts a page far larger than the budget, with a cursor that continues', async () => {
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
    const bytes = Buffer.byteLength(JSON.stringify(page.raw));
    expect(bytes).toBeLessThan(2 * 8192 * 1.1);
    expect(Buffer.byteLength(page.text)).toBeLessThanOrEqual(8192);
    expect(page.data.more?.omitted).toBeGreaterThan(2_500);
    expect(page.data.more?.cursor).toBeTruthy();
    expect(page.text).toMatch(/… \d+ more lines not shown \(output budget\)\. Snapshot one part/);
    const next = await callOk<Landed>(server.client, 'puppeteer_snapshot', { cursor: page.data.more?.cursor });
    const lastShown = /Item number (\d+)/g;
    const firstNumbers = [...(page.data.snapshot ?? '').matchAll(lastShown)].map((m) => Number(m[1]));
    const nextNumbers = [...(next.data.snapshot ?? '').matchAll(lastShown)].map((m) => Number(m[1]));
    expect(nextNumbers[0]).toBe((firstNumbers.at(-1) ?? -1) + 1);
  });

  it('reaches the end of a big page by snapshotting one part', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: false });
    const footer = await callOk<Landed>(server.client, 'puppeteer_snapshot', { selector: 'footer' });
    expect(footer.data.snapshot).toMatch(/button "Last button" \[ref=e\d+\]/);
    expect(footer.data.more).toBeUndefined();
  });

  it('refuses a cursor after the page navigated', async () => {
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: false });
    const text = await callError(server.client, 'puppeteer_snapshot', { cursor: page.data.more?.cursor });
    expect(text).toContain('Argument `cursor`: the page navigated since this cursor was made.');
  });

  it('reads the text of a page in parts within the budget', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/text`, snapshot: false });
    const first = await callOk<{ text: string; total_chars: number; more?: { cursor: string } }>(
      server.client,
      'puppeteer_get_text',
      {},
    );
    expect(first.data.text.startsWith('Article\n\nParagraph 0:')).toBe(true);
    expect(first.data.total_chars).toBeGreaterThan(60_000);
    expect(Buffer.byteLength(JSON.stringify(first.data))).toBeLessThanOrEqual(8192 * 1.1);
    const second = await callOk<{ text: string }>(server.client, 'puppeteer_get_text', { cursor: first.data.more?.cursor });
    expect(`${first.data.text}${second.data.text}`).toContain(first.data.text + second.data.text.slice(0, 20));
    expect(second.data.text.length).toBeGreaterThan(1_000);
  });

  it('reads the text of one element', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/submitted?a=1&b=two`, snapshot: false });
    const result = await callOk<{ text: string; more?: unknown }>(server.client, 'puppeteer_get_text', { selector: 'ul' });
    expect(result.data.text).toBe('a=1\nb=two');
    expect(result.data.more).toBeUndefined();
  });

  it('goes back, forward and reloads', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: false });
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: false });
    const back = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'back', snapshot: false });
    expect(back.data.url).toBe(site.url);
    const forward = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'forward', snapshot: false });
    expect(forward.data.url).toBe(`${site.origin}/form`);
    const before = site.requests.filter((r) => r.path === '/form').length;
    const reload = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'reload' });
    expect(reload.data.status).toBe(200);
    expect(site.requests.filter((r) => r.path === '/form').length).toBe(before + 1);
  });

  it('says when there is no history to go forward to', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/item/1`, snapshot: false });
    const text = await callError(server.client, 'puppeteer_navigate_history', { action: 'forward' });
    expect(text).toContain('Argument `action`: there is no page to go forward to');
  });

  it('gives up on a page slower than the navigation timeout with advice', async () => {
    const slow = await connect(['--navigation-timeout', '1000']);
    try {
      const text = await callError(slow.client, 'puppeteer_navigate', { url: `${site.origin}/slow?ms=3000` });
      expect(text).toMatch(/did not finish loading within 1000 ms/);
    } finally {
      await slow.close();
    }
  });

  it('waits for a slow page that finishes within the timeout', async () => {
    const result = await callOk<Landed>(server.client, 'puppeteer_navigate', {
      url: `${site.origin}/slow?ms=700`,
      snapshot: false,
    });
    expect(result.data.title).toBe('Slow');
  });

  it('explains an unreachable address', async () => {
    const port = await closedPort();
    const text = await callError(server.client, 'puppeteer_navigate', { url: `http://127.0.0.1:${port}/` });
    expect(text).toBe(
      `could not load http://127.0.0.1:${port}/: ERR_CONNECTION_REFUSED. Check the address; the site may be down or unreachable from here.`,
    );
  });

  it('suggests a scheme for a bare host name', async () => {
    const text = await callError(server.client, 'puppeteer_navigate', { url: 'example.com/page' });
    expect(text).toBe('Argument `url`: "example.com/page" is not an absolute URL. Did you mean https://example.com/page?');
  });
});
