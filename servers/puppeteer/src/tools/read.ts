import { badArgument, decodeCursor, defineTool, encodeCursor, jsonSize, more, moreSchema } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
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
  snapshotShape,
} from './common.js';
import { budgetedSnapshot } from './page-snapshot.js';

const cursorInput = z.string().max(2_000).optional().describe('more.cursor of the previous result, to continue');

export const snapshotTool = defineTool({
  name: 'puppeteer_snapshot',
  title: 'Accessibility snapshot',
  description:
    'The page, or one element’s subtree by ref or selector, as an accessibility outline with [ref=eN] element refs (iframes included). Refs stay valid while the element exists; cut to the output budget with a cursor.',
  toolset: 'browse',
  access: 'read',
  input: { ref: refInput, selector: selectorInput, cursor: cursorInput },
  output: { ...pageShape, ...snapshotShape },
  async handler(args, ctx: Ctx) {
    const tab = await ctx.services.tab();
    const scope = await locateOptional(ctx, tab, args);
    const [snap, state] = await Promise.all([
      budgetedSnapshot(ctx, tab, {
        ...(scope ? { scope: scope.handle } : {}),
        ...(args.cursor ? { cursor: args.cursor } : {}),
      }),
      pageState(tab),
    ]);
    const side = notices(ctx);
    const header = `${pageHeader(state)}${scope ? `\nSnapshot of ${scope.label}:` : ''}`;
    return {
      structured: { ...state, ...side, snapshot: snap.snapshot, more: snap.more },
      text: render({ header, body: snap.snapshot, notices: side.notices, more: snap.more, moreText: snap.moreText }),
    };
  },
});

interface TextCursor extends Record<string, unknown> {
  o: number;
  u: string;
}

export const textTool = defineTool({
  name: 'puppeteer_get_text',
  title: 'Readable text',
  description:
    'The visible text of the page or of one element by ref or selector, without markup; cheaper than a snapshot for reading. Cut to the output budget with a cursor.',
  toolset: 'browse',
  access: 'read',
  input: { ref: refInput, selector: selectorInput, cursor: cursorInput },
  output: {
    ...pageShape,
    text: z.string(),
    total_chars: z.number(),
    more: moreSchema,
  },
  async handler(args, ctx: Ctx) {
    const tab = await ctx.services.tab();
    let offset = 0;
    if (args.cursor) {
      const state = decodeCursor<TextCursor>(
        args.cursor,
        (v): v is TextCursor => typeof v.o === 'number' && typeof v.u === 'string',
      );
      if (state.u !== tab.url())
        throw badArgument('cursor', 'the page navigated since this cursor was made.', 'Call again without a cursor.');
      offset = state.o;
    }
    const scope = await locateOptional(ctx, tab, args);
    // Only a window of the text crosses from the page, however long the page is.
    const window = ctx.budget.bytes;
    const read = (el: Element, from: number, size: number) => {
      // innerText, not textContent: the text as rendered, without scripts, styles or hidden parts.
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
      const raw = (el as HTMLElement).innerText ?? el.textContent ?? '';
      const tidy = raw
        .replace(/[ \t]+\n/g, '\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      return { total: tidy.length, slice: tidy.slice(from, from + size) };
    };
    const { total, slice } = await tab.ask('reading its text', async (page) => {
      const root =
        scope?.handle ?? ((await page.evaluateHandle(() => document.body ?? document.documentElement)) as ElementHandle<Element>);
      return root.evaluate(read, offset, window);
    });
    const state = await pageState(tab);
    const side = notices(ctx);
    // Fit the JSON-escaped text into what the budget leaves after the other fields.
    let text = slice;
    const room = ctx.budget.bytes - 1_536 - jsonSize(state) - jsonSize(side);
    while (text.length > 0 && jsonSize(text) > room) {
      const cut = text.lastIndexOf('\n', Math.floor(text.length * 0.9));
      text = text.slice(0, cut > text.length * 0.5 ? cut : Math.floor(text.length * 0.9));
    }
    const next = offset + text.length;
    const info =
      next < total
        ? more(
            total - next,
            'Pass cursor for the next part, or read one element with ref= or selector=.',
            encodeCursor({ o: next, u: tab.url() }),
          )
        : undefined;
    const header = `${pageHeader(state)}${scope ? `\nText of ${scope.label}` : ''}${offset ? ` (from character ${offset} of ${total})` : ''}:`;
    return {
      structured: { ...state, ...side, text, total_chars: total, more: info },
      text: render({ header, body: text || '(no text)', notices: side.notices, more: info, unit: 'characters' }),
    };
  },
});
