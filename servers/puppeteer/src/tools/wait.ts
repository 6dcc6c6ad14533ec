import { badArgument, defineTool, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { sleep } from '../browser/tab.js';
import {
  budgetedSnapshot,
  type Ctx,
  isInvalidSelector,
  isTimeout,
  notices,
  pageHeader,
  pageShape,
  pageState,
  render,
  selectorError,
  snapshotAfterInput,
  snapshotShape,
} from './common.js';

export const waitTool = defineTool({
  name: 'puppeteer_wait_for',
  title: 'Wait for the page',
  description:
    'Wait until text appears or disappears, a selector appears or disappears, the URL contains something, the network is idle, or a number of seconds passes. Give exactly one condition.',
  toolset: 'browse',
  access: 'read',
  input: {
    text: z.string().min(1).max(1_000).optional().describe('Wait until this text is visible on the page'),
    text_gone: z.string().min(1).max(1_000).optional().describe('Wait until this text is no longer on the page'),
    selector: z.string().min(1).max(1_000).optional().describe('Wait until an element matching this CSS selector is visible'),
    selector_gone: z.string().min(1).max(1_000).optional().describe('Wait until no visible element matches this CSS selector'),
    url: z.string().min(1).max(2_000).optional().describe('Wait until the tab’s URL contains this text (after a navigation)'),
    network_idle: z.boolean().optional().describe('Wait until no request has been in flight for 500 ms'),
    seconds: z.number().min(0.1).max(30).optional().describe('Just wait this many seconds'),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .optional()
      .describe('Give up after this long (default and maximum: the operator’s navigation timeout)'),
    snapshot: snapshotAfterInput,
  },
  output: {
    ...pageShape,
    waited_ms: z.number().int(),
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
    const state = await pageState(tab);
    const snap = args.snapshot ? await budgetedSnapshot(ctx, tab) : undefined;
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
      }),
    };
  },
});
