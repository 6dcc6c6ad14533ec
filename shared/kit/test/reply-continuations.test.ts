import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connector } from '../src/define.js';
import { cursorInput, defineConnector, moreSchema, type PageInput, type ToolContext } from '../src/index.js';
import { call, closeConnected, connectDefinition, type Result, sc, text } from './helpers.js';

/**
 * Continuations the arguments alone do not describe: a cursor bound to the version of what it
 * pages (a browser tab's page), one made for another tool that continues the listing, a list
 * whose structured form is one text, a log cut from its newest end, and a text read a window at
 * a time.
 */

interface Services {
  /** The document's version: a cursor made for one version must not page another. */
  version: number;
  log: Array<{ seq: number; text: string }>;
  dispose?(): Promise<void>;
}
const { tool } = connector<Services>();

const outlineOf = (version: number) =>
  Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i % 3)}- line ${i} of version ${version} "quoted"`);

/** The document's outline from `from` on, as one text, its cursor bound to the document's version. */
function outlinePage(ctx: ToolContext<Services>, from: number, shape: Partial<PageInput<string>> = {}) {
  const { version } = ctx.services;
  return ctx.page({
    key: 'outline',
    joined: true,
    items: outlineOf(version).slice(from),
    line: (line) => line,
    unit: ['line', 'lines'],
    bind: { value: String(version), refusal: 'the document changed since this cursor was made.' },
    ...shape,
  });
}

const outline = tool({
  name: 'demo_outline',
  title: 'Outline',
  description: 'The document as an outline, one string.',
  toolset: 'demo',
  access: 'read',
  input: { cursor: cursorInput },
  output: { version: z.number(), outline: z.string(), more: moreSchema },
  async handler(_args, ctx) {
    return outlinePage(ctx, ctx.position.offset, { fields: { version: ctx.services.version } });
  },
});

/** Opens the document and shows its start in a share of the budget; the outline tool goes on. */
const open = tool({
  name: 'demo_open',
  title: 'Open',
  description: 'Open the document: its start.',
  toolset: 'demo',
  access: 'read',
  input: {},
  output: { outline: z.string(), more: moreSchema },
  async handler(_args, ctx) {
    return outlinePage(ctx, 0, { budget: 1024, cause: 'preview', cursorFor: { tool: 'demo_outline' } });
  },
});

/** A log read newest first: a cut keeps the newest, the cursor leads to older entries. */
const log = tool({
  name: 'demo_log',
  title: 'Log',
  description: 'The log, newest kept.',
  toolset: 'demo',
  access: 'read',
  input: { cursor: cursorInput },
  output: { entries: z.array(z.object({ seq: z.number(), text: z.string() })), more: moreSchema },
  async handler(_args, ctx) {
    const state = ctx.position.state as { before?: number } | undefined;
    const before = typeof state?.before === 'number' ? state.before : Number.POSITIVE_INFINITY;
    const items = ctx.services.log.filter((e) => e.seq < before);
    return ctx.page({
      key: 'entries',
      items,
      keep: 'last',
      line: (e) => `#${e.seq} ${e.text}`,
      unit: ['entry', 'entries'],
      resume: (index) => ({ before: items[index]?.seq }),
    });
  },
});

const LONG = Array.from({ length: 2000 }, (_, i) => `sentence ${i} ${'ü'.repeat(i % 25)}`).join('\n');

/** Reads only a window of a long text from the cursor's offset, as a page's text is read. */
const windowed = tool({
  name: 'demo_window',
  title: 'Window',
  description: 'A long text read a window at a time.',
  toolset: 'demo',
  access: 'read',
  input: { cursor: cursorInput },
  output: { text: z.string(), total: z.number(), more: moreSchema },
  async handler(_args, ctx) {
    const windowLength = ctx.budget.bytes;
    return ctx.pageText({
      text: LONG.slice(ctx.position.offset, ctx.position.offset + windowLength),
      total: LONG.length,
      fields: { total: LONG.length },
      bind: { value: String(ctx.services.version), refusal: 'the text changed.', hint: 'Read it again from the start.' },
    });
  },
});

const demo = defineConnector({
  name: 'demo',
  title: 'Demo',
  version: '1.0.0',
  description: 'Kit continuation tests',
  instructions: 'Demo.',
  options: {},
  toolsets: { demo: { title: 'Demo', description: 'demo', default: true } },
  tools: [outline, open, log, windowed],
  createServices: (): Services => ({
    version: 1,
    log: Array.from({ length: 300 }, (_, i) => ({ seq: i + 1, text: `entry ${i + 1} ${'z'.repeat(i % 50)}` })),
  }),
});

afterEach(closeConnected);
const connect = (argv: string[] = []) => connectDefinition(demo, argv);
const cursorOf = (r: Result) => (sc(r).more as { cursor?: string } | undefined)?.cursor;

describe('a list joined into one text', () => {
  it('fits the text and its JSON-escaped copy to the budget and pages through every line once', async () => {
    const { client } = await connect(['--output-budget', '2048']);
    const lines: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await call(client, 'demo_outline', cursor ? { cursor } : {});
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(2048);
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(2048);
      const shown = sc(r).outline as string;
      expect(typeof shown).toBe('string');
      expect(text(r).startsWith(shown)).toBe(true);
      lines.push(...shown.split('\n'));
      cursor = cursorOf(r);
      if (!cursor) break;
      expect(text(r)).toMatch(/… \d+ more lines not shown \(output budget\)\. Call demo_outline again/);
    }
    expect(lines).toEqual(outlineOf(1));
  });
});

describe('a cursor bound to a value the arguments do not show', () => {
  it('is refused, naming the cursor and what changed, once the value changed', async () => {
    const { client, services } = await connect(['--output-budget', '2048']);
    const first = await call(client, 'demo_outline');
    const cursor = cursorOf(first);
    expect(cursor).toBeTruthy();
    const same = await call(client, 'demo_outline', { cursor });
    expect(same.isError).toBeFalsy();
    services.version = 2;
    const stale = await call(client, 'demo_outline', { cursor });
    expect(stale.isError).toBe(true);
    expect(text(stale)).toBe(
      'Argument `cursor`: the document changed since this cursor was made. Call again without a cursor to start over.',
    );
    const fresh = await call(client, 'demo_outline');
    expect((sc(fresh).outline as string).split('\n')[0]).toBe(outlineOf(2)[0]);
  });

  it('is refused in a text read by windows too, with the handler’s advice', async () => {
    const { client, services } = await connect(['--output-budget', '2048']);
    const cursor = cursorOf(await call(client, 'demo_window'));
    services.version = 3;
    const stale = await call(client, 'demo_window', { cursor });
    expect(text(stale)).toBe('Argument `cursor`: the text changed. Read it again from the start.');
  });
});

describe('a cursor made for another tool', () => {
  it('shows the start in its share, names why it stopped, and continues in the other tool at the next line', async () => {
    const { client, services } = await connect(['--output-budget', '8192']);
    const start = await call(client, 'demo_open');
    const shown = (sc(start).outline as string).split('\n');
    expect(Buffer.byteLength(JSON.stringify(sc(start)))).toBeLessThanOrEqual(1024);
    expect(text(start)).toMatch(
      /\n… \d+ more lines not shown \(preview\)\. Call demo_outline with this cursor for the rest\. cursor: \S+$/,
    );
    const next = await call(client, 'demo_outline', { cursor: cursorOf(start) });
    expect((sc(next).outline as string).split('\n')[0]).toBe(outlineOf(1)[shown.length]);
    // Bound to the document as demo_outline's own cursors are.
    services.version = 2;
    expect(text(await call(client, 'demo_outline', { cursor: cursorOf(start) }))).toContain('the document changed');
  });
});

describe('a list that keeps its last items', () => {
  it('shows the newest entries in order, then older ones by cursor, each once', async () => {
    const { client, services } = await connect(['--output-budget', '2048']);
    const pages: number[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await call(client, 'demo_log', cursor ? { cursor } : {});
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(2048);
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(2048);
      const seqs = (sc(r).entries as Array<{ seq: number }>).map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      pages.push(seqs);
      const more = sc(r).more as { omitted: number; cursor?: string } | undefined;
      if (!more) break;
      // What is left out is what comes before the entries shown.
      expect(more.omitted).toBe((seqs[0] ?? 1) - 1);
      expect(text(r)).toContain(`${more.omitted} more entries not shown (output budget)`);
      cursor = more.cursor;
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(pages[0]?.at(-1)).toBe(300);
    expect(pages.reverse().flat()).toEqual(services.log.map((e) => e.seq));
  });
});

describe('a text read a window at a time', () => {
  it('continues at the exact character and counts what is left in characters', async () => {
    const { client } = await connect(['--output-budget', '2048']);
    let rebuilt = '';
    let cursor: string | undefined;
    for (let i = 0; i < 200; i++) {
      const r = await call(client, 'demo_window', cursor ? { cursor } : {});
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(2048);
      expect(sc(r)).not.toHaveProperty('start_line');
      rebuilt += sc(r).text as string;
      const more = sc(r).more as { omitted: number; cursor?: string } | undefined;
      if (!more) break;
      expect(more.omitted).toBe(LONG.length - rebuilt.length);
      expect(text(r)).toContain(`${more.omitted} more characters not shown (output budget)`);
      cursor = more.cursor;
    }
    expect(rebuilt).toBe(LONG);
  });
});
