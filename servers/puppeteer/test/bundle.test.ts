import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// Speed is measured, not asserted; what makes the first browser call cheaper is a property of the build.
describe('the built server', () => {
  it('carries puppeteer-core as a vendor bundle of its own, not in the server and not as a dependency', () => {
    const pkg = JSON.parse(read('package.json')) as {
      dependencies?: Record<string, string>;
      devDependencies: Record<string, string>;
      patchbay: { vendor: string[] };
    };
    expect(pkg.dependencies?.['puppeteer-core']).toBeUndefined();
    expect(pkg.devDependencies['puppeteer-core']).toBeDefined();
    expect(pkg.patchbay.vendor).toEqual(['puppeteer-core']);
    // puppeteer's code is in the vendor file; the server imports it by name, through the loader.
    const marker = 'Target.setAutoAttach';
    expect(read('dist/vendor/puppeteer-core.cjs')).toContain(marker);
    const server = read('dist/main.cjs');
    expect(server).not.toContain(marker);
    expect(server).toContain('__patchbayImport("puppeteer-core")');
    expect(read('dist/index.cjs')).toContain('vendor:{"puppeteer-core":"vendor/puppeteer-core.cjs"}');
    // The library entry (a gateway's) imports the same file.
    expect(read('dist/connector.js')).toContain('import("./vendor/puppeteer-core.cjs")');
  });

  it('gives an ES module importer (the library entry) the named exports the server uses', async () => {
    const vendor = (await import(pathToFileURL(path.join(root, 'dist/vendor/puppeteer-core.cjs')).href)) as Record<
      string,
      unknown
    >;
    expect(typeof vendor.launch).toBe('function');
    expect(typeof vendor.KnownDevices).toBe('object');
    expect(typeof vendor.PredefinedNetworkConditions).toBe('object');
  });
});
