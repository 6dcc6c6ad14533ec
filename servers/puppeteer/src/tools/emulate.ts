import { badArgument } from '@patchbay/kit';
import * as z from 'zod';
import { loadPuppeteer } from '../browser/launch.js';
import { tool } from '../kit.js';
import { describeTab, headed, notices, pageHeader, pageShape, snapshotShape } from './common.js';
import { snapshotModeInput, withSnapshot } from './page-snapshot.js';

/** A few of puppeteer's KnownDevices: a phone of each family, a small and a large tablet. */
export const DEVICES = [
  'iPhone 15',
  'iPhone 15 Pro Max',
  'iPhone SE',
  'Pixel 5',
  'Galaxy S9+',
  'iPad Mini',
  'iPad Pro 11',
] as const;

export const resizeTool = tool({
  name: 'puppeteer_resize',
  title: 'Resize or emulate a device',
  description:
    'Set the active tab’s viewport to width×height, or emulate a phone or tablet (screen, pixel ratio, touch, user agent).',
  toolset: 'more',
  access: 'read',
  idempotent: true,
  input: {
    width: z.number().int().min(100).max(4_000).optional().describe('Viewport width in CSS pixels'),
    height: z.number().int().min(100).max(4_000).optional().describe('Viewport height in CSS pixels'),
    device: z.enum(DEVICES).optional().describe('Device to emulate instead of a size'),
    landscape: z.boolean().default(false).describe('The device turned sideways'),
    snapshot: snapshotModeInput('none'),
  },
  output: { ...pageShape, viewport: z.string(), ...snapshotShape },
  async handler(args, ctx) {
    const sized = args.width !== undefined || args.height !== undefined;
    if (sized && args.device) throw badArgument('device', 'give either a device or width and height, not both.');
    if (!sized && !args.device) throw badArgument('width', 'is required (with height), or give a device.');
    if (sized && (args.width === undefined || args.height === undefined)) {
      throw badArgument(args.width === undefined ? 'width' : 'height', 'is required with the other dimension.');
    }
    if (args.landscape && !args.device) throw badArgument('landscape', 'is only used with a device.');
    const tab = await ctx.services.tab();
    let viewport: string;
    if (args.device) {
      const { KnownDevices } = await loadPuppeteer();
      const name = args.landscape ? `${args.device} landscape` : args.device;
      const device = KnownDevices[name as keyof typeof KnownDevices];
      await tab.ask('emulating a device', (page) => page.emulate(device));
      viewport = `${device.viewport.width}x${device.viewport.height} as ${name} (pixel ratio ${device.viewport.deviceScaleFactor ?? 1}, touch)`;
    } else {
      const width = args.width as number;
      const height = args.height as number;
      const session = await ctx.services.session();
      // Back to a desktop: the browser's own user agent, no touch, pixel ratio 1.
      const agent = await session.browser.userAgent();
      await tab.ask('resizing', async (page) => {
        await page.setUserAgent(agent);
        await page.setViewport({ width, height });
      });
      viewport = `${width}x${height}`;
    }
    const { state, snap, note } = await describeTab(ctx, tab, args.snapshot);
    const side = notices(ctx, note);
    return withSnapshot(ctx, snap, {
      fields: { ...state, viewport, ...side },
      head: headed(`Viewport of tab ${tab.id}: ${viewport}.\n${pageHeader(state)}`, side),
    });
  },
});
