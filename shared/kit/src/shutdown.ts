import { within } from './deadline.js';
import type { Logger } from './log.js';

/**
 * A bin's way out, for the bin only (a library never exits its host): `stop(reason, code)` closes
 * what is open (calls in flight with their git, database or browser work, services, listeners)
 * for at most `graceMs`, then exits with `code`; a process something still holds is ended 500 ms
 * later. SIGINT and SIGTERM stop with 0. Only the first stop acts: a signal during a shutdown
 * changes nothing.
 */
export function exitOnStop(
  log: Logger,
  graceMs: number,
  closing: (reason: string) => ReadonlyArray<Promise<unknown> | undefined>,
): (reason: string, code?: number) => Promise<void> {
  let stopping = false;
  const stop = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.debug('shutting down', { reason });
    setTimeout(() => process.exit(code), graceMs + 500).unref();
    // Whatever has not closed within the grace period is left to the exit.
    await within(Promise.allSettled(closing(reason)), graceMs).catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return stop;
}
