import type { Connected } from '@patchbay/testing';
import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Shot {
  uri: string;
  mime_type: string;
  bytes: number;
  width: number;
  height: number;
  scale: number;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(data: Buffer): { width: number; height: number } {
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function imageOf(raw: { content: Array<{ type: string; data?: string; mimeType?: string }> }) {
  const image = raw.content.find((c) => c.type === 'image');
  expect(image).toBeDefined();
  return { data: Buffer.from(image?.data ?? '', 'base64'), mimeType: image?.mimeType };
}

describe('screenshots and PDFs', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    server = await connect(['--viewport', '800x600', '--toolsets', 'all']);
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('returns the viewport as a PNG image and keeps it as a resource', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
    const result = await callOk<Shot>(server.client, 'puppeteer_screenshot', {});
    const image = imageOf(result.raw as never);
    expect(image.mimeType).toBe('image/png');
    expect(pngSize(image.data)).toEqual({ width: 800, height: 600 });
    expect(result.data).toMatchObject({
      mime_type: 'image/png',
      width: 800,
      height: 600,
      scale: 1,
      bytes: image.data.byteLength,
    });
    expect(result.data.uri).toMatch(/^puppeteer:\/\/screenshots\/s\d+$/);
    const resource = await server.client.readResource({ uri: result.data.uri });
    expect(resource.contents[0]).toMatchObject({ mimeType: 'image/png', blob: image.data.toString('base64') });
    const { resources } = await server.client.listResources();
    expect(resources.map((r) => r.uri)).toContain(result.data.uri);
  });

  it('captures one element by ref', async () => {
    const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: `${site.origin}/form` });
    const ref = /button "Send" \[ref=(e\d+)\]/.exec(page.data.snapshot)?.[1];
    const result = await callOk<Shot>(server.client, 'puppeteer_screenshot', { ref });
    const size = pngSize(imageOf(result.raw as never).data);
    expect(size.width).toBeLessThan(200);
    expect(size.height).toBeLessThan(60);
    expect(result.text).toContain(`Screenshot of button "Send" [ref=${ref}]`);
  });

  it('scales a full-page screenshot down to fit the size limit', async () => {
    const small = await connect(['--viewport', '800x600', '--max-media-bytes', '16384']);
    try {
      await callOk(small.client, 'puppeteer_navigate', { url: `${site.origin}/tall`, snapshot: 'none' });
      const result = await callOk<Shot>(small.client, 'puppeteer_screenshot', { full_page: true });
      const image = imageOf(result.raw as never);
      expect(image.data.byteLength).toBeLessThanOrEqual(16_384);
      expect(result.data.mime_type).toBe('image/jpeg');
      expect(image.data.subarray(0, 2).toString('hex')).toBe('ffd8');
      expect(result.data.scale).toBeLessThan(1);
      // The page is 6000 CSS px tall (plus the body's margins); the image is that, scaled.
      expect(result.data.height).toBeGreaterThan(6_000 * result.data.scale - 2);
      expect(result.data.height).toBeLessThan(6_030 * result.data.scale);
      expect(result.text).toMatch(/scaled to \d+% to fit/);
    } finally {
      await small.close();
    }
  });

  it('keeps only the most recent screenshots', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
    let first = '';
    for (let i = 0; i < 11; i++) {
      const shot = await callOk<Shot>(server.client, 'puppeteer_screenshot', { format: 'jpeg' });
      if (i === 0) first = shot.data.uri;
    }
    const { resources } = await server.client.listResources();
    expect(resources.filter((r) => r.uri.startsWith('puppeteer://screenshots/'))).toHaveLength(10);
    await expect(server.client.readResource({ uri: first })).rejects.toThrow(/only the last 10 are kept/);
  });

  it('prints the page to a PDF returned as an embedded resource', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/text`, snapshot: 'none' });
    const result = await callOk<{ bytes: number; mime_type: string; uri: string }>(server.client, 'puppeteer_print_pdf', {
      pages: '1-2',
    });
    const embedded = (
      result.raw.content as Array<{ type: string; resource?: { blob?: string; mimeType?: string; uri: string } }>
    ).find((c) => c.type === 'resource');
    const pdf = Buffer.from(embedded?.resource?.blob ?? '', 'base64');
    expect(embedded?.resource?.mimeType).toBe('application/pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.byteLength).toBe(result.data.bytes);
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
  });

  it('refuses a PDF over the size limit with advice', async () => {
    const small = await connect(['--max-media-bytes', '16384', '--toolsets', 'all']);
    try {
      await callOk(small.client, 'puppeteer_navigate', { url: `${site.origin}/text`, snapshot: 'none' });
      const text = await callError(small.client, 'puppeteer_print_pdf', {});
      expect(text).toMatch(/^Argument `pages`: the PDF is [\d.]+ KiB, over the limit of 16\.0 KiB\. Print fewer pages/);
    } finally {
      await small.close();
    }
  });

  it('offers PDF printing only with the capture toolset', async () => {
    const plain = await connect();
    try {
      const { tools } = await plain.client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('puppeteer_print_pdf');
      expect((await call(plain.client, 'puppeteer_print_pdf', {})).isError).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
