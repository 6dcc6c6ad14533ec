import type { Connected } from '@patchbay/testing';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Acted {
  tab: string;
  url: string;
  title: string;
  action: string;
  navigated: boolean;
  notices?: string[];
  snapshot?: string;
}

const refOf = (snapshot: string | undefined, pattern: string) => {
  const match = new RegExp(`${pattern}[^\\n]*?\\[ref=(e\\d+)\\]`).exec(snapshot ?? '');
  if (!match) throw new Error(`no ${pattern} in:\n${snapshot}`);
  return match[1] as string;
};

describe('acting on pages', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  let form: string;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--action-timeout', '1500']);
  });
  beforeEach(async () => {
    const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` });
    form = page.data.snapshot;
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('fills a form by refs and submits it', async () => {
    const typed = await callOk<Acted>(server.client, 'puppeteer_type', {
      ref: refOf(form, 'textbox "Name"'),
      text: 'Ada Lovelace',
    });
    expect(typed.data.action).toBe(`Typed "Ada Lovelace" into textbox "Name" [ref=${refOf(form, 'textbox "Name"')}].`);
    expect(typed.data.navigated).toBe(false);
    await callOk(server.client, 'puppeteer_type', { ref: refOf(form, 'textbox "Email"'), text: 'ada@example.com' });
    await callOk(server.client, 'puppeteer_select_option', { ref: refOf(form, 'combobox "Colour"'), values: ['Green'] });
    await callOk(server.client, 'puppeteer_click', { ref: refOf(form, 'checkbox "I agree"') });
    await callOk(server.client, 'puppeteer_type', { selector: 'textarea', text: 'line one\nline two' });
    const sent = await callOk<Acted>(server.client, 'puppeteer_click', {
      ref: refOf(form, 'button "Send"'),
      snapshot: 'compact',
    });
    expect(sent.data.navigated).toBe(true);
    expect(sent.data.title).toBe('Submitted');
    expect(sent.data.snapshot).toContain('name=Ada Lovelace');
    expect(sent.data.snapshot).toContain('email=ada@example.com');
    expect(sent.data.snapshot).toContain('colour=g');
    expect(sent.data.snapshot).toContain('agree=on');
    expect(sent.data.snapshot).toContain('notes=line one');
  });

  it('replaces a field’s text, or appends with append=true', async () => {
    const name = refOf(form, 'textbox "Name"');
    await callOk(server.client, 'puppeteer_type', { ref: name, text: 'new' });
    let snap = await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', { ref: name });
    expect(snap.data.snapshot).toMatch(/textbox "Name" .*: new$/);
    await callOk(server.client, 'puppeteer_type', { ref: name, text: ' and more', append: true });
    snap = await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', { ref: name });
    expect(snap.data.snapshot).toMatch(/textbox "Name" .*: new and more$/);
  });

  it('submits with Enter after typing', async () => {
    const result = await callOk<Acted>(server.client, 'puppeteer_type', {
      ref: refOf(form, 'textbox "Name"'),
      text: 'Grace',
      submit: true,
    });
    expect(result.data.navigated).toBe(true);
    expect(result.data.url).toContain('/submitted?name=Grace');
  });

  it('selects an option by value too, and explains a missing one', async () => {
    const colour = refOf(form, 'combobox "Colour"');
    await callOk(server.client, 'puppeteer_select_option', { ref: colour, values: ['b'] });
    const snap = await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', { ref: colour });
    expect(snap.data.snapshot).toMatch(/combobox "Colour" .*: Blue/);
    const text = await callError(server.client, 'puppeteer_select_option', { ref: colour, values: ['Purple'] });
    expect(text).toBe(
      `Argument \`values\`: combobox "Colour" [ref=${colour}] has no option "Purple". Options: Red, Green, Blue.`,
    );
    const notSelect = await callError(server.client, 'puppeteer_select_option', {
      ref: refOf(form, 'textbox "Name"'),
      values: ['x'],
    });
    expect(notSelect).toContain('is a <input>, not a <select>');
  });

  it('presses keys and key combinations in a focused element', async () => {
    const name = refOf(form, 'textbox "Name"');
    await callOk(server.client, 'puppeteer_press_key', { key: 'Control+A', ref: name });
    await callOk(server.client, 'puppeteer_press_key', { key: 'Backspace' });
    await callOk(server.client, 'puppeteer_press_key', { key: 'x' });
    const keys = await callOk<{ text: string }>(server.client, 'puppeteer_get_text', { selector: '#keys' });
    expect(keys.data.text).toBe('keys: Control a Backspace x');
    const snap = await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', { ref: name });
    expect(snap.data.snapshot).toMatch(/textbox "Name" .*: x$/);
  });

  it('rejects an unknown key name', async () => {
    expect(await callError(server.client, 'puppeteer_press_key', { key: 'Hyper' })).toContain(
      'Argument `key`: "Hyper" is not a key name.',
    );
    expect(await callError(server.client, 'puppeteer_press_key', { key: 'Super+a' })).toContain(
      'Argument `key`: Super is not a modifier.',
    );
  });

  it('hovers to reveal content', async () => {
    const result = await callOk<Acted>(server.client, 'puppeteer_hover', { selector: '#hoverme' });
    expect(result.data.action).toBe('Hovered over selector "#hoverme".');
    const tip = await callOk<{ text: string }>(server.client, 'puppeteer_get_text', { selector: '#tip' });
    expect(tip.data.text).toBe('Tooltip shown');
  });

  it('says a ref is stale after the page navigated', async () => {
    const send = refOf(form, 'button "Send"');
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
    const text = await callError(server.client, 'puppeteer_click', { ref: send });
    expect(text).toBe(
      `Argument \`ref\`: button "Send" [ref=${send}] is no longer on the page (it changed or navigated since the snapshot). Take a new snapshot and use a current ref.`,
    );
  });

  it('rejects refs it never gave out, and calls without a target', async () => {
    expect(await callError(server.client, 'puppeteer_click', { ref: 'e999999' })).toContain(
      'Argument `ref`: "e999999" is not a ref of this browser',
    );
    expect(await callError(server.client, 'puppeteer_click', {})).toContain('Argument `ref`: is required (or selector).');
    expect(await callError(server.client, 'puppeteer_click', { ref: 'e1', selector: 'a' })).toContain(
      'give either ref or selector, not both.',
    );
  });

  it('explains a selector that matches nothing or is invalid', async () => {
    expect(await callError(server.client, 'puppeteer_click', { selector: '#nope' })).toBe(
      'Argument `selector`: no element matches "#nope" within 1500 ms. Check the page with puppeteer_snapshot; a ref is more reliable than a selector.',
    );
    expect(await callError(server.client, 'puppeteer_click', { selector: 'a[[' })).toContain(
      'Argument `selector`: "a[[" is not a valid selector.',
    );
  });

  it('reports a dialog a click opens, which waits for puppeteer_handle_dialog', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/alert`, snapshot: 'none' });
    const result = await callOk<Acted>(server.client, 'puppeteer_click', { selector: 'button' });
    expect(result.data.notices).toContain(
      'Tab t1 shows an alert dialog: "Hello there". The page waits until puppeteer_handle_dialog accepts or dismisses it.'.replace(
        /t1/,
        result.data.tab,
      ),
    );
    await callOk(server.client, 'puppeteer_handle_dialog', { accept: true });
  });

  it('dismisses a dialog at once under --read-only, where no tool may answer it', async () => {
    const readOnly = await connect(['--read-only']);
    try {
      const result = await callOk<Acted>(readOnly.client, 'puppeteer_navigate', {
        url: `${site.origin}/alert-on-load`,
        snapshot: 'none',
      });
      expect(result.data.notices).toContain('The page showed an alert dialog: Welcome! (dismissed).');
      expect(result.data.title).toBe('Loud');
    } finally {
      await readOnly.close();
    }
  });

  it('follows a link that opens a new tab and makes it active', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/links`, snapshot: 'none' });
    const result = await callOk<Acted>(server.client, 'puppeteer_click', { selector: 'a[target=_blank]' });
    expect(result.data.title).toBe('Sign up');
    expect(result.data.notices?.[0]).toMatch(
      /^The page opened a new tab (t\d+) \(http:\/\/127\.0\.0\.1:\d+\/form\); it is now the active tab\.$/,
    );
    const tabs = await callOk<{ tabs: Array<{ id: string; active: boolean }> }>(server.client, 'puppeteer_tabs', {
      action: 'list',
    });
    const opened = tabs.data.tabs.find((t) => t.active);
    expect(opened?.id).toBe(result.data.tab);
    await callOk(server.client, 'puppeteer_tabs', { action: 'close', tab: result.data.tab });
  });

  describe('waiting', () => {
    it('waits for text to appear and for an element to show', async () => {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/late`, snapshot: 'none' });
      const text = await callOk<{ waited_ms: number; condition: string }>(server.client, 'puppeteer_wait_for', {
        text: 'Ready now',
      });
      expect(text.data.condition).toBe('text "Ready now" to appear');
      expect(text.data.waited_ms).toBeGreaterThan(100);
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/late`, snapshot: 'none' });
      const selector = await callOk<{ snapshot: string }>(server.client, 'puppeteer_wait_for', {
        selector: '#late-button',
        snapshot: 'compact',
      });
      expect(selector.data.snapshot).toMatch(/button "Late button" \[ref=e\d+\]/);
    });

    it('waits for text to go, for a URL, for network idle and for time', async () => {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/late`, snapshot: 'none' });
      await callOk(server.client, 'puppeteer_wait_for', { text_gone: 'Loading' });
      await callOk(server.client, 'puppeteer_wait_for', { selector_gone: '#nothing-here' });
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
      await callOk(server.client, 'puppeteer_type', { selector: 'input[name=name]', text: 'Q', submit: true });
      const url = await callOk<{ url: string }>(server.client, 'puppeteer_wait_for', { url: '/submitted' });
      expect(url.data.url).toContain('/submitted?name=Q');
      await callOk(server.client, 'puppeteer_wait_for', { network_idle: true });
      const time = await callOk<{ waited_ms: number }>(server.client, 'puppeteer_wait_for', { seconds: 0.3 });
      expect(time.data.waited_ms).toBeGreaterThanOrEqual(290);
    });

    it('gives up after the timeout, and wants exactly one condition', async () => {
      const text = await callError(server.client, 'puppeteer_wait_for', { text: 'never appears', timeout_ms: 300 });
      expect(text).toBe(
        'Argument `text`: gave up waiting for text "never appears" to appear after 300 ms. Check the page with puppeteer_snapshot; the condition may never hold.',
      );
      expect(await callError(server.client, 'puppeteer_wait_for', {})).toContain('give one condition');
      expect(await callError(server.client, 'puppeteer_wait_for', { text: 'a', seconds: 1 })).toContain(
        'give one condition at a time (got text, seconds)',
      );
    });
  });
});
