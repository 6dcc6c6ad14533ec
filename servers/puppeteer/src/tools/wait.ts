import { badArgument, defineTool, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { sleep } from '../browser/tab.js';
import {
  type Ctx,
  isInvalidSelector,
  isTimeout,
  notices,
  pageHeader,
  pageShape,
  pageState,
  render,
  selectorError,
  snapshotShape,
} from './common.js';
import { attachedSnapshot, snapshotAfterInput } from './page-snapshot.js';

export const waitTool = defineTool({
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
  async handler(args, ctx: Ctx) {
    const conditions = (['text', 'text_gone', 'selector', 'selector_gone', 'url', 'network_idle', 'seconds'] as const).filter(
      (k) => args[k] !== undefined && args[k] !== false,
    );
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
    const limit = ctx.services.options.navigationTimeout;
    const timeout = Math.min(args.timeout_ms ?? limit, limit);
    const started = performance.now();
    const page = tab.page;
    const signal = ctx.signal;
    let described = '';
    try {
      switch (condition) {
        case 'text':
        case 'text_gone': {
          const wanted = (condition === 'text' ? args.text : args.text_gone) as string;
          const present = condition === 'text';
          described = `text ${JSON.stringify(wanted)} ${present ? 'to appear' : 'to disappear'}`;
          await page.waitForFunction(
            // biome-ignore lint/performance/useDomNodeTextContent: visible text, as the user sees it
            (t: string, shouldBe: boolean) => (document.body?.innerText ?? '').includes(t) === shouldBe,
            { timeout, polling: 'mutation', signal },
            wanted,
            present,
          );
          break;
        }
        case 'selector':
        case 'selector_gone': {
          const selector = (condition === 'selector' ? args.selector : args.selector_gone) as string;
          described = `${selector} ${condition === 'selector' ? 'to be visible' : 'to go away'}`;
          try {
            await page.waitForSelector(selector, {
              timeout,
              signal,
              ...(condition === 'selector' ? { visible: true } : { hidden: true }),
            });
          } catch (error) {
            if (isInvalidSelector(error)) throw selectorError(error, selector, timeout);
            throw error;
          }
          break;
        }
        case 'url': {
          const wanted = args.url as string;
          described = `the URL to contain ${JSON.stringify(wanted)}`;
          const deadline = Date.now() + timeout;
          while (!page.url().includes(wanted)) {
            if (Date.now() > deadline) throw new Error('timeout');
            if (signal.aborted) throw signal.reason;
            await sleep(100);
          }
          await page.waitForFunction(() => document.readyState !== 'loading', { timeout, signal }).catch(() => undefined);
          break;
        }
        case 'network_idle':
          described = 'the network to be idle';
          await page.waitForNetworkIdle({ idleTime: 500, timeout, signal });
          break;
        case 'seconds': {
          const ms = Math.round((args.seconds as number) * 1_000);
          described = `${args.seconds} s`;
          await Promise.race([sleep(ms), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
          break;
        }
      }
    } catch (error) {
      if (error instanceof ToolError || signal.aborted) throw error;
      if (isTimeout(error)) {
        throw new ToolError(`gave up waiting for ${described} after ${timeout} ms.`, {
          argument: condition,
          hint: 'Check the page with puppeteer_snapshot; the condition may never hold.',
        });
      }
      throw error;
    }
    const waited = Math.round(performance.now() - started);
    const [state, snap] = await Promise.all([pageState(tab), attachedSnapshot(ctx, tab, args.snapshot)]);
    const side = notices(ctx);
    return {
      structured: {
        ...state,
        ...side,
        waited_ms: waited,
        condition: described,
        ...(snap ? { snapshot: snap.snapshot, more: snap.more } : {}),
      },
      text: render({
        header: `Waited ${waited} ms for ${described}.\n${pageHeader(state)}`,
        body: snap?.snapshot,
        notices: side.notices,
        more: snap?.more,
        moreText: snap?.moreText,
      }),
    };
  },
});
