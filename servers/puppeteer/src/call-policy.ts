import { type CallInProgress, Deadline, DeadlineError, isToolError, type ToolReply, within } from '@patchbay/kit';
import { TabBusyError } from './browser/tab.js';
import type { BrowserServices } from './client.js';

/** A browser gone away under a call: killed, crashed, or its pipe closed. */
const BROWSER_GONE =
  /Target closed|Session closed|Connection closed|frame was detached|detached Frame|browser has disconnected|Protocol error|Execution context was destroyed/i;

/**
 * Around every call of this connector (the kit's `around`): the whole call, a run again on a new
 * browser included, answers by a backstop, beyond the deadlines its own steps keep — a net under
 * every path into a page, so that no call waits on a stuck page for longer than this. And a call
 * that found the browser dead (killed, crashed) runs once more on a new browser instead of
 * failing: nothing the first attempt did survives in the new browser, so it cannot act twice.
 */
export async function browserCallPolicy(
  call: CallInProgress<BrowserServices>,
  run: (signal: AbortSignal) => Promise<ToolReply<unknown>>,
): Promise<ToolReply<unknown>> {
  const session = call.services.peek();
  const limit = backstopMs(call.services.options);
  const deadline = new Deadline(limit);
  const overdue = new AbortController();
  // Whatever the call was waiting for is abandoned at the backstop (puppeteer's waits take the signal).
  const signal = AbortSignal.any([call.signal, overdue.signal]);
  const attempt = async () => {
    try {
      return await within(run(signal), deadline.left());
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      overdue.abort();
      // It was most likely stuck on the active tab: name it (the error table words it).
      const tab = call.services.peek()?.activeId;
      throw tab ? new TabBusyError(tab, limit) : error;
    }
  };
  try {
    return await attempt();
  } catch (error) {
    if (isToolError(error) || call.signal.aborted) throw error;
    if (error instanceof Error && BROWSER_GONE.test(error.message) && session && (await died(session))) {
      call.log.warn(`${call.tool} found the browser dead; running it again on a new browser`);
      return attempt();
    }
    throw error;
  }
}

/** The longest any call may take: its navigation, two element waits, and room to reply. */
function backstopMs(options: BrowserServices['options']): number {
  return options.navigationTimeout + 2 * options.actionTimeout + 5_000;
}

/** Whether a browser stopped, giving puppeteer a moment to notice its pipe closing. */
async function died(session: { connected: boolean }): Promise<boolean> {
  for (let i = 0; i < 10 && session.connected; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !session.connected;
}
