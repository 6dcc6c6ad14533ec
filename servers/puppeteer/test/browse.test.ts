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
  status?: number;
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
      snapshot: 'none',
    });
    expect(result.data.url).toBe(`${site.origin}/form`);
    expect(result.data.title).toBe('Sign up');
    expect(result.data.snapshot).toBeUndefined();
  });

  it('keeps an element’s ref across snapshots of the same page', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
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
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'full' });
    const bytes = Buffer.byteLength(JSON.stringify(page.raw));
    expect(bytes).toBeLessThan(2 * 8192 * 1.1);
    expect(Buffer.byteLength(page.text)).toBeLessThanOrEqual(8192);
    expect(page.data.more?.omitted).toBeGreaterThan(2_500);
    expect(page.data.more?.cursor).toBeTruthy();
    expect(page.text).toMatch(
      /… \d+ more lines not shown \(output budget\)\. Call puppeteer_snapshot with this cursor for the rest\. Snapshot one part/,
    );
    const next = await callOk<Landed>(server.client, 'puppeteer_snapshot', { cursor: page.data.more?.cursor });
    const lastShown = /Item number (\d+)/g;
    const firstNumbers = [...(page.data.snapshot ?? '').matchAll(lastShown)].map((m) => Number(m[1]));
    const nextNumbers = [...(next.data.snapshot ?? '').matchAll(lastShown)].map((m) => Number(m[1]));
    expect(nextNumbers[0]).toBe((firstNumbers.at(-1) ?? -1) + 1);
  });

  it('reaches the end of a big page by snapshotting one part', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'none' });
    const footer = await callOk<Landed>(server.client, 'puppeteer_snapshot', { selector: 'footer' });
    expect(footer.data.snapshot).toMatch(/button "Last button" \[ref=e\d+\]/);
    expect(footer.data.more).toBeUndefined();
  });

  it('refuses a cursor after the page navigated', async () => {
    const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'full' });
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
    const text = await callError(server.client, 'puppeteer_snapshot', { cursor: page.data.more?.cursor });
    expect(text).toContain('Argument `cursor`: the page navigated since this cursor was made.');
  });

  describe('the compact snapshot of a navigation', () => {
    const refIn = (snapshot: string | undefined, line: RegExp) => line.exec(snapshot ?? '')?.[1];

    it('stays within --snapshot-bytes, says it was cut and lists what follows with refs', async () => {
      const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
      // The default --snapshot-bytes is 4096: the outline and the note on the rest fit in it.
      expect(Buffer.byteLength(JSON.stringify({ snapshot: page.data.snapshot, hint: page.data.more?.hint }))).toBeLessThanOrEqual(
        4_096,
      );
      expect(page.data.snapshot).toMatch(/^- heading "Big" \[level=1\] \[ref=e\d+\]/);
      expect(page.data.snapshot).toMatch(/link "Item number 0 with a fairly long descriptive name" \[ref=e\d+\] → \/item\/0/);
      expect(page.data.more?.omitted).toBeGreaterThan(2_900);
      expect(page.data.more?.hint).toMatch(
        /^Call puppeteer_snapshot with this cursor for the rest\. Further down: heading "After the list" \[level=2\] \[ref=e\d+\], contentinfo \[ref=e\d+\]\. ref= snapshots one part\.$/,
      );
      expect(page.text).toMatch(
        /\n… \d+ more lines not shown \(compact snapshot\)\. Call puppeteer_snapshot with this cursor for the rest\. Further down: .+\. ref= snapshots one part\. cursor: \S+$/,
      );
    });

    it('is the start of the full snapshot, with the same refs, and its cursor continues there', async () => {
      const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
      const full = await callOk<Landed>(server.client, 'puppeteer_snapshot', {});
      const compact = page.data.snapshot ?? '';
      expect(compact.split('\n').length).toBeGreaterThan(20);
      expect((full.data.snapshot ?? '').startsWith(`${compact}\n`)).toBe(true);
      const next = await callOk<Landed>(server.client, 'puppeteer_snapshot', { cursor: page.data.more?.cursor });
      const numbers = (text: string | undefined) => [...(text ?? '').matchAll(/Item number (\d+)/g)].map((m) => Number(m[1]));
      expect(numbers(next.data.snapshot)[0]).toBe((numbers(compact).at(-1) ?? -1) + 1);
    });

    it('gives refs that work for the next action: a link shown and a landmark listed further down', async () => {
      const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
      const footer = refIn(page.data.more?.hint, /contentinfo \[ref=(e\d+)\]/);
      const part = await callOk<Landed>(server.client, 'puppeteer_snapshot', { ref: footer });
      expect(part.data.snapshot).toMatch(/^- contentinfo \[ref=e\d+\]:\n {2}- button "Last button" \[ref=e\d+\]$/);
      const link = refIn(page.data.snapshot, /link "Item number 3 [^"]*" \[ref=(e\d+)\]/);
      const clicked = await callOk<Landed & { navigated: boolean }>(server.client, 'puppeteer_click', {
        ref: link,
        snapshot: 'compact',
      });
      expect(clicked.data.navigated).toBe(true);
      expect(clicked.data.url).toBe(`${site.origin}/item/3`);
      expect(clicked.data.snapshot).toBeTruthy();
      expect(clicked.data.more).toBeUndefined();
    });

    it('gives the full snapshot, up to the output budget, when a call asks for it', async () => {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'none' });
      const reloaded = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'reload', snapshot: 'full' });
      expect(Buffer.byteLength(reloaded.data.snapshot ?? '')).toBeGreaterThan(5_000);
      expect(reloaded.text).toMatch(
        /… \d+ more lines not shown \(output budget\)\. Call puppeteer_snapshot with this cursor for the rest\. Snapshot one part/,
      );
    });

    it('is the whole outline when the page is small', async () => {
      const page = await callOk<Landed>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` });
      const full = await callOk<Landed>(server.client, 'puppeteer_snapshot', {});
      expect(page.data.more).toBeUndefined();
      expect(page.data.snapshot).toBe(full.data.snapshot);
      expect(page.text).not.toContain('not shown');
    });

    it('follows the operator’s --snapshot-bytes', async () => {
      const small = await connect(['--snapshot-bytes', '1024']);
      try {
        const page = await callOk<Landed>(small.client, 'puppeteer_navigate', { url: `${site.origin}/big` });
        expect(
          Buffer.byteLength(JSON.stringify({ snapshot: page.data.snapshot, hint: page.data.more?.hint })),
        ).toBeLessThanOrEqual(1_024);
        expect(page.data.snapshot).toContain('Item number 0');
        expect(page.data.more?.hint).toContain('contentinfo');
      } finally {
        await small.close();
      }
    });
  });

  it('reads the text of a page in parts within the budget', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/text`, snapshot: 'none' });
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

  it('refuses a text cursor after the page navigated', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/text`, snapshot: 'none' });
    const first = await callOk<{ more?: { cursor: string } }>(server.client, 'puppeteer_get_text', {});
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'none' });
    const text = await callError(server.client, 'puppeteer_get_text', { cursor: first.data.more?.cursor });
    expect(text).toContain('Argument `cursor`: the page navigated since this cursor was made.');
  });

  it('reads the text of one element', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/submitted?a=1&b=two`, snapshot: 'none' });
    const result = await callOk<{ text: string; more?: unknown }>(server.client, 'puppeteer_get_text', { selector: 'ul' });
    expect(result.data.text).toBe('a=1\nb=two');
    expect(result.data.more).toBeUndefined();
  });

  it('goes back, forward and reloads', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
    const back = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'back', snapshot: 'none' });
    expect(back.data.url).toBe(site.url);
    const forward = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'forward', snapshot: 'none' });
    expect(forward.data.url).toBe(`${site.origin}/form`);
    const before = site.requests.filter((r) => r.path === '/form').length;
    const reload = await callOk<Landed>(server.client, 'puppeteer_navigate_history', { action: 'reload' });
    expect(reload.data.status).toBe(200);
    expect(site.requests.filter((r) => r.path === '/form').length).toBe(before + 1);
  });

  it('says when there is no history to go forward to', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/item/1`, snapshot: 'none' });
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
      snapshot: 'none',
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
