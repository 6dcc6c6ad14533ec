import { cursorInput, moreSchema } from '@patchbay/kit';
import type { ElementHandle } from 'puppeteer-core';
import * as z from 'zod';
import { tool } from '../kit.js';
import {
  headed,
  locateOptional,
  notices,
  pageHeader,
  pageShape,
  pageState,
  refInput,
  selectorInput,
  snapshotShape,
} from './common.js';
import { pageBinding, readSnapshot, withSnapshot } from './page-snapshot.js';

export const snapshotTool = tool({
  name: 'puppeteer_snapshot',
  title: 'Accessibility snapshot',
  description:
    'The page, or one element’s subtree by ref or selector, as an accessibility outline with [ref=eN] element refs (iframes included). Refs stay valid while the element exists; cut to the output budget with a cursor.',
  toolset: 'browse',
  access: 'read',
  input: { ref: refInput, selector: selectorInput, cursor: cursorInput },
  output: { ...pageShape, ...snapshotShape },
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const scope = await locateOptional(ctx, tab, args);
    const snap = await readSnapshot(ctx, tab, { scope: scope?.handle, offset: ctx.position.offset });
    // The title comes with a whole-page outline: one call into the page, not two.
    const state = snap.title !== undefined ? { tab: tab.id, url: tab.url(), title: snap.title } : await pageState(tab);
    const side = notices(ctx);
    return withSnapshot(ctx, snap, {
      fields: { ...state, ...side },
      head: headed(`${pageHeader(state)}${scope ? `\nSnapshot of ${scope.label}:` : ''}`, side),
    });
  },
});

export const textTool = tool({
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
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const scope = await locateOptional(ctx, tab, args);
    const offset = ctx.position.offset;
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
    // Only a window of the text crosses from the page, however long the page is: as many
    // characters as the budget has bytes, of which the kit shows what fits.
    const { total, slice } = await tab.ask('reading its text', async (page) => {
      const root =
        scope?.handle ?? ((await page.evaluateHandle(() => document.body ?? document.documentElement)) as ElementHandle<Element>);
      return root.evaluate(read, offset, ctx.budget.bytes);
    });
    const state = await pageState(tab);
    const side = notices(ctx);
    const where = `${scope ? `\nText of ${scope.label}` : ''}${offset ? ` (from character ${offset} of ${total})` : ''}`;
    return ctx.pageText({
      text: slice,
      total,
      fields: { ...state, ...side, total_chars: total },
      head: headed(`${pageHeader(state)}${where}:${total ? '' : ' (no text)'}`, side),
      hint: 'Read one element with ref= or selector=.',
      bind: pageBinding(tab),
    });
  },
});
