import { badArgument, DeadlineError, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { TabBusyError } from '../browser/tab.js';
import { switches } from '../config.js';
import { tool } from '../kit.js';
import { headed, locateOptional, notices, pageHeader, pageShape, pageState, refInput, selectorInput } from './common.js';

/** Something puppeteer can send as a page function: its source is exactly the model's text. */
function asPageFunction(source: string): (...args: unknown[]) => unknown {
  const fn = () => undefined;
  fn.toString = () => source;
  return fn;
}

export const evaluateTool = tool({
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
  async handler(args, ctx) {
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
    // Not "blocking": a function may await a promise for a while without the page being stuck
    // (past the navigation timeout, the error table says the function did not finish).
    const value = await tab
      .ask(
        'running a function',
        (page) => (target ? target.handle.evaluate(asPageFunction(source)) : page.evaluate(asPageFunction(source))),
        { ms: ctx.services.options.navigationTimeout, blocking: false },
      )
      .catch((error: unknown) => {
        if (error instanceof DeadlineError || error instanceof TabBusyError) throw error;
        // Only this call knows that what the page threw came from the model's function.
        const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        throw new ToolError(`the function threw in the page: ${message.slice(0, 1_000)}`, { argument: 'function' });
      });
    const result = value === undefined ? 'undefined' : (JSON.stringify(value) ?? 'undefined');
    const state = await pageState(tab);
    const side = notices(ctx);
    // One value, not a list, and no cursor: running the function again need not give the same
    // result. The kit cuts it to what the reply leaves of the budget, counting the cut in characters.
    return ctx.pageText({
      key: 'result',
      text: result,
      total: result.length,
      fields: { ...state, ...side },
      head: headed(pageHeader(state), side),
      hint: 'The result was cut; return less (a slice, a count, selected fields).',
    });
  },
});
