import path from 'node:path';
import { callOk, connectHttp, connectStdio, importEntry, startHttpBin } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, descendants, isAlive, waitFor } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Page {
  tab: string;
  title: string;
  snapshot?: string;
}

describe('patchbay-puppeteer bin', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(() => site?.close());

  it('drives a page over stdio, with the opt-in inspect toolset', async () => {
    const server = await connectStdio(BIN, ['--toolsets', 'default,inspect']);
    try {
      const page = await callOk<Page>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` });
      expect(page.data.title).toBe('Sign up');
      const name = /textbox "Name" \[ref=(e\d+)\]/.exec(page.data.snapshot ?? '')?.[1];
      await callOk(server.client, 'puppeteer_type', { ref: name, text: 'Stdio', submit: true });
      const text = await callOk<{ text: string }>(server.client, 'puppeteer_get_text', {});
      expect(text.data.text).toContain('name=Stdio');
      const shot = await callOk<{ mime_type: string }>(server.client, 'puppeteer_screenshot', {});
      const image = shot.raw.content.find((c) => c.type === 'image') as { data: string; mimeType: string } | undefined;
      expect(image?.mimeType).toBe(shot.data.mime_type);
      expect(Buffer.from(image?.data ?? '', 'base64').byteLength).toBeGreaterThan(1_000);
      const log = await callOk<{ requests: Array<{ url: string; status?: number }> }>(
        server.client,
        'puppeteer_network_requests',
        { type: 'document' },
      );
      expect(log.data.requests.some((r) => r.url.startsWith(`${site.origin}/submitted?name=Stdio&`) && r.status === 200)).toBe(
        true,
      );
    } finally {
      await server.close();
    }
  });

  it('answers puppeteer_evaluate under the smallest output budget instead of hanging the server', async () => {
    // Over stdio, so a server stuck in a loop fails this test by its deadline instead of freezing the run.
    const server = await connectStdio(BIN, ['--allow-evaluate', '--output-budget', '1024']);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      const deadline = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no answer in 15 s')), 15_000).unref(),
      );
      const result = await Promise.race([
        callOk<{ result: string; more?: { omitted: number } }>(server.client, 'puppeteer_evaluate', {
          function: "() => 'x'.repeat(5000)",
        }),
        deadline,
      ]);
      expect(result.data.more?.omitted).toBeGreaterThan(0);
      expect(result.data.result.length).toBeLessThan(5000);
    } finally {
      await server.close();
    }
  }, 40_000);

  it('drives a page over Streamable HTTP, sharing one browser across requests, and cleans up on SIGTERM', async () => {
    const http = await startHttpBin(BIN, ['--toolsets', 'default,inspect']);
    let chromium: number[] = [];
    try {
      const { client, close } = await connectHttp(http.url);
      const page = await callOk<Page>(client, 'puppeteer_navigate', { url: `${site.origin}/console` });
      expect(page.data.title).toBe('Console');
      await callOk(client, 'puppeteer_wait_for', { text: 'Console' });
      const messages = await callOk<{ messages: Array<{ text: string }> }>(client, 'puppeteer_console_messages', {
        level: 'error',
      });
      expect(messages.data.messages.map((m) => m.text)).toContain('something broke: code 42');
      const tabs = await callOk<{ tabs: Array<{ id: string }> }>(client, 'puppeteer_tabs', {});
      expect(tabs.data.tabs.map((t) => t.id)).toEqual([page.data.tab]);
      chromium = descendants(http.child.pid as number);
      expect(chromium.length).toBeGreaterThan(1);
      await close();
    } finally {
      expect(await http.stop()).toBe(0);
    }
    expect(await waitFor(() => chromium.every((p) => !isAlive(p)))).toBe(true);
  });

  it('exports the connector definition from the package entry, and importing it starts nothing', async () => {
    // It printed its line and exited by itself: no server read stdin, no browser started.
    expect(await importEntry(path.dirname(path.dirname(BIN)), '@patchbay/puppeteer', 'puppeteerConnector')).toEqual({
      stdout: 'puppeteer 24\n',
      stderr: '',
    });
  });
});
