import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Connected } from '@patchbay/testing';
import { callError, callOk, type TempDir, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Acted {
  tab: string;
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

async function open(server: Connected<BrowserServices>, url: string): Promise<string> {
  await callOk(server.client, 'puppeteer_navigate', { url, snapshot: 'none' });
  return (await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', {})).data.snapshot;
}

const text = async (server: Connected<BrowserServices>) =>
  (await callOk<{ text: string }>(server.client, 'puppeteer_get_text', {})).data.text;

describe('forms, drag, dialogs, uploads, viewport', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  let uploads: TempDir;
  let outside: TempDir;
  beforeAll(async () => {
    site = await startSite();
    uploads = await tempDir('patchbay-uploads-');
    outside = await tempDir('patchbay-outside-');
    await writeFile(path.join(uploads.path, 'hello.txt'), 'hello from the upload folder\n');
    await mkdir(path.join(uploads.path, 'pics'));
    await writeFile(path.join(uploads.path, 'pics', 'cat.png'), 'not really a png');
    await writeFile(path.join(outside.path, 'secret.txt'), 'top secret\n');
    await symlink(path.join(outside.path, 'secret.txt'), path.join(uploads.path, 'link.txt'));
    server = await connect(['--action-timeout', '2000', '--toolsets', 'default,more', '--upload-dir', uploads.path]);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
    await uploads?.remove();
    await outside?.remove();
  });

  it('fills text, select, checkbox and radio fields in one call and reports each', async () => {
    const form = await open(server, `${site.origin}/fill`);
    const filled = await callOk<Acted & { fields: Array<{ field: string; ok: boolean; result: string }> }>(
      server.client,
      'puppeteer_fill_form',
      {
        fields: [
          { ref: refOf(form, 'textbox "Name"'), value: 'Grace' },
          { ref: refOf(form, 'textbox "Bio"'), value: 'Admiral' },
          { ref: refOf(form, 'combobox "Size"'), value: 'Large' },
          { ref: refOf(form, 'checkbox "Newsletter"'), value: true },
          { ref: refOf(form, 'checkbox "Terms"'), value: false },
          { ref: refOf(form, 'radio "Pro"'), value: 'true' },
          { ref: refOf(form, 'combobox "Size"'), value: 'Huge' },
          { ref: refOf(form, 'button "Go"'), value: 'x' },
        ],
      },
    );
    expect(filled.data.fields.map((f) => f.ok)).toEqual([true, true, true, true, true, true, false, false]);
    expect(filled.data.fields[6]?.result).toContain('has no option "Huge"');
    expect(filled.data.fields[7]?.result).toContain('not a form field');
    expect(filled.data.action).toBe('Set 6 of 8 fields (2 failed).');
    expect(filled.text).toContain('✗ combobox "Size"');
    const sent = await callOk<Acted>(server.client, 'puppeteer_click', { ref: refOf(form, 'button "Go"') });
    expect(sent.data.title).toBe('Submitted');
    const submitted = await text(server);
    expect(submitted).toContain('name=Grace');
    expect(submitted).toContain('bio=Admiral');
    expect(submitted).toContain('size=l');
    expect(submitted).toContain('news=on');
    expect(submitted).not.toContain('terms=');
    expect(submitted).toContain('plan=pro');
  });

  it('refuses a field with both ref and selector, naming it', async () => {
    await open(server, `${site.origin}/fill`);
    const error = await callError(server.client, 'puppeteer_fill_form', {
      fields: [{ ref: 'e1', selector: 'input', value: 'x' }],
    });
    expect(error).toContain('fields[0]');
  });

  it('drags an element onto another and the page sees the drop', async () => {
    const snap = await open(server, `${site.origin}/drag`);
    const dragged = await callOk<Acted>(server.client, 'puppeteer_drag', {
      start_ref: refOf(snap, 'button "Card"'),
      end_ref: refOf(snap, 'region "Bin"'),
    });
    expect(dragged.data.action).toMatch(/^Dragged button "Card" \[ref=e\d+\] onto region "Bin"/);
    expect(await text(server)).toContain('dropped card-1');
    const stale = await callError(server.client, 'puppeteer_drag', { start_ref: 'e999999', end_selector: '#bin' });
    expect(stale).toContain('start_ref');
  });

  it('keeps a confirm open until answered, and the page gets the answer', async () => {
    const snap = await open(server, `${site.origin}/dialogs`);
    const clicked = await callOk<Acted>(server.client, 'puppeteer_click', { ref: refOf(snap, 'button "Confirm"') });
    expect(clicked.data.action).toContain('It opened a dialog.');
    expect(clicked.data.notices?.join('\n')).toContain('confirm dialog: "Delete everything?"');
    // Anything else in the tab is refused, naming the dialog.
    const refused = await callError(server.client, 'puppeteer_get_text', {});
    expect(refused).toContain('confirm dialog: "Delete everything?"');
    expect(refused).toContain('puppeteer_handle_dialog');
    const answered = await callOk<Acted>(server.client, 'puppeteer_handle_dialog', { accept: true });
    expect(answered.data.action).toBe('Accepted a confirm dialog: "Delete everything?".');
    expect(await text(server)).toContain('confirm: true');
    await callOk(server.client, 'puppeteer_click', { ref: refOf(snap, 'button "Confirm"') });
    await callOk(server.client, 'puppeteer_handle_dialog', { accept: false });
    expect(await text(server)).toContain('confirm: false');
  });

  it('answers a prompt with text, and says when there is no dialog', async () => {
    const snap = await open(server, `${site.origin}/dialogs`);
    await callOk(server.client, 'puppeteer_click', { ref: refOf(snap, 'button "Prompt"') });
    const wrong = await callError(server.client, 'puppeteer_handle_dialog', { accept: false, prompt_text: 'Ada' });
    expect(wrong).toContain('prompt_text');
    await callOk(server.client, 'puppeteer_handle_dialog', { accept: true, prompt_text: 'Ada' });
    expect(await text(server)).toContain('prompt: Ada');
    const none = await callError(server.client, 'puppeteer_handle_dialog', { accept: true });
    expect(none).toContain('shows no dialog');
  });

  it('refuses a navigation in a tab with a dialog open, and still closes the tab', async () => {
    await callOk(server.client, 'puppeteer_tabs', { action: 'open', url: `${site.origin}/dialogs` });
    const snap = (await callOk<{ snapshot: string }>(server.client, 'puppeteer_snapshot', {})).data.snapshot;
    await callOk(server.client, 'puppeteer_click', { ref: refOf(snap, 'button "Alert"') });
    const refused = await callError(server.client, 'puppeteer_navigate', { url: `${site.origin}/` });
    expect(refused).toContain('alert dialog: "Saved!"');
    const tab = (await server.services.tab()).id;
    const closed = await callOk<{ tabs: Array<{ id: string }> }>(server.client, 'puppeteer_tabs', { action: 'close', tab });
    expect(closed.data.tabs.map((t) => t.id)).not.toContain(tab);
  });

  it('reports an alert a page opens while loading, and the navigation answers', async () => {
    const opened = await callOk<Acted>(server.client, 'puppeteer_navigate', { url: `${site.origin}/alert-on-load` });
    expect(opened.data.notices?.join('\n')).toContain('alert dialog: "Welcome!"');
    await callOk(server.client, 'puppeteer_handle_dialog', { accept: true });
    expect(await text(server)).toContain('Loud');
  });

  it('uploads a file from the upload folder into a file input, and the form sends it', async () => {
    const snap = await open(server, `${site.origin}/upload`);
    const uploaded = await callOk<Acted>(server.client, 'puppeteer_upload_file', {
      selector: 'input[name=attachment]',
      files: ['hello.txt', 'pics/cat.png'],
    });
    expect(uploaded.data.action).toContain('Uploaded hello.txt (29 bytes), pics/cat.png (16 bytes)');
    await callOk(server.client, 'puppeteer_click', { ref: refOf(snap, 'button "Send files"') });
    const received = await text(server);
    expect(received).toContain('filename="hello.txt"');
    expect(received).toContain('hello from the upload folder');
    expect(received).toContain('filename="cat.png"');
  });

  it('answers the file chooser a button opens', async () => {
    const snap = await open(server, `${site.origin}/upload`);
    await callOk(server.client, 'puppeteer_upload_file', {
      ref: refOf(snap, 'button "Choose a picture"'),
      files: ['pics/cat.png'],
    });
    expect(await text(server)).toContain('chosen: cat.png');
  });

  it('refuses files outside the upload folder: "..", absolute paths, a symlink out, a folder', async () => {
    await open(server, `${site.origin}/upload`);
    const args = (file: string) => ({ selector: 'input[name=attachment]', files: [file] });
    expect(await callError(server.client, 'puppeteer_upload_file', args('../secret.txt'))).toContain('without ".."');
    expect(await callError(server.client, 'puppeteer_upload_file', args(path.join(outside.path, 'secret.txt')))).toContain(
      'relative to the upload folder',
    );
    expect(await callError(server.client, 'puppeteer_upload_file', args('link.txt'))).toContain('outside the allowed locations');
    expect(await callError(server.client, 'puppeteer_upload_file', args('pics'))).toContain('not a regular file');
    expect(await callError(server.client, 'puppeteer_upload_file', args('missing.txt'))).toContain('does not exist');
  });

  it('is not offered without --upload-dir, and says which flag turns it on', async () => {
    const plain = await connect([]);
    try {
      const names = (await plain.client.listTools()).tools.map((t) => t.name);
      expect(names).not.toContain('puppeteer_upload_file');
      expect(names).not.toContain('puppeteer_storage_state');
      const error = await callError(plain.client, 'puppeteer_upload_file', { selector: 'input', files: ['a.txt'] });
      expect(error).toContain('--upload-dir');
    } finally {
      await plain.close();
    }
  });

  it('resizes the viewport and emulates a phone', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/whoami`, snapshot: 'none' });
    const phone = await callOk<{ viewport: string }>(server.client, 'puppeteer_resize', { device: 'iPhone 15' });
    expect(phone.data.viewport).toContain('393x659 as iPhone 15');
    await callOk(server.client, 'puppeteer_navigate_history', { action: 'reload', snapshot: 'none' });
    expect(await text(server)).toContain('iPhone');
    const sized = await callOk<{ viewport: string }>(server.client, 'puppeteer_resize', { width: 800, height: 600 });
    expect(sized.data.viewport).toBe('800x600');
    const tab = await server.services.tab();
    expect(await tab.page.evaluate(() => [innerWidth, innerHeight])).toEqual([800, 600]);
    await callOk(server.client, 'puppeteer_navigate_history', { action: 'reload', snapshot: 'none' });
    expect(await text(server)).not.toContain('iPhone');
    expect(await callError(server.client, 'puppeteer_resize', { width: 800 })).toContain('height');
  });
});

describe('saved sessions', () => {
  let site: Site;
  let storage: TempDir;
  let outside: TempDir;
  beforeAll(async () => {
    site = await startSite();
    storage = await tempDir('patchbay-storage-');
    outside = await tempDir('patchbay-outside-');
  });
  afterAll(async () => {
    await site?.close();
    await storage?.remove();
    await outside?.remove();
  });

  it('saves cookies and localStorage, and a new server loads them back', async () => {
    const first = await connect(['--storage-dir', storage.path]);
    try {
      await callOk(first.client, 'puppeteer_navigate', { url: `${site.origin}/set-cookie`, snapshot: 'none' });
      await callOk(first.client, 'puppeteer_navigate', { url: `${site.origin}/storage?set`, snapshot: 'none' });
      const saved = await callOk<{ cookies: Array<{ name: string; domain: string }>; origins: string[] }>(
        first.client,
        'puppeteer_storage_state',
        { action: 'save', name: 'work-login' },
      );
      expect(saved.data.cookies).toEqual([{ name: 'session', domain: '127.0.0.1' }]);
      expect(saved.data.origins).toEqual([site.origin]);
      // Names and domains only: a cookie's value is a credential.
      expect(saved.text).toContain('session (127.0.0.1)');
      expect(saved.text).not.toContain('kept');
      const file = JSON.parse(await readFile(path.join(storage.path, 'work-login.json'), 'utf8'));
      expect(file.cookies[0]).toMatchObject({ name: 'session', value: 'kept', domain: '127.0.0.1', path: '/' });
      expect(file.origins).toEqual([{ origin: site.origin, localStorage: [{ name: 'theme', value: 'dark-42' }] }]);
    } finally {
      await first.close();
    }
    const second = await connect(['--storage-dir', storage.path]);
    try {
      await callOk(second.client, 'puppeteer_navigate', { url: `${site.origin}/whoami`, snapshot: 'none' });
      expect(await text(second)).toContain('cookie: none');
      const listed = await callOk<{ states: string[] }>(second.client, 'puppeteer_storage_state', { action: 'list' });
      expect(listed.data.states).toEqual(['work-login']);
      const loaded = await callOk(second.client, 'puppeteer_storage_state', { action: 'load', name: 'work-login' });
      expect(loaded.text).not.toContain('kept');
      await callOk(second.client, 'puppeteer_navigate', { url: `${site.origin}/whoami`, snapshot: 'none' });
      expect(await text(second)).toContain('cookie: session=kept');
      await callOk(second.client, 'puppeteer_navigate', { url: `${site.origin}/storage`, snapshot: 'none' });
      expect(await text(second)).toContain('theme: dark-42');
      // The scratch page that wrote localStorage left the tab in front: clicks still land.
      await callOk(second.client, 'puppeteer_navigate', { url: `${site.origin}/dialogs`, snapshot: 'none' });
      const clicked = await callOk<Acted>(second.client, 'puppeteer_click', { selector: 'button:nth-of-type(2)' });
      expect(clicked.data.notices?.join('\n')).toContain('Delete everything?');
      await callOk(second.client, 'puppeteer_handle_dialog', { accept: true });
    } finally {
      await second.close();
    }
  });

  it('refuses names that are paths, missing states and a state file that is a link', async () => {
    await writeFile(path.join(outside.path, 'evil.json'), '{"cookies":[],"origins":[]}');
    await symlink(path.join(outside.path, 'evil.json'), path.join(storage.path, 'linked.json'));
    const server = await connect(['--storage-dir', storage.path]);
    try {
      for (const name of ['../evil', 'a/b', '..', '.hidden', 'x'.repeat(65)]) {
        const error = await callError(server.client, 'puppeteer_storage_state', { action: 'save', name });
        expect(error).toContain('name');
      }
      expect(await callError(server.client, 'puppeteer_storage_state', { action: 'load', name: 'nope' })).toContain(
        'no saved state "nope"',
      );
      expect(await callError(server.client, 'puppeteer_storage_state', { action: 'load', name: 'linked' })).toContain(
        'not a regular file',
      );
      expect(await callError(server.client, 'puppeteer_storage_state', { action: 'save', name: 'linked' })).toContain(
        'not a regular file',
      );
      expect(await readFile(path.join(outside.path, 'evil.json'), 'utf8')).toBe('{"cookies":[],"origins":[]}');
    } finally {
      await server.close();
    }
  });
});

describe('performance toolset', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--toolsets', 'default,performance']);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('is off by default', async () => {
    const plain = await connect([]);
    try {
      const names = (await plain.client.listTools()).tools.map((t) => t.name);
      expect(names).not.toContain('puppeteer_performance_trace');
      expect(names).not.toContain('puppeteer_throttle');
    } finally {
      await plain.close();
    }
  });

  it('measures a load: paints, a layout shift and a long task', async () => {
    const traced = await callOk<{
      metrics: {
        ttfb: number;
        fcp: number;
        lcp: { time: number; element: string };
        cls: number;
        longTasks: { count: number; longestMs: number };
      };
    }>(server.client, 'puppeteer_performance_trace', { url: `${site.origin}/vitals`, settle_ms: 800 });
    const m = traced.data.metrics;
    expect(m.ttfb).toBeGreaterThan(0);
    expect(m.fcp).toBeGreaterThan(0);
    expect(m.lcp.time).toBeGreaterThan(0);
    expect(m.cls).toBeGreaterThan(0);
    expect(m.longTasks.count).toBeGreaterThanOrEqual(1);
    expect(m.longTasks.longestMs).toBeGreaterThanOrEqual(100);
    expect(traced.text).toMatch(/TTFB \d+ ms/);
    expect(traced.text).toMatch(/CLS 0\.\d+/);
    // The observer is gone after the trace: a later load is not observed.
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/vitals`, snapshot: 'none' });
    const tab = await server.services.tab();
    expect(await tab.page.evaluate(() => '__patchbayVitals' in window)).toBe(false);
  });

  it('throttles the network: offline fails a load, none restores it', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/`, snapshot: 'none' });
    const off = await callOk<{ network: string }>(server.client, 'puppeteer_throttle', { network: 'offline', cpu: 2 });
    expect(off.text).toContain('network offline, CPU 2× slower');
    const failed = await callError(server.client, 'puppeteer_navigate', { url: `${site.origin}/form?offline` });
    expect(failed).toMatch(/INTERNET_DISCONNECTED|could not load/i);
    await callOk(server.client, 'puppeteer_throttle', { network: 'slow-3g' });
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/`, snapshot: 'none' });
    const tab = await server.services.tab();
    const slow = await tab.page.evaluate(async () => {
      const started = performance.now();
      await fetch('/?slow').then((r) => r.text());
      return performance.now() - started;
    });
    // Slow 3G is 500 kbit/s with 2 s of latency per round trip: anything but instant.
    expect(slow).toBeGreaterThan(1_000);
    await callOk(server.client, 'puppeteer_throttle', { network: 'none', cpu: 1 });
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
    expect(await callError(server.client, 'puppeteer_throttle', {})).toContain('network');
  });
});
