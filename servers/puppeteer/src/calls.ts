import type { BrowserServices } from './client.js';

/*
 * What a call is about, in words: the element it acts on, the condition it waits for. Results
 * and the connector's error table (errors.ts) say it the same way.
 */

/** How a result or an error names an element: `button "Save" [ref=e4]`, or its selector. */
export function elementLabel(
  args: { ref?: unknown; selector?: unknown },
  refs: BrowserServices['refs'],
  otherwise = 'the element',
) {
  if (typeof args.ref === 'string') {
    const target = refs.get(args.ref);
    const name = target?.name ? ` ${JSON.stringify(target.name.slice(0, 80))}` : '';
    return `${target ? `${target.role}${name} ` : ''}[ref=${args.ref}]`;
  }
  return typeof args.selector === 'string' ? `selector ${JSON.stringify(args.selector)}` : otherwise;
}

/** The conditions puppeteer_wait_for takes (one per call), and how each is said. */
const CONDITIONS = {
  text: (v: unknown) => `text ${JSON.stringify(v)} to appear`,
  text_gone: (v: unknown) => `text ${JSON.stringify(v)} to disappear`,
  selector: (v: unknown) => `${v} to be visible`,
  selector_gone: (v: unknown) => `${v} to go away`,
  url: (v: unknown) => `the URL to contain ${JSON.stringify(v)}`,
  network_idle: () => 'the network to be idle',
  seconds: (v: unknown) => `${v} s`,
};
export type WaitCondition = keyof typeof CONDITIONS;
export const WAIT_CONDITIONS = Object.keys(CONDITIONS) as WaitCondition[];

/** The conditions a wait call gives (the handler insists on exactly one). */
export function conditionsOf(args: Record<string, unknown>): WaitCondition[] {
  return WAIT_CONDITIONS.filter((k) => args[k] !== undefined && args[k] !== false);
}

/** What a wait call waits for: `text "Ready" to appear`, `the network to be idle`. */
export function describeCondition(args: Record<string, unknown>): string {
  const [condition] = conditionsOf(args);
  return condition ? CONDITIONS[condition](args[condition]) : 'nothing';
}

/** How long a wait call waits: its timeout_ms, at most the navigation timeout. */
export function waitLimit(args: Record<string, unknown>, options: BrowserServices['options']): number {
  return Math.min(typeof args.timeout_ms === 'number' ? args.timeout_ms : options.navigationTimeout, options.navigationTimeout);
}
