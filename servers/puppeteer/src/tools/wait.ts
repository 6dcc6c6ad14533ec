import { badArgument } from '@patchbay/kit';
import * as z from 'zod';
import { sleep } from '../browser/tab.js';
import { conditionsOf, describeCondition, waitLimit } from '../calls.js';
import { tool } from '../kit.js';
import { headed, notices, pageHeader, pageShape, pageState, snapshotShape } from './common.js';
import { readSnapshot, snapshotAfterInput, withSnapshot } from './page-snapshot.js';

export const waitTool = tool({
  name: 'puppeteer_wait_for',
  title: 'Wait for the page',
  description:
    'Wait for one condition: text or a selector to appear or go, the URL to contain a string, the network to be idle, or some seconds.',
  toolset: 'browse',
  access: 'read',
  input: {
    text: z.string().min(1).max(1_000).optional().describe('Text to appear'),
    text_gone: z.string().min(1).max(1_000).optional().describe('Text to disappear'),
    selector: z.string().min(1).max(1_000).optional().describe('CSS selector to become visible'),
    selector_gone: z.string().min(1).max(1_000).optional().describe('CSS selector to disappear'),
    url: z.string().min(1).max(2_000).optional().describe('Text the URL should contain'),
    network_idle: z.boolean().optional().describe('No request for 500 ms'),
    seconds: z.number().min(0.1).max(30).optional().describe('Seconds to wait'),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(300_000)
      .optional()
      .describe('Give up after this long (at most the navigation timeout)'),
    snapshot: snapshotAfterInput,
  },
  output: {
    ...pageShape,
    waited_ms: z.number(),
    condition: z.string(),
    ...snapshotShape,
  },
  async handler(args, ctx) {
    const conditions = conditionsOf(args);
    if (conditions.length !== 1) {
      throw badArgument(
        conditions[1] ?? 'text',
        conditions.length
          ? `give one condition at a time (got ${conditions.join(', ')}).`
          : 'give one condition: text, text_gone, selector, selector_gone, url, network_idle or seconds.',
      );
    }
    const condition = conditions[0] as (typeof conditions)[number];
    const tab = await ctx.services.tab();
    // Waiting on a page whose thread is stuck would only end in a misleading "gave up waiting".
    if (condition !== 'seconds' && !(await tab.responsive())) throw tab.unresponsive();
    // A wait that runs out is a timeout the error table words with the condition and this limit.
    const timeout = waitLimit(args, ctx.services.options);
    const described = describeCondition(args);
    const started = performance.now();
    const page = tab.page;
    const signal = ctx.signal;
    switch (condition) {
      case 'text':
      case 'text_gone':
        await page.waitForFunction(
          // biome-ignore lint/performance/useDomNodeTextContent: visible text, as the user sees it
          (t: string, shouldBe: boolean) => (document.body?.innerText ?? '').includes(t) === shouldBe,
          { timeout, polling: 'mutation', signal },
          (condition === 'text' ? args.text : args.text_gone) as string,
          condition === 'text',
        );
        break;
      case 'selector':
        await page.waitForSelector(args.selector as string, { timeout, signal, visible: true });
        break;
      case 'selector_gone':
        await page.waitForSelector(args.selector_gone as string, { timeout, signal, hidden: true });
        break;
      case 'url': {
        const wanted = args.url as string;
        const deadline = Date.now() + timeout;
        while (!page.url().includes(wanted)) {
          if (Date.now() > deadline) throw new WaitTimeout(timeout);
          if (signal.aborted) throw signal.reason;
          await sleep(100);
        }
        await page.waitForFunction(() => document.readyState !== 'loading', { timeout, signal }).catch(() => undefined);
        break;
      }
      case 'network_idle':
        await page.waitForNetworkIdle({ idleTime: 500, timeout, signal });
        break;
      case 'seconds':
        await Promise.race([
          sleep(Math.round((args.seconds as number) * 1_000)),
          new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
        ]);
        break;
    }
    const waited = Math.round(performance.now() - started);
    const [state, snap] = await Promise.all([
      pageState(tab),
      args.snapshot === 'none' ? undefined : readSnapshot(ctx, tab, { compact: args.snapshot === 'compact' }),
    ]);
    const side = notices(ctx);
    return withSnapshot(ctx, snap, {
      fields: { ...state, ...side, waited_ms: waited, condition: described },
      head: headed(`Waited ${waited} ms for ${described}.\n${pageHeader(state)}`, side),
    });
  },
});

/** A wait for the URL that ran out: a timeout like puppeteer's own. */
class WaitTimeout extends Error {
  override readonly name = 'TimeoutError';
  constructor(ms: number) {
    super(`Waiting failed: ${ms}ms exceeded`);
  }
}
