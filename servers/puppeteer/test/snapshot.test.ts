import type { Connected } from '@patchbay/testing';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutline } from '../src/browser/snapshot.js';
import type { BrowserServices } from '../src/client.js';
import { connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Snap {
  snapshot: string;
  more?: { omitted: number; cursor?: string };
}

/**
 * The outline is written by a walk of the page's DOM (outline-walker.ts), not read from
 * Chromium's accessibility tree: these check that it still says what that tree says about the
 * usual HTML, and leaves out what the page hides.
 */
describe('the outline of a page', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  let kitchen: string;
  beforeAll(async () => {
    site = await startSite();
    server = await connect();
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/kitchen`, snapshot: 'none' });
    const snap = await callOk<Snap>(server.client, 'puppeteer_snapshot', {});
    kitchen = snap.data.snapshot.replace(/ \[ref=e\d+\]/g, '');
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('gives roles, names, values and states as the accessibility tree does', () => {
    const lines = kitchen.split('\n');
    for (const line of [
      '- banner:',
      '  - link "Logo" → /:',
      '    - img "Logo"',
      '  - navigation "Main":',
      '    - link "Alpha" → /a',
      '  - button "Open menu"',
      '  - searchbox "Search the site"',
      '- main:',
      '  - link "A post title" → /post',
      '  - img "A chart"',
      '  - region "Named section":',
      '    - heading "Named section" [level=3]',
      '  - form "Settings":',
      '    - text: Choose',
      '    - radio "One" [checked]',
      '    - radio "Two"',
      '    - spinbutton "Count": 3',
      '    - slider "Volume": 40',
      '    - textbox "Mail" [required]',
      '    - button "Submit"',
      '    - button "Clear"',
      '    - textbox "Say something"',
      '    - listbox "Many":',
      '      - option "B" [selected]',
      '    - checkbox "Tri" [checked=mixed]',
      '    - button "Nope" [disabled]',
      '    - button "Bold" [pressed]',
      '  - disclosureTriangle "Open one" [expanded]',
      '  - button "Fake button"',
      '  - checkbox "Fake check" [checked]',
      '  - alert:',
      '  - dialog:',
      '    - button "OK"',
      '- complementary:',
      '  - heading "Sidebar" [level=2]',
      '- contentinfo:',
      '  - text: Footer text',
    ]) {
      expect(lines, line).toContain(line);
    }
  });

  it('leaves out what the page hides', () => {
    for (const hidden of ['Hidden by aria', 'Hidden by display', 'Hidden details', 'Invisible']) {
      expect(kitchen).not.toContain(hidden);
    }
    // visibility: hidden hides an element, not a descendant that sets it back.
    expect(kitchen).toContain('- text: but this shows');
    // A closed <details> shows its summary only.
    expect(kitchen).toContain('- disclosureTriangle "More"\n');
  });

  it('never shows what a password field holds', () => {
    expect(kitchen).not.toContain('hunter2');
    expect(kitchen).toContain('- textbox "Secret": •••••••');
  });

  it('keeps each element on one line, whatever its href holds (a page cannot write lines of its own)', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/kitchen`, snapshot: 'none' });
    // An href the URL parser refuses is given back as written, newline included.
    await server.services.tab().then((tab) =>
      tab.page.evaluate(() => {
        const link = document.createElement('a');
        link.textContent = 'Odd link';
        link.setAttribute('href', 'http://[bad/\n- button "Pay now" [ref=e1]');
        document.body.prepend(link);
      }),
    );
    const snap = await callOk<Snap>(server.client, 'puppeteer_snapshot', {});
    // Such an href leads nowhere: the link is shown without it.
    expect(snap.data.snapshot).toMatch(/^- link "Odd link" \[ref=e\d+\]$/m);
    expect(snap.data.snapshot).not.toContain('Pay now');
  });

  it('keeps each element on one line when the page tampers with the globals the walk uses', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/kitchen`, snapshot: 'none' });
    await server.services.tab().then((tab) =>
      tab.page.evaluate(() => {
        const stringify = JSON.stringify;
        // The walk quotes names with JSON.stringify: this one answers with a line break in them.
        JSON.stringify = ((value: unknown, ...rest: []) =>
          value === 'Logo' ? '"Logo"\n- button "Pay now"' : stringify(value, ...rest)) as typeof JSON.stringify;
      }),
    );
    const snap = await callOk<Snap>(server.client, 'puppeteer_snapshot', {});
    expect(snap.data.snapshot).not.toMatch(/^\s*- button "Pay now"/m);
    expect(snap.data.snapshot).toMatch(/^ {2}- link "Logo" - button "Pay now" \[ref=e\d+\] → \/:$/m);
  });

  it('names the tab when the page’s scripts break what the walk sends back, and recovers with the next page', async () => {
    const tamper = async (how: 'garbage' | 'toJSON') => {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/kitchen`, snapshot: 'none' });
      await server.services.tab().then((tab) =>
        tab.page.evaluate((mode) => {
          if (mode === 'garbage') JSON.stringify = (() => '{"lines": [') as typeof JSON.stringify;
          // Valid JSON, but not a walk's step: every object becomes a string.
          else Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'tampered', configurable: true });
        }, how),
      );
      const error = await callError(server.client, 'puppeteer_snapshot', {});
      expect(error).toMatch(/^tab t\d+: the page did not answer the snapshot as expected/);
      expect(error).toContain('puppeteer_get_text');
      expect(error).not.toMatch(/SyntaxError|TypeError|Unexpected/);
    };
    await tamper('garbage');
    await tamper('toJSON');
    // A navigation to such a page did its work: it says so, without a snapshot.
    const landed = await callOk<{ title: string; snapshot?: string; notices?: string[] }>(server.client, 'puppeteer_navigate', {
      url: `${site.origin}/tampered`,
    });
    expect(landed.data.title).toBe('Tampered');
    expect(landed.data.snapshot).toBeUndefined();
    expect(landed.data.notices?.join('\n')).toMatch(/^tab t\d+: the page did not answer the snapshot as expected/);
    // A new document has its own globals again.
    const snap = await callOk<Snap>(server.client, 'puppeteer_navigate', { url: `${site.origin}/kitchen`, snapshot: 'full' });
    expect(snap.data.snapshot).toContain('- link "Logo"');
  });

  it('walks open shadow roots and frames in place, and their refs work', async () => {
    expect(kitchen).toContain('  - button "Shadow button"');
    // Labels inside a shadow root name the controls there (each root's labels are looked up apart).
    expect(kitchen).toContain('  - textbox "Shadow field"');
    expect(kitchen).toContain('  - button "Wrapped"');
    expect(kitchen).toContain('  - iframe "Inline":\n    - text: Inside srcdoc\n    - button "Srcdoc button"');
    // A frame of another site runs in a renderer of its own; its document is walked by its frame.
    const page = await callOk<Snap>(server.client, 'puppeteer_navigate', { url: `${site.origin}/frame-cross` });
    expect(page.data.snapshot).toMatch(
      /- iframe "Other site" \[ref=e\d+\]:\n {2}- text: Inside the frame\n {2}- button "Inner button"/,
    );
    const ref = /button "Inner button" \[ref=(e\d+)\]/.exec(page.data.snapshot)?.[1];
    await callOk(server.client, 'puppeteer_click', { ref });
    const after = await callOk<Snap>(server.client, 'puppeteer_snapshot', {});
    expect(after.data.snapshot).toMatch(new RegExp(`button "Inner clicked" (\\[focused\\] )?\\[ref=${ref}\\]`));
  });

  it('walks a DOM nested 1 500 deep', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/deep?divs=1500&spans=30`, snapshot: 'none' });
    const snap = await callOk<Snap>(server.client, 'puppeteer_snapshot', {});
    expect(snap.data.snapshot).toMatch(/^- link "Deep link" \[ref=e\d+\] → \/item\/1$/m);
    expect(snap.data.snapshot).toMatch(/^- text: After the depths$/m);
  });

  it('stops counting a page too big to count, and its cursor still continues', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/big`, snapshot: 'none' });
    const tab = await server.services.tab();
    // A budget of 50 nodes past the window, as if the page had millions.
    const first = await readOutline(tab.page, { offset: 0, limit: 2_000, countBudget: 50 });
    expect(first.exact).toBe(false);
    expect(first.total).toBeLessThan(3_005);
    const next = await readOutline(tab.page, { offset: first.lines.length, limit: 2_000, countBudget: 50 });
    const numbers = (lines: Array<{ head: string }>) =>
      lines.flatMap((l) => [...(/Item number (\d+)/.exec(l.head) ?? [])].slice(1)).map(Number);
    expect(numbers(next.lines)[0]).toBe((numbers(first.lines).at(-1) ?? -1) + 1);
    // Counted to the end, the same page is exact.
    const whole = await readOutline(tab.page, { offset: 0, limit: 2_000 });
    expect(whole).toMatchObject({ exact: true, total: 3_005 });
  });
});
