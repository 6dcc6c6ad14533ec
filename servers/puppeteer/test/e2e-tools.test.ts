import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callOk, connectBin } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Page {
  title: string;
  url: string;
  snapshot?: string;
  navigated?: boolean;
}

const refOf = (snapshot: string | undefined, pattern: RegExp): string => {
  const match = new RegExp(`${pattern.source}[^\\n]*?\\[ref=(e\\d+)\\]`).exec(snapshot ?? '');
  if (!match) throw new Error(`no ${pattern} in snapshot:\n${snapshot}`);
  return match[1] as string;
};

/**
 * The tools the other end-to-end tests do not reach, through the built bin over stdio and over
 * Streamable HTTP, with real Chromium: snapshot, select, hover, press a key, click, history, PDF,
 * evaluate. Each step asserts what happened in the page.
 */
describe.each(['stdio', 'http'] as const)('browser tools end to end over %s', (transport) => {
  let site: Site;
  let client: Client;
  let stop: () => Promise<unknown>;
  const args = ['--toolsets', 'all', '--allow-evaluate'];

  beforeAll(async () => {
    site = await startSite();
    const connected = await connectBin(transport, BIN, args);
    client = connected.client;
    stop = connected.close;
  });
  afterAll(async () => {
    await stop?.();
    await site?.close();
  });

  it('fills and submits a form by refs from a full snapshot', async () => {
    await callOk(client, 'puppeteer_navigate', { url: `${site.origin}/form`, snapshot: 'none' });
    const full = await callOk<Page>(client, 'puppeteer_snapshot', {});
    expect(full.data.snapshot).toContain('button "Send"');
    await callOk(client, 'puppeteer_select_option', { ref: refOf(full.data.snapshot, /combobox "Colour"/), values: ['g'] });
    await callOk(client, 'puppeteer_hover', { selector: '#hoverme' });
    await callOk(client, 'puppeteer_press_key', { key: 'q' });
    const text = await callOk<{ text: string }>(client, 'puppeteer_get_text', {});
    expect(text.data.text).toContain('Tooltip shown');
    expect(text.data.text).toMatch(/keys: q/);
    await callOk(client, 'puppeteer_type', { ref: refOf(full.data.snapshot, /textbox "Name"/), text: 'E2E' });
    const clicked = await callOk<Page>(client, 'puppeteer_click', { ref: refOf(full.data.snapshot, /button "Send"/) });
    expect(clicked.data.navigated).toBe(true);
    expect(clicked.data.title).toBe('Submitted');
    const submitted = await callOk<{ text: string }>(client, 'puppeteer_get_text', {});
    expect(submitted.data.text).toContain('name=E2E');
    expect(submitted.data.text).toContain('colour=g');
  });

  it('goes back and forward in history', async () => {
    const back = await callOk<Page>(client, 'puppeteer_navigate_history', { action: 'back' });
    expect(back.data.title).toBe('Sign up');
    const forward = await callOk<Page>(client, 'puppeteer_navigate_history', { action: 'forward' });
    expect(forward.data.title).toBe('Submitted');
  });

  it('prints the page to a PDF and evaluates a function in it', async () => {
    const pdf = await callOk<{ bytes: number; mime_type: string }>(client, 'puppeteer_print_pdf', {});
    expect(pdf.data.mime_type).toBe('application/pdf');
    expect(pdf.data.bytes).toBeGreaterThan(1_000);
    const resource = pdf.raw.content.find((c) => c.type === 'resource') as { resource: { blob?: string } } | undefined;
    expect(
      Buffer.from(resource?.resource.blob ?? '', 'base64')
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const evaluated = await callOk<{ result: string }>(client, 'puppeteer_evaluate', { function: '() => document.title' });
    expect(evaluated.data.result).toContain('Submitted');
  });
});
