import { badArgument, Deadline } from '@patchbay/kit';
import * as z from 'zod';
import { loadPuppeteer } from '../browser/launch.js';
import { sleep } from '../browser/tab.js';
import { collectVitals, describeVitals, OBSERVER_SCRIPT } from '../browser/web-vitals.js';
import { tool } from '../kit.js';
import { headed, notices, pageHeader, pageShape, pageState } from './common.js';
import { checkTarget, goTo } from './navigate.js';

const vitalsShape = z.object({
  ttfb: z.number().optional(),
  fcp: z.number().optional(),
  lcp: z.object({ time: z.number(), size: z.number(), element: z.string() }).optional(),
  cls: z.number(),
  shifts: z.number(),
  domContentLoaded: z.number().optional(),
  load: z.number().optional(),
  longTasks: z.object({ count: z.number(), totalMs: z.number(), longestMs: z.number(), blockingMs: z.number() }),
  resources: z.object({ count: z.number(), transferBytes: z.number() }),
});

export const performanceTraceTool = tool({
  name: 'puppeteer_performance_trace',
  title: 'Measure a page load',
  description:
    'Load a URL (or reload the active tab) and report TTFB, FCP, LCP, CLS, long tasks and total blocking time, under the current throttling.',
  toolset: 'performance',
  access: 'read',
  idempotent: false,
  openWorld: true,
  input: {
    url: z.string().min(1).max(8_192).optional().describe('URL to load; the active tab’s page is reloaded without it'),
    settle_ms: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(1_000)
      .describe('How long to keep observing after load (late LCP, shifts, long tasks)'),
  },
  output: { ...pageShape, metrics: vitalsShape },
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const url = args.url ? await checkTarget(ctx, args.url) : tab.url();
    if (!/^https?:/.test(url)) {
      throw badArgument(
        'url',
        `tab ${tab.id} shows ${url.slice(0, 100)}, which cannot be measured.`,
        'Give the URL of an http(s) page.',
      );
    }
    const deadline = new Deadline(ctx.services.options.navigationTimeout);
    const { identifier } = await tab.ask('preparing a trace', (page) => page.evaluateOnNewDocument(OBSERVER_SCRIPT));
    const page = tab.page;
    let metrics: ReturnType<typeof collectVitals>;
    try {
      await goTo(ctx, tab, url, 'load', deadline);
      await sleep(Math.min(args.settle_ms, Math.max(0, deadline.left(0))));
      metrics = await tab.ask('reading its performance timeline', (p) => p.evaluate(collectVitals));
    } finally {
      // Only this trace observes: later pages load as they would anyway.
      if (tab.page === page) await page.removeScriptToEvaluateOnNewDocument(identifier).catch(() => undefined);
    }
    const { observed, ...shown } = metrics;
    const state = await pageState(tab);
    const side = notices(
      ctx,
      observed
        ? undefined
        : 'The page was not observed from its start (it navigated again), so LCP, CLS and long tasks may be missing.',
    );
    return {
      structured: { ...state, metrics: shown, ...side },
      text: `${headed(`Measured the load of ${pageHeader(state)}`, side)}\n${describeVitals(metrics).join('\n')}`,
    };
  },
});

const NETWORK = {
  none: undefined,
  'slow-3g': 'Slow 3G',
  'fast-3g': 'Fast 3G',
  offline: undefined,
} as const;

export const throttleTool = tool({
  name: 'puppeteer_throttle',
  title: 'Throttle network and CPU',
  description:
    'Slow the active tab’s network (slow-3g, fast-3g, offline; none to stop) and/or CPU (a slowdown factor; 1 to stop), for performance tests.',
  toolset: 'performance',
  access: 'read',
  idempotent: true,
  input: {
    network: z.enum(['none', 'slow-3g', 'fast-3g', 'offline']).optional().describe('Network preset'),
    cpu: z.number().min(1).max(20).optional().describe('CPU slowdown factor: 4 = four times slower, 1 = none'),
  },
  output: {
    tab: z.string(),
    network: z.string().optional(),
    cpu: z.number().optional(),
    notices: z.array(z.string()).optional(),
  },
  async handler(args, ctx) {
    if (args.network === undefined && args.cpu === undefined) {
      throw badArgument('network', 'or cpu is required.', 'network=slow-3g, or cpu=4; none / 1 stop throttling.');
    }
    const tab = await ctx.services.tab();
    const said: string[] = [];
    if (args.network !== undefined) {
      const preset = NETWORK[args.network];
      const { PredefinedNetworkConditions } = await loadPuppeteer();
      await tab.ask('throttling its network', async (page) => {
        // In this order: puppeteer sends both as one set of conditions, offline last.
        await page.emulateNetworkConditions(preset ? PredefinedNetworkConditions[preset] : null);
        await page.setOfflineMode(args.network === 'offline');
      });
      said.push(args.network === 'none' ? 'network not throttled' : `network ${preset ?? 'offline'}`);
    }
    if (args.cpu !== undefined) {
      const cpu = args.cpu;
      await tab.ask('throttling its CPU', (page) => page.emulateCPUThrottling(cpu === 1 ? null : cpu));
      said.push(cpu === 1 ? 'CPU not throttled' : `CPU ${cpu}× slower`);
    }
    const side = notices(ctx);
    return {
      structured: {
        tab: tab.id,
        ...(args.network !== undefined ? { network: args.network } : {}),
        ...(args.cpu !== undefined ? { cpu: args.cpu } : {}),
        ...side,
      },
      text: headed(`Tab ${tab.id}: ${said.join(', ')} (until changed; other tabs are not throttled).`, side),
    };
  },
});
