import { badArgument, formatBytes, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Tab } from '../browser/tab.js';
import { type Ctx, tool } from '../kit.js';
import { headed, locateOptional, notices, pageHeader, pageShape, pageState, refInput, selectorInput } from './common.js';

/** Full-page screenshots stop here; longer pages are cut (Chromium's textures give out anyway). */
const MAX_CAPTURE_HEIGHT = 12_000;

/** Tried in order until one fits the operator's byte limit: lossless first, then smaller JPEGs. */
const ATTEMPTS: Array<{ type: 'png' | 'jpeg'; quality?: number; scale: number }> = [
  { type: 'png', scale: 1 },
  { type: 'jpeg', quality: 80, scale: 1 },
  { type: 'jpeg', quality: 70, scale: 0.75 },
  { type: 'jpeg', quality: 60, scale: 0.5 },
  { type: 'jpeg', quality: 50, scale: 0.35 },
  { type: 'jpeg', quality: 40, scale: 0.25 },
];

interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function regionOf(
  ctx: Ctx,
  tab: Tab,
  args: { ref?: string | undefined; selector?: string | undefined; full_page: boolean },
) {
  const target = await locateOptional(ctx, tab, args);
  const view = () =>
    tab.ask('measuring the page', (page) =>
      page.evaluate(() => {
        const v = window.visualViewport;
        const d = document.documentElement;
        return {
          left: v?.pageLeft ?? 0,
          top: v?.pageTop ?? 0,
          width: v?.width ?? innerWidth,
          height: v?.height ?? innerHeight,
          scrollWidth: d.scrollWidth,
          scrollHeight: d.scrollHeight,
        };
      }),
    );
  if (target) {
    if (args.full_page) throw badArgument('full_page', 'cannot be combined with an element; leave it out.');
    const box = await tab.ask('measuring the element', async () => {
      await target.handle.scrollIntoView().catch(() => undefined);
      return target.handle.boundingBox();
    });
    if (!box || box.width < 1 || box.height < 1) {
      throw badArgument(args.ref ? 'ref' : 'selector', `${target.label} is not visible (it has no size on screen).`);
    }
    // Box coordinates are relative to the viewport; the clip is relative to the document.
    const { left, top } = await view();
    return {
      clip: { x: box.x + left, y: box.y + top, width: box.width, height: Math.min(box.height, MAX_CAPTURE_HEIGHT) },
      label: target.label,
      cut: box.height > MAX_CAPTURE_HEIGHT,
    };
  }
  const v = await view();
  if (args.full_page) {
    const height = Math.min(v.scrollHeight, MAX_CAPTURE_HEIGHT);
    return {
      clip: { x: 0, y: 0, width: v.scrollWidth, height },
      label: 'the full page',
      cut: v.scrollHeight > MAX_CAPTURE_HEIGHT,
    };
  }
  return { clip: { x: v.left, y: v.top, width: v.width, height: v.height }, label: 'the viewport', cut: false };
}

async function fit(tab: Tab, clip: Clip, maxBytes: number, format: 'auto' | 'png' | 'jpeg', ms: number) {
  const attempts = ATTEMPTS.filter((a) =>
    format === 'png' ? a.type === 'png' || a.scale < 1 : format === 'jpeg' ? a.type === 'jpeg' : true,
  );
  let last = 0;
  for (const attempt of attempts) {
    const type = format === 'png' ? 'png' : attempt.type;
    // A capture needs a frame from the page's renderer: a stuck page never sends one.
    const data = await tab.ask(
      'taking a screenshot',
      (page) =>
        page.screenshot({
          type,
          ...(type === 'jpeg' ? { quality: attempt.quality } : {}),
          clip: { ...clip, scale: attempt.scale },
          captureBeyondViewport: true,
          encoding: 'binary',
        }),
      { ms },
    );
    last = data.byteLength;
    if (data.byteLength <= maxBytes)
      return { data: Buffer.from(data), type, scale: attempt.scale, quality: type === 'jpeg' ? attempt.quality : undefined };
  }
  throw new ToolError(`the screenshot is ${formatBytes(last)} even at 25% scale, over the limit of ${formatBytes(maxBytes)}.`, {
    hint: 'Capture the viewport or one element (ref=) instead of the full page.',
  });
}

export const screenshotTool = tool({
  name: 'puppeteer_screenshot',
  title: 'Screenshot',
  description:
    'An image of the viewport, the full page or one element by ref or selector, scaled or re-encoded to fit the size limit. To read a page, prefer puppeteer_snapshot.',
  toolset: 'browse',
  access: 'read',
  input: {
    ref: refInput,
    selector: selectorInput,
    full_page: z.boolean().default(false).describe('The whole scrollable page'),
    format: z.enum(['auto', 'png', 'jpeg']).default('auto').describe('auto: PNG if it fits, else JPEG'),
  },
  output: {
    ...pageShape,
    uri: z.string(),
    mime_type: z.string(),
    bytes: z.number(),
    width: z.number(),
    height: z.number(),
    scale: z.number(),
  },
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const region = await regionOf(ctx, tab, args);
    const shot = await fit(
      tab,
      region.clip,
      ctx.services.options.maxMediaBytes,
      args.format,
      ctx.services.options.navigationTimeout,
    );
    const mimeType = shot.type === 'png' ? ('image/png' as const) : ('image/jpeg' as const);
    const width = Math.round(region.clip.width * shot.scale);
    const height = Math.round(region.clip.height * shot.scale);
    const state = await pageState(tab);
    const data = shot.data.toString('base64');
    const stored = ctx.services.screenshots.add({ mimeType, data, bytes: shot.data.byteLength, width, height, url: state.url });
    const uri = `puppeteer://screenshots/${stored.id}`;
    const side = notices(ctx);
    const detail = `${width}×${height} ${shot.type.toUpperCase()}, ${formatBytes(shot.data.byteLength)}${shot.scale < 1 ? `, scaled to ${shot.scale * 100}% to fit` : ''}${region.cut ? `, cut at ${MAX_CAPTURE_HEIGHT} px of height` : ''}`;
    return {
      structured: { ...state, ...side, uri, mime_type: mimeType, bytes: shot.data.byteLength, width, height, scale: shot.scale },
      text: headed(`Screenshot of ${region.label} (${detail}) — ${uri}\n${pageHeader(state)}`, side),
      content: [{ type: 'image', data, mimeType }],
    };
  },
});

export const pdfTool = tool({
  name: 'puppeteer_print_pdf',
  title: 'Print to PDF',
  description: 'Print the active page to PDF, returned as an embedded resource under the size limit.',
  toolset: 'capture',
  access: 'read',
  input: {
    format: z.enum(['A4', 'Letter', 'Legal', 'A3', 'A5']).default('A4').describe('Paper size'),
    landscape: z.boolean().default(false).describe('Landscape orientation'),
    pages: z
      .string()
      .regex(/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/, 'like 1-5, 8, 11-13')
      .optional()
      .describe('Page ranges, like 1-5, 8 (default: all)'),
    background: z.boolean().default(true).describe('Print backgrounds'),
  },
  output: {
    ...pageShape,
    uri: z.string(),
    mime_type: z.string(),
    bytes: z.number(),
  },
  async handler(args, ctx) {
    if (ctx.services.options.headful) {
      throw new ToolError('printing to PDF works only in a headless browser, and this one runs with a window (--headful).');
    }
    const tab = await ctx.services.tab();
    let pdf: Uint8Array;
    try {
      const timeout = ctx.services.options.navigationTimeout;
      pdf = await tab.ask(
        'printing it',
        (page) =>
          page.pdf({
            format: args.format,
            landscape: args.landscape,
            printBackground: args.background,
            ...(args.pages ? { pageRanges: args.pages.replace(/\s+/g, '') } : {}),
            timeout,
          }),
        { ms: timeout + 1_000 },
      );
    } catch (error) {
      if (error instanceof Error && /page range|Page range/i.test(error.message)) {
        throw badArgument('pages', `${args.pages} is outside the document.`, 'Print without pages first to see how long it is.');
      }
      throw error;
    }
    const limit = ctx.services.options.maxMediaBytes;
    if (pdf.byteLength > limit) {
      throw new ToolError(`the PDF is ${formatBytes(pdf.byteLength)}, over the limit of ${formatBytes(limit)}.`, {
        argument: 'pages',
        hint: 'Print fewer pages (pages=1-3), or without backgrounds (background=false).',
      });
    }
    const state = await pageState(tab);
    const side = notices(ctx);
    const uri = `puppeteer://pdf/${encodeURIComponent(tab.id)}-${Date.now()}.pdf`;
    return {
      structured: { ...state, ...side, uri, mime_type: 'application/pdf', bytes: pdf.byteLength },
      text: headed(
        `PDF of ${pageHeader(state)} (${formatBytes(pdf.byteLength)}, ${args.format}${args.landscape ? ' landscape' : ''})`,
        side,
      ),
      content: [{ type: 'resource', resource: { uri, mimeType: 'application/pdf', blob: Buffer.from(pdf).toString('base64') } }],
    };
  },
});
