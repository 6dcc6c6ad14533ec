import { badArgument, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { describeDialog } from '../browser/tab.js';
import { tool } from '../kit.js';
import { actionShape, afterAction } from './common.js';
import { snapshotAfterInput } from './page-snapshot.js';

/**
 * Answer the alert, confirm or prompt a page waits on. As in Playwright MCP, a dialog stays open
 * until answered: the call that made the page open it says so, and calls into that tab refuse
 * (naming the dialog) until this tool accepts or dismisses it.
 */
export const handleDialogTool = tool({
  name: 'puppeteer_handle_dialog',
  title: 'Answer a dialog',
  description:
    'Accept or dismiss the alert, confirm or prompt the active tab shows (a result says when a page opened one); prompt_text answers a prompt.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  input: {
    accept: z.boolean().describe('true = OK, false = Cancel'),
    prompt_text: z.string().max(10_000).optional().describe('Answer to a prompt (with accept=true)'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const open = tab.dialog;
    if (!open) {
      throw new ToolError(`tab ${tab.id} shows no dialog.`, {
        hint: 'A result says when a page opens one; other tabs answer with puppeteer_tabs action=select first.',
      });
    }
    if (args.prompt_text !== undefined && (open.type() !== 'prompt' || !args.accept)) {
      throw badArgument(
        'prompt_text',
        open.type() !== 'prompt' ? `the dialog is a ${open.type()}, not a prompt.` : 'is only used with accept=true.',
      );
    }
    const what = describeDialog(tab.id, { type: open.type(), message: open.message() }).replace(/^Tab \S+ shows/, '');
    const before = tab.url();
    await tab.answerDialog(args.accept, args.prompt_text);
    const answer = args.accept
      ? `Accepted${args.prompt_text !== undefined ? ` with ${JSON.stringify(args.prompt_text.slice(0, 60))}` : ''}`
      : 'Dismissed';
    return afterAction(ctx, tab, before, `${answer}${what.replace(/\.$/, '')}.`, args.snapshot);
  },
});
