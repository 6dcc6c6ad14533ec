import { tmpdir } from 'node:os';
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
    // Uploads and saved sessions are offered only with a folder for each.
    all: ['--toolsets', 'all', '--allow-evaluate', '--upload-dir', tmpdir(), '--storage-dir', tmpdir()],
  },
  // What the model pays on every conversation: by default, and for the whole browser.
  // puppeteer_handle_dialog joined the default list (a dialog waits for it); the rest are opt-in.
  maxListBytes: { default: 19_500, all: 38_000 },
});

describe('puppeteer tool selection', () => {
  it('hides every tool that can change a page under --read-only', async () => {
    const { client, close } = await connect([
      '--read-only',
      '--toolsets',
      'all',
      '--allow-evaluate',
      '--upload-dir',
      tmpdir(),
      '--storage-dir',
      tmpdir(),
    ]);
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const hidden of [
        'puppeteer_click',
        'puppeteer_type',
        'puppeteer_select_option',
        'puppeteer_press_key',
        'puppeteer_evaluate',
        'puppeteer_fill_form',
        'puppeteer_drag',
        'puppeteer_handle_dialog',
        'puppeteer_upload_file',
        'puppeteer_storage_state',
      ]) {
        expect(names).not.toContain(hidden);
      }
      expect(names).toContain('puppeteer_snapshot');
      expect(names).toContain('puppeteer_resize');
      expect(names).toContain('puppeteer_performance_trace');
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
