import { describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { puppeteerConnector } from '../src/connector.js';
import { BIN, connect, README } from './helpers.js';

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json. `all` allows evaluate, so puppeteer_evaluate shows.
 */
describeSurface({
  connector: puppeteerConnector,
  connect: (argv) => connect(argv),
  bin: BIN,
  modes: {
    default: [],
    'read-only': ['--read-only'],
    all: ['--toolsets', 'all', '--allow-evaluate'],
  },
  // What the model pays on every conversation: by default, and for the whole browser.
  maxListBytes: { default: 18_000, all: 25_000 },
});

describe('puppeteer tool selection', () => {
  it('hides every tool that can change a page under --read-only', async () => {
    const { client, close } = await connect(['--read-only', '--toolsets', 'all', '--allow-evaluate']);
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const hidden of [
        'puppeteer_click',
        'puppeteer_type',
        'puppeteer_select_option',
        'puppeteer_press_key',
        'puppeteer_evaluate',
      ]) {
        expect(names).not.toContain(hidden);
      }
      expect(names).toContain('puppeteer_snapshot');
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    } finally {
      await close();
    }
  });

  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(puppeteerConnector, README);
    expect(actual).toBe(expected);
  });
});
