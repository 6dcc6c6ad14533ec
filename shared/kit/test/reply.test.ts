import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connector } from '../src/define.js';
import {
  argumentsKey,
  cursorInput,
  defineConnector,
  definePrompt,
  defineResourceTemplate,
  limitInput,
  makeCursor,
  moreSchema,
  pastLimit,
  section,
  ToolError,
  tableLayout,
} from '../src/index.js';
import { call, closeConnected, connectDefinition, sc, text } from './helpers.js';

interface Services {
  upstreamCalls: Array<number | undefined>;
  dispose?(): Promise<void>;
}
const { tool } = connector<Services>();

const NUMBERS = Array.from({ length: 1000 }, (_, i) => ({ n: i, word: `number ${i} ${'x'.repeat(i % 40)}` }));

const listNumbers = tool({
  name: 'demo_list_numbers',
  title: 'Numbers',
  description: 'Numbers, paged.',
  toolset: 'demo',
  access: 'read',
  input: {
    max: limitInput(500, 1000, 'numbers'),
    from: z.number().int().default(0).describe('First number'),
    bound: z.boolean().default(false).describe('Say only that at least the rest remain'),
    cursor: cursorInput,
  },
  output: { numbers: z.array(z.object({ n: z.number() })), from: z.number(), more: moreSchema },
  async handler({ max, from, bound }, ctx) {
    const all = NUMBERS.slice(from);
    const items = all.slice(ctx.position.offset, ctx.position.offset + max);
    const rest = all.length - ctx.position.offset - items.length;
    return ctx.page({
      key: 'numbers',
      fields: { from },
      items,
      rest: bound ? { atLeast: rest } : rest,
      limit: { argument: 'max', value: max },
      line: (x) => x.word,
      data: (x) => ({ n: x.n }),
      unit: ['number', 'numbers'],
    });
  },
});

/** An upstream API that pages 7 items at a time with a page-number token. */
const upstream = tool({
  name: 'demo_upstream',
  title: 'Upstream',
  description: 'Numbers from an upstream API that pages by 7.',
  toolset: 'demo',
  access: 'read',
  input: { limit: limitInput(100, 1000, 'numbers'), cursor: cursorInput },
  output: { numbers: z.array(z.number()), more: moreSchema },
  async handler({ limit }, ctx) {
    return ctx.paginate<(typeof NUMBERS)[number], number>({
      key: 'numbers',
      limit: { argument: 'limit', value: limit },
      line: (x) => x.word,
      data: (x) => x.n,
      unit: ['number', 'numbers'],
      fetch: async (page) => {
        ctx.services.upstreamCalls.push(page);
        const p = page ?? 1;
        if (!Number.isInteger(p) || p < 1) throw new ToolError('is not a page of this listing.', { argument: 'cursor' });
        const items = NUMBERS.slice(0, 100).slice((p - 1) * 7, p * 7);
        return { items, next: p * 7 < 100 ? p + 1 : undefined, total: 100 };
      },
    });
  },
});

const document = tool({
  name: 'demo_document',
  title: 'Document',
  description: 'A long text.',
  toolset: 'demo',
  access: 'read',
  input: { cursor: cursorInput },
  output: { text: z.string(), start_line: z.number(), end_line: z.number(), more: moreSchema },
  async handler(_args, ctx) {
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i + 1} ${'é'.repeat(i % 30)}`).join('\n');
    return ctx.pageText({ text });
  },
});

/** One more than the limit is read to know more exist; the count of what is shown heads the text. */
const rows = tool({
  name: 'demo_rows',
  title: 'Rows',
  description: 'Rows as an aligned table, with a count above it.',
  toolset: 'demo',
  access: 'read',
  input: { max_rows: limitInput(100, 1000, 'rows'), cursor: cursorInput },
  output: { rows: z.array(z.array(z.number())), row_count: z.number(), more: moreSchema },
  async handler({ max_rows }, ctx) {
    const all = Array.from({ length: 300 }, (_, i) => [i, i * i]);
    return ctx.page({
      key: 'rows',
      ...pastLimit(all.slice(ctx.position.offset, ctx.position.offset + max_rows + 1), 'max_rows', max_rows),
      fields: (shown) => ({ row_count: shown.length }),
      head: (shown) => `${shown.length} rows`,
      table: { columns: ['n', 'square'], cells: (row) => row },
      unit: ['row', 'rows'],
    });
  },
});

/** Two lists in one reply, under one budget. */
const twoLists = tool({
  name: 'demo_two_lists',
  title: 'Two lists',
  description: 'Evens, then odds.',
  toolset: 'demo',
  access: 'read',
  input: { evens: z.number().int().describe('How many evens'), odds: z.number().int().describe('How many odds') },
  output: { evens: z.array(z.number()), odds: z.array(z.number()), more: moreSchema },
  async handler({ evens, odds }, ctx) {
    const numbers = (count: number, first: number) => Array.from({ length: count }, (_, i) => first + i * 2);
    const line = (n: number) => `  number ${n} ${'x'.repeat(40)}`;
    return ctx.page({
      sections: [
        section({ key: 'evens', items: numbers(evens, 0), title: 'evens:', empty: 'No evens.', line }),
        section({ key: 'odds', items: numbers(odds, 1), title: 'odds:', empty: 'No odds.', line }),
      ],
      unit: ['number', 'numbers'],
      hint: 'Ask for fewer.',
    });
  },
});

/** Blocks of lines (patches, say); one far bigger than a page, which continues across pages. */
const BLOCKS = [3, 2, 400, 5, 1].map((size, b) =>
  Array.from({ length: size }, (_, i) => `block ${b} line ${i} ${'y'.repeat(20)}`),
);
interface Block {
  index: number;
  lines: string[];
  from: number;
}
const blocks = tool({
  name: 'demo_blocks',
  title: 'Blocks',
  description: 'Blocks of lines; a block too big for a page continues on the next.',
  toolset: 'demo',
  access: 'read',
  input: { cursor: cursorInput },
  output: { blocks: z.array(z.object({ index: z.number(), from: z.number(), lines: z.array(z.string()) })), more: moreSchema },
  async handler(_args, ctx) {
    // The offset counts whole blocks; the state says where inside the next one to resume.
    const from = typeof ctx.position.state === 'number' ? ctx.position.state : 0;
    const items: Block[] = BLOCKS.slice(ctx.position.offset).map((lines, i) => ({
      index: ctx.position.offset + i,
      lines: i === 0 ? lines.slice(from) : lines,
      from: i === 0 ? from : 0,
    }));
    return ctx.page({
      key: 'blocks',
      items,
      line: (b) => b.lines.join('\n'),
      unit: ['block', 'blocks'],
      split: (b, room) => {
        let kept = 0;
        let used = 64;
        while (kept < b.lines.length && used + Buffer.byteLength(b.lines[kept] as string) + 8 <= Math.min(room.text, room.json)) {
          used += Buffer.byteLength(b.lines[kept] as string) + 8;
          kept++;
        }
        return { item: { ...b, lines: b.lines.slice(0, kept) }, resume: b.from + kept };
      },
    });
  },
});

/** Lists outside tools: a resource and a prompt fit theirs with ctx.page, without a cursor. */
const numbersResource = defineResourceTemplate<Services>({
  name: 'demo_numbers',
  title: 'Numbers from n',
  description: 'Numbers from n on.',
  uriTemplate: 'demo://numbers/{from}',
  async read(uri, { from = '' }, ctx) {
    if (!/^\d+$/.test(from)) throw Object.assign(new Error(`bad start ${from}`), { code: 'EBADSTART' });
    const reply = ctx.page({
      key: 'numbers',
      items: NUMBERS.slice(Number(from)),
      line: (x) => x.word,
      unit: ['number', 'numbers'],
      hint: 'Read demo://numbers/N from a later N.',
    });
    return [{ uri: uri.href, mimeType: 'text/plain', text: reply.text }];
  },
});
const numbersPrompt = definePrompt<Services, { share: z.ZodOptional<z.ZodString> }>({
  name: 'demo_numbers_prompt',
  title: 'Numbers',
  description: 'Numbers as material, in a share of the budget.',
  args: { share: z.string().optional().describe('Bytes for the list') },
  async render({ share }, ctx) {
    const reply = ctx.page({
      key: 'numbers',
      items: NUMBERS,
      line: (x) => x.word,
      unit: ['number', 'numbers'],
      hint: 'Ask for fewer.',
      ...(share ? { budget: Number(share) } : {}),
    });
    return { messages: [{ role: 'user', text: reply.text }] };
  },
});

const fails = tool({
  name: 'demo_fail',
  title: 'Fail',
  description: 'Fails with a service error.',
  toolset: 'demo',
  access: 'read',
  input: { code: z.string().describe('The service error code') },
  output: { ok: z.boolean() },
  async handler({ code }) {
    throw Object.assign(new Error(`service said ${code}`), { code });
  },
});

const demo = defineConnector({
  name: 'demo',
  title: 'Demo',
  version: '1.0.0',
  description: 'Kit reply tests',
  instructions: 'Demo.',
  options: {},
  toolsets: { demo: { title: 'Demo', description: 'demo', default: true } },
  tools: [listNumbers, upstream, document, fails, rows, twoLists, blocks],
  resources: [
    numbersResource,
    defineResourceTemplate<Services>({
      name: 'demo_thing',
      title: 'Thing',
      description: 'A thing by code; fails with the service error for that code.',
      uriTemplate: 'demo://things/{code}',
      async read(_uri, { code }) {
        throw Object.assign(new Error(`service said ${code}`), { code });
      },
    }),
  ],
  prompts: [numbersPrompt],
  createServices: (): Services => ({ upstreamCalls: [] }),
  mapError: (error: unknown, { args }) => {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND_THING')
      return new ToolError('There is no such thing.', { argument: 'code', hint: 'List the things first.' });
    // A resource's variables are the call's arguments.
    if (code === 'EBADSTART') return new ToolError(`"${String(args.from)}" is not a number.`, { argument: 'from' });
    return undefined;
  },
});

afterEach(closeConnected);
const connect = (argv: string[] = []) => connectDefinition(demo, argv);

describe('ctx.page', () => {
  it('fits text and structured content to the budget together and pages through everything exactly once', async () => {
    const { client } = await connect(['--output-budget', '4096']);
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 200; guard++) {
      const r = await call(client, 'demo_list_numbers', { max: 1000, ...(cursor ? { cursor } : {}) });
      expect(r.isError).toBeFalsy();
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(4096);
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(4096);
      const numbers = (sc(r).numbers as Array<{ n: number }>).map((x) => x.n);
      seen.push(...numbers);
      const more = sc(r).more as { cursor?: string; omitted: number } | undefined;
      if (!more) break;
      expect(text(r)).toContain(`${more.omitted} more numbers not shown (output budget)`);
      expect(more.omitted).toBe(1000 - seen.length);
      cursor = more.cursor;
    }
    expect(seen).toEqual(NUMBERS.map((x) => x.n));
  });

  it('blames the caller’s limit, not the budget, when the limit cut the list', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_list_numbers', { max: 2 });
    expect(sc(r).numbers).toEqual([{ n: 0 }, { n: 1 }]);
    expect(text(r)).toContain('998 more numbers not shown (max=2)');
    expect(text(r)).not.toContain('output budget');
    const next = await call(client, 'demo_list_numbers', {
      max: 2,
      cursor: (sc(r).more as { cursor: string }).cursor,
    });
    expect(sc(next).numbers).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('refuses a cursor passed back with other arguments, and a made-up one, naming the argument', async () => {
    const { client } = await connect();
    const first = await call(client, 'demo_list_numbers', { max: 2 });
    const cursor = (sc(first).more as { cursor: string }).cursor;
    const other = await call(client, 'demo_list_numbers', { max: 2, from: 5, cursor });
    expect(other.isError).toBe(true);
    expect(text(other)).toMatch(/^Argument `cursor`: belongs to a demo_list_numbers call with different arguments/);
    const forged = await call(client, 'demo_list_numbers', { cursor: 'bm9wZQ' });
    expect(text(forged)).toMatch(/^Argument `cursor`: is not a cursor this tool returned/);
  });

  it('says "No numbers." for an empty list and leaves `more` out', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_list_numbers', { from: 5000 });
    expect(text(r)).toBe('No numbers.');
    expect(r.structuredContent).toEqual({ from: 5000, numbers: [] });
  });
});

describe('ctx.page shapes', () => {
  it('shows no more than the limit, and counts the one read past it as a lower bound', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_rows', { max_rows: 3 });
    expect(sc(r).rows).toEqual([
      [0, 0],
      [1, 1],
      [2, 4],
    ]);
    expect(sc(r).row_count).toBe(3);
    expect(text(r)).toMatch(
      /^3 rows\nn {2}square\n- {2}------\n0 {2}0\n1 {2}1\n2 {2}4\n… at least 1 more row not shown \(max_rows=3\)\./,
    );
    const next = await call(client, 'demo_rows', { max_rows: 3, cursor: (sc(r).more as { cursor: string }).cursor });
    expect(sc(next).rows).toEqual([
      [3, 9],
      [4, 16],
      [5, 25],
    ]);
  });

  it('says "at least" when only a lower bound of what remains is known', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_list_numbers', { max: 2, from: 990, bound: true });
    expect(sc(r).more).toMatchObject({ omitted: 8 });
    expect(text(r)).toContain('at least 8 more numbers not shown (max=2)');
  });

  it('fits a head that counts what is shown, and pages a table to the end', async () => {
    const { client } = await connect(['--output-budget', '1024']);
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await call(client, 'demo_rows', { max_rows: 1000, ...(cursor ? { cursor } : {}) });
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(1024);
      const shown = (sc(r).rows as number[][]).map((row) => row[0] as number);
      expect(sc(r).row_count).toBe(shown.length);
      expect(text(r).split('\n')[0]).toBe(`${shown.length} rows`);
      seen.push(...shown);
      cursor = (sc(r).more as { cursor?: string } | undefined)?.cursor;
      if (!cursor) break;
      expect(text(r)).toContain('(output budget)');
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('puts several lists in one reply, each under its key, with titles and empties, cut under one budget', async () => {
    const { client } = await connect(['--output-budget', '1024']);
    const small = await call(client, 'demo_two_lists', { evens: 2, odds: 0 });
    expect(sc(small)).toEqual({ evens: [0, 2], odds: [] });
    expect(text(small)).toBe(`evens:\n  number 0 ${'x'.repeat(40)}\n  number 2 ${'x'.repeat(40)}\nNo odds.`);
    const none = await call(client, 'demo_two_lists', { evens: 0, odds: 0 });
    expect(text(none)).toBe('No evens.\nNo odds.');
    const big = await call(client, 'demo_two_lists', { evens: 10, odds: 30 });
    expect(Buffer.byteLength(text(big))).toBeLessThanOrEqual(1024);
    const evens = sc(big).evens as number[];
    const odds = sc(big).odds as number[];
    expect(evens).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(odds.length).toBeGreaterThan(0);
    expect(odds.length).toBeLessThan(30);
    expect(text(big)).toMatch(/^evens:\n.*\nodds:\n/s);
    expect(sc(big).more).toEqual({ omitted: 30 - odds.length, hint: 'Ask for fewer.' });
    expect(text(big)).toContain(`… ${30 - odds.length} more numbers not shown (output budget). Ask for fewer.`);
  });
});

describe('ctx.page with split', () => {
  it('shows the head of an item too big for a page and continues inside it, losing and repeating nothing', async () => {
    const { client } = await connect(['--output-budget', '2048']);
    const seen = BLOCKS.map(() => [] as string[]);
    let cursor: string | undefined;
    let pages = 0;
    for (; pages < 100; pages++) {
      const r = await call(client, 'demo_blocks', cursor ? { cursor } : {});
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(2048);
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(2048);
      for (const b of sc(r).blocks as Block[]) {
        expect(b.from).toBe(seen[b.index]?.length);
        seen[b.index]?.push(...b.lines);
      }
      const more = sc(r).more as { cursor: string; omitted: number } | undefined;
      if (!more) break;
      // The block being continued still counts as not shown.
      const whole = seen.filter((lines, i) => lines.length === BLOCKS[i]?.length).length;
      expect(more.omitted).toBe(BLOCKS.length - whole);
      expect(text(r)).toContain(`${more.omitted} more block${more.omitted === 1 ? '' : 's'} not shown (output budget)`);
      cursor = more.cursor;
    }
    expect(seen).toEqual(BLOCKS);
    expect(pages).toBeGreaterThan(5);
  });
});

describe('lists in resources and prompts', () => {
  it('fits a resource’s list to the budget with a hint, not a cursor', async () => {
    const { client } = await connect(['--output-budget', '2048']);
    const r = await client.readResource({ uri: 'demo://numbers/10' });
    const body = (r.contents[0] as { text: string }).text;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(2048);
    expect(body.split('\n')[0]).toBe(NUMBERS[10]?.word);
    expect(body).toMatch(/… \d+ more numbers not shown \(output budget\)\. Read demo:\/\/numbers\/N from a later N\.$/);
    expect(body).not.toContain('cursor');
  });

  it('gives a prompt’s list the share of the budget it asks for', async () => {
    const { client } = await connect(['--output-budget', '8192']);
    const whole = await client.getPrompt({ name: 'demo_numbers_prompt', arguments: {} });
    const part = await client.getPrompt({ name: 'demo_numbers_prompt', arguments: { share: '1024' } });
    const size = (p: typeof whole) => Buffer.byteLength((p.messages[0]?.content as { text?: string } | undefined)?.text ?? '');
    expect(size(whole)).toBeGreaterThan(4096);
    expect(size(whole)).toBeLessThanOrEqual(8192);
    expect(size(part)).toBeLessThanOrEqual(1024);
  });

  it('maps a resource’s service error through the connector’s table, with its variables as arguments', async () => {
    const { client } = await connect();
    await expect(client.readResource({ uri: 'demo://numbers/x1' })).rejects.toThrow('Argument `from`: "x1" is not a number.');
  });
});

describe('ctx.paginate', () => {
  it('fills one reply across upstream pages and resumes at the exact item, never skipping or repeating', async () => {
    const { client, services } = await connect();
    const r = await call(client, 'demo_upstream', { limit: 10 });
    expect(sc(r).numbers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 10 items at 7 per page: two upstream requests, not more.
    expect(services.upstreamCalls).toEqual([undefined, 2]);
    expect(text(r)).toContain('90 more numbers not shown (limit=10)');
    const cursor = (sc(r).more as { cursor: string }).cursor;
    const next = await call(client, 'demo_upstream', { limit: 10, cursor });
    expect(sc(next).numbers).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // Resumed on page 2 at its fourth item.
    expect(services.upstreamCalls.slice(2)).toEqual([2, 3]);
  });

  it('walks to the end of the upstream listing with the budget as the only limit', async () => {
    const { client } = await connect(['--output-budget', '2048']);
    const all: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await call(client, 'demo_upstream', { limit: 1000, ...(cursor ? { cursor } : {}) });
      all.push(...(sc(r).numbers as number[]));
      cursor = (sc(r).more as { cursor?: string } | undefined)?.cursor;
      if (!cursor) break;
    }
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('hands an upstream token coming back in a cursor to the connector, which validates it', async () => {
    const { client } = await connect();
    const forged = makeCursor(argumentsKey('demo_upstream', { limit: 100 }), { offset: 3, state: { u: -4, i: 0 } });
    const r = await call(client, 'demo_upstream', { cursor: forged });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe('Argument `cursor`: is not a page of this listing.');
  });
});

describe('ctx.pageText', () => {
  it('cuts a long text at line breaks under the budget and continues at the exact character', async () => {
    const { client } = await connect(['--output-budget', '8192']);
    let cursor: string | undefined;
    let rebuilt = '';
    let lastEnd = 0;
    for (let i = 0; i < 100; i++) {
      const r = await call(client, 'demo_document', cursor ? { cursor } : {});
      expect(Buffer.byteLength(JSON.stringify(r.structuredContent))).toBeLessThanOrEqual(8192);
      expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(8192);
      const s = r.structuredContent as { text: string; start_line: number; end_line: number; more?: { cursor: string } };
      expect(s.start_line).toBe(lastEnd + 1);
      lastEnd = s.end_line;
      rebuilt += s.text;
      cursor = s.more?.cursor;
      if (!cursor) break;
      expect(s.text.endsWith('\n')).toBe(true);
    }
    expect(rebuilt).toBe(Array.from({ length: 3000 }, (_, i) => `line ${i + 1} ${'é'.repeat(i % 30)}`).join('\n'));
    expect(lastEnd).toBe(3000);
  });
});

describe('arguments', () => {
  it('refuses an argument the tool does not take, naming the closest one', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_list_numbers', { maxx: 2 });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe(
      'Argument `maxx`: is not an argument of demo_list_numbers. Did you mean `max`? It takes: max, from, bound, cursor.',
    );
  });

  it('names the argument whose value has the wrong shape', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_list_numbers', { max: 5000 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Argument `max`: .*1000/);
  });

  it('publishes closed input schemas, so a model knows extra arguments are refused', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    for (const t of tools) expect(t.inputSchema.additionalProperties, t.name).toBe(false);
  });
});

describe('mapError', () => {
  it('turns a service error into an actionable result through the connector’s one table', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_fail', { code: 'ENOTFOUND_THING' });
    expect(text(r)).toBe('Argument `code`: There is no such thing. List the things first.');
  });

  it('maps a resource read’s service error through the same table', async () => {
    const { client } = await connect();
    await expect(client.readResource({ uri: 'demo://things/ENOTFOUND_THING' })).rejects.toThrow(
      'Argument `code`: There is no such thing. List the things first.',
    );
  });

  it('leaves anything the table does not know a fault, reported briefly', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_fail', { code: 'EOTHER' });
    expect(text(r)).toBe("demo_fail failed unexpectedly: service said EOTHER. The server's stderr log has the details.");
  });
});
