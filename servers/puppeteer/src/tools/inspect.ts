import { cursorInput, moreSchema, ToolError, tableLayout } from '@patchbay/kit';
import * as z from 'zod';
import type { ConsoleEntry, NetworkEntry, Ring } from '../browser/ring.js';
import { type Ctx, tool } from '../kit.js';

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

/** Which entries a page of a log shows: those after `after` and before `before` (sequence numbers). */
interface LogWindow {
  after: number;
  before?: number | undefined;
}

/**
 * The entries a call lists, oldest first: those since the tool's last call (or all kept ones), or
 * — with a cursor — the older ones an earlier call left out. The newest matter most, so the kit
 * keeps the last that fit (`keep: 'last'`) and the cursor leads back to the ones before them.
 * Only a call without a cursor moves the "last call" mark, to the newest entry there is.
 */
function entries<T extends { seq: number }>(
  ctx: Ctx,
  ring: Ring<T>,
  key: 'console' | 'network',
  all: boolean,
  keep: (entry: T) => boolean,
) {
  const resuming = ctx.position.state !== undefined;
  let window: LogWindow;
  if (resuming) {
    window = readWindow(ctx.position.state);
  } else {
    window = { after: all ? 0 : ctx.services.seen[key] };
    ctx.services.seen[key] = Math.max(ctx.services.seen[key], ring.lastSeq);
  }
  const items = ring.after(window.after).filter((e) => (window.before === undefined || e.seq < window.before) && keep(e));
  const resume = (index: number): LogWindow => ({ after: window.after, before: items[index]?.seq });
  return { items, resume, older: resuming };
}

function readWindow(state: unknown): LogWindow {
  const w = state as Partial<LogWindow> | undefined;
  if (w && Number.isSafeInteger(w.after) && Number.isSafeInteger(w.before)) return { after: w.after as number, before: w.before };
  throw new ToolError('is not a cursor this tool returned.', { argument: 'cursor', hint: 'Leave cursor out to start over.' });
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

/** One console entry as a line: `[t1 error] something broke (http://…/app.js:12)`. */
export function consoleLine(e: ConsoleEntry): string {
  return `[${e.tab} ${e.level}] ${e.text}${e.location ? ` (${e.location})` : ''}`;
}

export const consoleTool = tool({
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
    cursor: cursorInput,
  },
  output: { messages: z.array(consoleRow), more: moreSchema },
  async handler(args, ctx) {
    const limit = args.level ? LEVELS.indexOf(args.level) : 3;
    const needle = args.text?.toLowerCase();
    const { items, resume, older } = entries(
      ctx,
      ctx.services.console,
      'console',
      args.all,
      (e) =>
        (SEVERITY[e.level] ?? 2) <= limit &&
        (!args.tab || e.tab === args.tab) &&
        (!needle || e.text.toLowerCase().includes(needle)),
    );
    const filtered = args.level || args.text || args.tab;
    return ctx.page({
      key: 'messages',
      items,
      keep: 'last',
      resume,
      line: consoleLine,
      data: consoleRowOf,
      unit: ['message', 'messages'],
      empty: `No ${older ? 'older ' : args.all ? '' : 'new '}console messages${filtered ? ' match' : ''}.`,
      hint: 'The cursor leads to older ones; filter by level or text to narrow them.',
    });
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

export const networkTool = tool({
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
    cursor: cursorInput,
  },
  output: { requests: z.array(networkRow), more: moreSchema },
  async handler(args, ctx) {
    const needle = args.url?.toLowerCase();
    const keep = (e: NetworkEntry) =>
      (!args.tab || e.tab === args.tab) &&
      (!needle || e.url.toLowerCase().includes(needle)) &&
      (!args.type || e.type === args.type) &&
      (args.outcome === 'any' ||
        (args.outcome === 'failed' && e.failure !== undefined) ||
        (args.outcome === 'refused' && e.blocked === true) ||
        (args.outcome === 'error_status' && (e.status ?? 0) >= 400));
    const { items, resume, older } = entries(ctx, ctx.services.network, 'network', args.all, keep);
    const cells = (e: NetworkEntry) => [e.tab, e.method, e.failure ?? e.status ?? '…', e.type, e.ms ?? '', e.url];
    const table = tableLayout(['tab', 'method', 'status', 'type', 'ms', 'url'], items.map(cells), 160);
    const filtered = needle || args.type || args.outcome !== 'any' || args.tab;
    return ctx.page({
      key: 'requests',
      items,
      keep: 'last',
      resume,
      head: (shown) => (shown.length ? table.head : ''),
      line: (e) => table.line(cells(e)),
      data: networkRowOf,
      unit: ['request', 'requests'],
      empty: `No ${older ? 'older ' : args.all ? '' : 'new '}requests${filtered ? ' match' : ''}.`,
      hint: 'The cursor leads to older ones; filter by url, type or outcome to narrow them.',
    });
  },
});
