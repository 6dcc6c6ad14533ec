import { badArgument, defineTool, isToolError, jsonSize, more, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { DeadlineError } from '../browser/deadline.js';
import type { BrowserServices } from '../client.js';
import { switches } from '../config.js';
import {
  type Ctx,
  locateOptional,
  notices,
  pageHeader,
  pageShape,
  pageState,
  refInput,
  render,
  selectorInput,
} from './common.js';

/** Something puppeteer can send as a page function: its source is exactly the model's text. */
function asPageFunction(source: string): (...args: unknown[]) => unknown {
  const fn = () => undefined;
  fn.toString = () => source;
  return fn;
}

export const evaluateTool = defineTool({
  name: 'puppeteer_evaluate',
  title: 'Run JavaScript in the page',
  description:
    'Run a JavaScript function in the page and return its JSON result: "() => document.title", or "(el) => el.value" with ref or selector. Promises are awaited.',
  toolset: 'script',
  access: 'destructive',
  openWorld: true,
  enabled: switches.puppeteer_evaluate,
  enabledBy: 'the operator starts the server with --allow-evaluate',
  input: {
    function: z.string().min(1).max(50_000).describe('Function expression: () => … or (element) => … with ref or selector'),
    ref: refInput,
    selector: selectorInput,
  },
  output: {
    ...pageShape,
    result: z.string().describe('JSON, or "undefined"'),
    more: moreSchema,
  },
  async handler(args, ctx: Ctx) {
    // Checked here too: an operator switch is enforced by the server, not only by the tool list.
    if (!ctx.services.options.allowEvaluate) throw new ToolError('running JavaScript is turned off on this server.');
    const source = args.function.trim();
    try {
      // Parsed, never run, in Node: a syntax error becomes an argument error before the page sees it.
      new Function(`return (${source});`);
    } catch (error) {
      throw badArgument(
        'function',
        `is not a valid function expression: ${(error as Error).message}.`,
        'Write it like () => document.title.',
      );
    }
    const tab = await ctx.services.tab();
    // A page whose thread is stuck is named at once, before the function waits behind it.
    if (!(await tab.responsive())) throw tab.unresponsive();
    const target = await locateOptional(ctx, tab, args);
    const limit = ctx.services.options.navigationTimeout;
    let value: unknown;
    try {
      // Not "blocking": a function may await a promise for a while without the page being stuck.
      value = await tab.ask(
        'running a function',
        (page) => (target ? target.handle.evaluate(asPageFunction(source)) : page.evaluate(asPageFunction(source))),
        { ms: limit, blocking: false },
      );
    } catch (error) {
      if (error instanceof DeadlineError) {
        throw new ToolError(`the function did not finish within ${limit} ms in tab ${tab.id}.`, {
          argument: 'function',
          hint: `If it waits for something, wait for less; if it loops, the page may now be stuck: reload it with puppeteer_navigate_history action=reload or close it with puppeteer_tabs action=close tab=${tab.id}.`,
        });
      }
      if (isToolError(error)) throw error;
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new ToolError(`the function threw in the page: ${message.slice(0, 1_000)}`, { argument: 'function' });
    }
    let result = value === undefined ? 'undefined' : (JSON.stringify(value) ?? 'undefined');
    const state = await pageState(tab);
    const side = notices(ctx);
    const room = ctx.budget.bytes - 1_536 - jsonSize(state);
    let info: ReturnType<typeof more>;
    if (jsonSize(result) > room) {
      const full = result.length;
      // Under a small budget the room can be below even an empty string's size: stop at empty.
      while (result.length > 0 && jsonSize(result) > room) result = result.slice(0, Math.floor(result.length * 0.8));
      info = more(full - result.length, 'The result was cut; return less (a slice, a count, selected fields).');
    }
    return {
      structured: { ...state, ...side, result, more: info },
      text: render({ header: pageHeader(state), body: result, notices: side.notices, more: info, unit: 'characters' }),
    };
  },
});
