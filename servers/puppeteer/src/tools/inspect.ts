import { defineTool, formatTable, jsonSize, more, moreLine, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import type { ConsoleEntry, NetworkEntry, Ring } from '../browser/ring.js';
import type { Ctx } from './common.js';

const tabFilter = z
  .string()
  .regex(/^t\d{1,9}$/)
  .optional()
  .describe('Only this tab');
const allInput = z.boolean().default(false).describe('Everything kept, not only what is new');

/** Console levels from most to least severe; a filter keeps its level and everything above. */
const LEVELS = ['error', 'warning', 'info', 'debug'] as const;
const SEVERITY: Record<string, number> = {
  pageerror: 0,
  error: 0,
  assert: 0,
  dialog: 1,
  warning: 1,
  info: 2,
  log: 2,
  dir: 2,
  table: 2,
  trace: 2,
  debug: 3,
  verbose: 3,
};

/**
 * Entries since the tool's last call (or all kept ones), filtered, newest kept when the budget
 * cuts, and the read position moved only past what was shown.
 */
function since<T extends { seq: number }>(
  ctx: Ctx,
  ring: Ring<T>,
  key: 'console' | 'network',
  all: boolean,
  keep: (entry: T) => boolean,
  size: (entry: T) => number,
) {
  const from = all ? 0 : ctx.services.seen[key];
  const matching = ring.after(from).filter(keep);
  // The newest entries matter most: fit from the end.
  const meter = ctx.budget.meter(2_048);
  let start = matching.length;
  while (start > 0 && meter.fits(size(matching[start - 1] as T) + 1)) start--;
  const shown = matching.slice(start);
  ctx.services.seen[key] = Math.max(ctx.services.seen[key], ring.lastSeq);
  return { shown, omitted: start };
}

const consoleRow = z.object({
  seq: z.number(),
  tab: z.string(),
  time: z.string(),
  level: z.string(),
  text: z.string(),
  location: z.string().optional(),
});

function consoleRowOf(e: ConsoleEntry) {
  return {
    seq: e.seq,
    tab: e.tab,
    time: new Date(e.time).toISOString(),
    level: e.level,
    text: e.text,
    ...(e.location ? { location: e.location } : {}),
  };
}

export const consoleTool = defineTool({
  name: 'puppeteer_console_messages',
  title: 'Console messages',
  description:
    'Console messages, uncaught errors and dialogs since the last call (the last 1000 are kept), filtered by level and text.',
  toolset: 'inspect',
  access: 'read',
  idempotent: false,
  input: {
    level: z.enum(LEVELS).optional().describe('Least severe level to show'),
    text: z.string().max(500).optional().describe('Only messages containing this'),
    tab: tabFilter,
    all: allInput,
  },
  output: { messages: z.array(consoleRow), more: moreSchema },
  async handler(args, ctx: Ctx) {
    const limit = args.level ? LEVELS.indexOf(args.level) : 3;
    const needle = args.text?.toLowerCase();
    const { shown, omitted } = since(
      ctx,
      ctx.services.console,
      'console',
      args.all,
      (e) =>
        (SEVERITY[e.level] ?? 2) <= limit &&
        (!args.tab || e.tab === args.tab) &&
        (!needle || e.text.toLowerCase().includes(needle)),
      (e) => jsonSize(consoleRowOf(e)) + e.text.length,
    );
    const messages = shown.map(consoleRowOf);
    const info = more(omitted, 'Older matching messages were left out; filter by level or text to see them.');
    const text = messages.length
      ? messages.map((m) => `[${m.tab} ${m.level}] ${m.text}${m.location ? ` (${m.location})` : ''}`).join('\n') +
        moreLine(info, 'messages')
      : `No ${args.all ? '' : 'new '}console messages${args.level || args.text || args.tab ? ' match' : ''}.`;
    return { structured: { messages, more: info }, text };
  },
});

const networkRow = z.object({
  seq: z.number(),
  tab: z.string(),
  method: z.string(),
  url: z.string(),
  type: z.string(),
  status: z.number().optional(),
  failure: z.string().optional(),
  ms: z.number().optional(),
});

function networkRowOf(e: NetworkEntry) {
  return {
    seq: e.seq,
    tab: e.tab,
    method: e.method,
    url: e.url,
    type: e.type,
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.failure ? { failure: e.failure } : {}),
    ...(e.ms !== undefined ? { ms: e.ms } : {}),
  };
}

export const networkTool = defineTool({
  name: 'puppeteer_network_requests',
  title: 'Network requests',
  description:
    'Requests since the last call (the last 1000 are kept) with status, time and why failed or refused ones did not complete; filter by URL, type or outcome.',
  toolset: 'inspect',
  access: 'read',
  idempotent: false,
  input: {
    url: z.string().max(500).optional().describe('Only URLs containing this'),
    type: z.string().max(40).optional().describe('Only this type: document, script, fetch, xhr, image…'),
    outcome: z
      .enum(['any', 'failed', 'error_status', 'refused'])
      .default('any')
      .describe('failed, error_status (HTTP ≥ 400) or refused (by the policy)'),
    tab: tabFilter,
    all: allInput,
  },
  output: { requests: z.array(networkRow), more: moreSchema },
  async handler(args, ctx: Ctx) {
    const needle = args.url?.toLowerCase();
    const keep = (e: NetworkEntry) =>
      (!args.tab || e.tab === args.tab) &&
      (!needle || e.url.toLowerCase().includes(needle)) &&
      (!args.type || e.type === args.type) &&
      (args.outcome === 'any' ||
        (args.outcome === 'failed' && e.failure !== undefined) ||
        (args.outcome === 'refused' && e.blocked === true) ||
        (args.outcome === 'error_status' && (e.status ?? 0) >= 400));
    const { shown, omitted } = since(ctx, ctx.services.network, 'network', args.all, keep, (e) => jsonSize(networkRowOf(e)) * 2);
    const requests = shown.map(networkRowOf);
    const info = more(omitted, 'Older matching requests were left out; filter by url, type or outcome to see them.');
    const text = requests.length
      ? formatTable(
          ['tab', 'method', 'status', 'type', 'ms', 'url'],
          requests.map((r) => [r.tab, r.method, r.failure ?? r.status ?? '…', r.type, r.ms ?? '', r.url]),
          160,
        ) + moreLine(info, 'requests')
      : `No ${args.all ? '' : 'new '}requests${needle || args.type || args.outcome !== 'any' || args.tab ? ' match' : ''}.`;
    return { structured: { requests, more: info }, text };
  },
});
