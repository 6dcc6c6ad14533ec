import { readmeWithCurrentTables, toolListBytes, toolSurface } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { puppeteerConnector } from '../src/connector.js';
import { connect, README } from './helpers.js';

describe('tool surface', () => {
  it.each([
    ['default', []],
    ['read-only', ['--read-only']],
    ['all', ['--toolsets', 'all', '--allow-evaluate']],
  ])('matches the %s snapshot', async (mode, argv) => {
    const { client, close } = await connect(argv);
    try {
      await expect(await toolSurface(client)).toMatchFileSnapshot(`__snapshots__/tools.${mode}.json`);
    } finally {
      await close();
    }
  });

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

  it('describes every input field and keeps the tool list small', async () => {
    const { client, close } = await connect(['--toolsets', 'all', '--allow-evaluate']);
    try {
      const result = await client.listTools();
      for (const tool of result.tools) {
        expect(tool.title, tool.name).toBeTruthy();
        expect(tool.outputSchema, tool.name).toBeDefined();
        for (const [field, schema] of Object.entries(
          (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>,
        )) {
          expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
        }
      }
      // What the model pays on every conversation for the whole browser.
      expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(25_000);
    } finally {
      await close();
    }
  });

  it('keeps the default tool list under 18 KB', async () => {
    const { client, close } = await connect();
    try {
      expect(await toolListBytes(client)).toBeLessThan(18_000);
    } finally {
      await close();
    }
  });

  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(puppeteerConnector, README);
    expect(actual).toBe(expected);
  });
});
