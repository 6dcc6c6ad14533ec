import { badArgument, Deadline, moreSchema, tableLayout } from '@patchbay/kit';
import * as z from 'zod';
import { type Ctx, tool } from '../kit.js';
import { headed, notices } from './common.js';
import { checkTarget, goTo } from './navigate.js';

const tabRow = z.object({ id: z.string(), url: z.string(), title: z.string(), active: z.boolean() });

/** The tabs as the browser process knows them: listing never waits on a page (one may be stuck). */
async function listTabs(ctx: Ctx) {
  const session = await ctx.services.session();
  const active = (await session.active()).id;
  return (await session.describe()).map((t) => ({ ...t, active: t.id === active }));
}

export const tabsTool = tool({
  name: 'puppeteer_tabs',
  title: 'Tabs',
  description:
    'List, open (optionally at a URL), select or close tabs; the other tools act on the selected tab. Returns the tab list.',
  toolset: 'browse',
  access: 'read',
  idempotent: false,
  openWorld: true,
  input: {
    action: z.enum(['list', 'open', 'select', 'close']).default('list').describe('What to do'),
    tab: z
      .string()
      .regex(/^t\d{1,9}$/, 'a tab id looks like t2')
      .optional()
      .describe('Tab id like t2, for select and close'),
    url: z.string().min(1).max(8_192).optional().describe('URL to open the new tab at'),
  },
  output: {
    action: z.string(),
    tabs: z.array(tabRow),
    notices: z.array(z.string()).optional(),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const session = await ctx.services.session();
    let done = 'Tabs:';
    if (args.action === 'open') {
      const url = args.url ? await checkTarget(ctx, args.url) : undefined;
      const deadline = new Deadline(ctx.services.options.navigationTimeout);
      const tab = await session.newTab();
      if (url) await goTo(ctx, tab, url, 'load', deadline);
      done = `Opened tab ${tab.id}${url ? ` at ${tab.url()}` : ''}; it is now the active tab.`;
    } else if (args.action === 'select' || args.action === 'close') {
      if (!args.tab) throw badArgument('tab', `is required for action=${args.action}.`, 'List the tabs with action=list.');
      if (args.action === 'select') {
        await session.select(args.tab);
        done = `Selected tab ${args.tab}.`;
      } else {
        await session.closeTab(args.tab);
        done = `Closed tab ${args.tab}.`;
      }
    } else if (args.tab || args.url) {
      throw badArgument(args.tab ? 'tab' : 'url', 'is only used with action=open, select or close.');
    }
    const tabs = await listTabs(ctx);
    const side = notices(ctx);
    const row = (t: (typeof tabs)[number]) => [t.active ? '*' : '', t.id, t.title, t.url];
    const table = tableLayout(['', 'tab', 'title', 'url'], tabs.map(row), 100);
    // No cursor: this tool opens and closes tabs, so calling it again is not how to read on.
    return ctx.page({
      key: 'tabs',
      items: tabs,
      fields: { action: args.action, ...side },
      head: (shown) => headed(done, side) + (shown.length ? `\n${table.head}` : ''),
      line: (t) => table.line(row(t)),
      unit: ['tab', 'tabs'],
      empty: 'No tabs are open.',
      hint: 'Close the tabs no longer needed.',
    });
  },
});
