import { ToolError } from '@patchbay/kit';
import { resource, template } from '../kit.js';
import { consoleLine } from '../tools/inspect.js';

export const consoleResource = resource({
  name: 'puppeteer_console',
  title: 'Browser console log',
  description: 'The most recent console messages and page errors of every tab (the last 1000 are kept), newest last.',
  uri: 'puppeteer://console',
  mimeType: 'text/plain',
  async read(uri, ctx) {
    // Newest last, and when too long the oldest go: they matter least.
    const reply = ctx.page({
      key: 'messages',
      items: ctx.services.console.all(),
      keep: 'last',
      joined: true,
      line: (e) => `${new Date(e.time).toISOString()} ${consoleLine(e)}`,
      unit: ['message', 'messages'],
      empty: 'No console messages yet.',
      hint: 'Older messages were left out; puppeteer_console_messages lists them by level and text.',
    });
    return [{ uri: uri.href, mimeType: 'text/plain', text: reply.text }];
  },
});

export const screenshotResources = template({
  name: 'puppeteer_screenshot',
  title: 'Recent screenshots',
  description: 'The last screenshots taken with puppeteer_screenshot (the last 10 are kept).',
  uriTemplate: 'puppeteer://screenshots/{id}',
  list: async (services) =>
    services.screenshots.list().map((s) => ({
      uri: `puppeteer://screenshots/${s.id}`,
      name: s.id,
      title: `${s.width}×${s.height} of ${s.url.slice(0, 100)}`,
      mimeType: s.mimeType,
    })),
  complete: {
    id: async (value, _context, services) =>
      services.screenshots
        .list()
        .map((s) => s.id)
        .filter((id) => id.startsWith(value)),
  },
  async read(uri, variables, { services }) {
    const shot = services.screenshots.get(variables.id ?? '');
    if (!shot) {
      throw new ToolError(`there is no screenshot "${variables.id}"; only the last 10 are kept.`, {
        hint: 'List resources to see which are available.',
      });
    }
    return [{ uri: uri.href, mimeType: shot.mimeType, blob: shot.data }];
  },
});
