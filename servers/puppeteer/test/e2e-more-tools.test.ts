import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callError, callOk, connectBin, type TempDir, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Acted {
  title: string;
  action: string;
  notices?: string[];
}

const refOf = (snapshot: string | undefined, pattern: string): string => {
  const match = new RegExp(`${pattern}[^\\n]*?\\[ref=(e\\d+)\\]`).exec(snapshot ?? '');
  if (!match) throw new Error(`no ${pattern} in snapshot:\n${snapshot}`);
  return match[1] as string;
};

/**
 * The tools added for issue #15 through the built bin, over stdio and Streamable HTTP, with real
 * Chromium: fill_form, drag, handle_dialog, upload_file, resize, storage_state (across a restart
 * of the bin), performance_trace and throttle. Each step asserts what the page or the disk shows.
 */
describe.each(['stdio', 'http'] as const)('more browser tools end to end over %s', (transport) => {
  let site: Site;
  let uploads: TempDir;
  let storage: TempDir;
  let client: Client;
  let stop: () => Promise<unknown>;
  let args: string[];

  const open = async (route: string) => {
    await callOk(client, 'puppeteer_navigate', { url: `${site.origin}${route}`, snapshot: 'none' });
    return (await callOk<{ snapshot: string }>(client, 'puppeteer_snapshot', {})).data.snapshot;
  };
  const text = async (c = client) => (await callOk<{ text: string }>(c, 'puppeteer_get_text', {})).data.text;

  beforeAll(async () => {
    site = await startSite();
    uploads = await tempDir('patchbay-e2e-uploads-');
    storage = await tempDir('patchbay-e2e-storage-');
    await writeFile(path.join(uploads.path, 'notes.txt'), `notes over ${transport}\n`);
    args = ['--toolsets', 'all', '--upload-dir', uploads.path, '--storage-dir', storage.path];
    const connected = await connectBin(transport, BIN, args);
    client = connected.client;
    stop = connected.close;
  });
  afterAll(async () => {
    await stop?.();
    await site?.close();
    await uploads?.remove();
    await storage?.remove();
  });

  it('fills a form in one call and drags a card into a bin', async () => {
    const form = await open('/fill');
    const filled = await callOk<{ fields: Array<{ ok: boolean }> }>(client, 'puppeteer_fill_form', {
      fields: [
        { ref: refOf(form, 'textbox "Name"'), value: transport },
        { ref: refOf(form, 'combobox "Size"'), value: 'm' },
        { ref: refOf(form, 'checkbox "Newsletter"'), value: true },
      ],
    });
    expect(filled.data.fields.every((f) => f.ok)).toBe(true);
    await callOk(client, 'puppeteer_click', { ref: refOf(form, 'button "Go"') });
    expect(await text()).toMatch(new RegExp(`name=${transport}[\\s\\S]*size=m[\\s\\S]*news=on`));
    const drag = await open('/drag');
    await callOk(client, 'puppeteer_drag', { start_ref: refOf(drag, 'button "Card"'), end_ref: refOf(drag, 'region "Bin"') });
    expect(await text()).toContain('dropped card-1');
  });

  it('answers a prompt the page opened', async () => {
    const snap = await open('/dialogs');
    const clicked = await callOk<Acted>(client, 'puppeteer_click', { ref: refOf(snap, 'button "Prompt"') });
    expect(clicked.data.notices?.join('\n')).toContain('prompt dialog: "Your name?" (default answer "nobody")');
    expect(await callError(client, 'puppeteer_snapshot', {})).toContain('puppeteer_handle_dialog');
    await callOk(client, 'puppeteer_handle_dialog', { accept: true, prompt_text: `via ${transport}` });
    expect(await text()).toContain(`prompt: via ${transport}`);
  });

  it('uploads a file from the upload folder and refuses one outside it', async () => {
    const snap = await open('/upload');
    await callOk(client, 'puppeteer_upload_file', { selector: 'input[name=attachment]', files: ['notes.txt'] });
    await callOk(client, 'puppeteer_click', { ref: refOf(snap, 'button "Send files"') });
    expect(await text()).toContain(`notes over ${transport}`);
    await open('/upload');
    const refused = await callError(client, 'puppeteer_upload_file', {
      selector: 'input[type=file]',
      files: ['../../etc/passwd'],
    });
    expect(refused).toContain('files[0]');
  });

  it('emulates a phone, then measures a throttled load', async () => {
    await open('/whoami');
    const phone = await callOk<{ viewport: string }>(client, 'puppeteer_resize', { device: 'Pixel 5' });
    expect(phone.data.viewport).toContain('as Pixel 5');
    await callOk(client, 'puppeteer_navigate_history', { action: 'reload', snapshot: 'none' });
    expect(await text()).toContain('Pixel 5');
    await callOk(client, 'puppeteer_resize', { width: 1280, height: 720 });
    const throttled = await callOk(client, 'puppeteer_throttle', { network: 'fast-3g', cpu: 2 });
    expect(throttled.text).toContain('network Fast 3G, CPU 2× slower');
    const trace = await callOk<{ metrics: { ttfb: number; fcp: number; cls: number; longTasks: { count: number } } }>(
      client,
      'puppeteer_performance_trace',
      { url: `${site.origin}/vitals`, settle_ms: 500 },
    );
    // Fast 3G holds each response back by 562.5 ms (Chromium applies it to the body, after the
    // headers): the first paint cannot come sooner.
    expect(trace.data.metrics.ttfb).toBeGreaterThan(0);
    expect(trace.data.metrics.fcp).toBeGreaterThan(500);
    expect(trace.data.metrics.cls).toBeGreaterThan(0);
    expect(trace.data.metrics.longTasks.count).toBeGreaterThanOrEqual(1);
    await callOk(client, 'puppeteer_throttle', { network: 'none', cpu: 1 });
  });

  it('saves a logged-in session that a restarted server loads', async () => {
    await open('/set-cookie');
    const saved = await callOk(client, 'puppeteer_storage_state', { action: 'save', name: `login-${transport}` });
    expect(saved.text).toContain('session (127.0.0.1)');
    expect(saved.text).not.toContain('kept');
    expect(JSON.parse(await readFile(path.join(storage.path, `login-${transport}.json`), 'utf8')).cookies).toHaveLength(1);
    expect(await callError(client, 'puppeteer_storage_state', { action: 'save', name: '../x' })).toContain('name');
    await stop();
    const again = await connectBin(transport, BIN, args);
    client = again.client;
    stop = again.close;
    await open('/whoami');
    expect(await text()).toContain('cookie: none');
    await callOk(client, 'puppeteer_storage_state', { action: 'load', name: `login-${transport}` });
    await open('/whoami');
    expect(await text()).toContain('cookie: session=kept');
  });
});
