import { byteLength, defineResource, defineResourceTemplate, ToolError } from '@patchbay/kit';
import type { BrowserServices } from '../client.js';

export const consoleResource = defineResource<BrowserServices>({
  name: 'puppeteer_console',
  title: 'Browser console log',
  description: 'The most recent console messages and page errors of every tab (the last 1000 are kept), newest last.',
  uri: 'puppeteer://console',
  mimeType: 'text/plain',
  async read(uri, { services, budget }) {
    const lines = services.console
      .all()
      .map((e) => `${new Date(e.time).toISOString()} [${e.tab} ${e.level}] ${e.text}${e.location ? ` (${e.location})` : ''}`);
    // Newest last, and when too long the oldest go: they matter least.
    const meter = budget.meter(512);
    let start = lines.length;
    while (start > 0 && meter.fits(byteLength(lines[start - 1] as string) + 1)) start--;
    const head = start > 0 ? [`… ${start} older messages not shown`] : [];
    const text = lines.length ? [...head, ...lines.slice(start)].join('\n') : 'No console messages yet.';
    return [{ uri: uri.href, mimeType: 'text/plain', text }];
  },
});

export const screenshotResources = defineResourceTemplate<BrowserServices>({
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
