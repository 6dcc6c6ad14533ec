import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LOADER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/front/code-cache.js');

let root: string;
let bundle: string;

/**
 * A bundle as scripts/bundle.mjs makes them: CommonJS whose dynamic imports call __patchbayImport.
 * `flag` makes it set a V8 flag of its own while it runs, as a server loading WebAssembly may.
 */
function writeBundle(version: number, flag?: string) {
  writeFileSync(
    bundle,
    [
      `exports.version = ${version};`,
      "exports.separator = () => __patchbayImport('node:path').then((m) => m.sep);",
      flag ? `require('node:v8').setFlagsFromString(${JSON.stringify(flag)});` : '',
    ].join('\n'),
  );
}

/** Load the bundle in a process of its own (a cache is written at exit): what it printed and said. */
function load(env: Record<string, string> = {}, v8Flags: string[] = []) {
  const script = [
    `import { requireCached } from ${JSON.stringify(LOADER)};`,
    `const m = requireCached(${JSON.stringify(bundle)}, { name: 'patchbay-test', v8Flags: ${JSON.stringify(v8Flags)} });`,
    'console.log(m.version, await m.separator());',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: path.join(root, 'cache'), ...env },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  const said = r.stderr
    .split('\n')
    .filter((line) => line.startsWith('patchbay-test debug code cache: '))
    .map((line) => line.slice('patchbay-test debug code cache: '.length).replace(/ .*/, ''));
  return { printed: r.stdout.trim(), said: said.join(', ') };
}

const caches = () => readdirSync(path.join(root, 'cache')).filter((name) => name.endsWith('.v8'));

describe('requireCached: the full server through V8’s code cache', () => {
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'patchbay-code-cache-test-'));
    bundle = path.join(root, 'main.cjs');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes a cache on the first start and reads it on the next, dynamic imports working either way', () => {
    writeBundle(1);
    expect(load()).toEqual({ printed: `1 ${path.sep}`, said: 'none, wrote' });
    expect(caches()).toHaveLength(1);
    // Node 20 restores a script from a cache without what its own import() needs: the loader's serves it.
    expect(load()).toEqual({ printed: `1 ${path.sep}`, said: 'read' });
  });

  it('keys the cache by the bundle’s content: a rebuilt bundle is compiled afresh', () => {
    writeBundle(2);
    expect(load()).toEqual({ printed: `2 ${path.sep}`, said: 'none, wrote' });
    expect(load().said).toBe('read');
  });

  it('keeps the newest three caches of one name (two installed versions used in turn keep theirs)', () => {
    for (const version of [3, 4, 5, 6]) {
      writeBundle(version);
      load();
    }
    expect(caches()).toHaveLength(3);
    writeBundle(6);
    expect(load().said).toBe('read');
  });

  it('sets the declared V8 flags before compiling, so that the cache stays valid', () => {
    // A bundle that changes a flag while it runs writes a cache V8 refuses on the next start…
    writeBundle(7, '--liftoff-only');
    expect(load().said).toBe('none, wrote');
    expect(load().said).toBe('refused, wrote');
    // …declared, the flag is set first and the cache is read.
    writeBundle(8, '--liftoff-only');
    expect(load({}, ['--liftoff-only']).said).toBe('none, wrote');
    expect(load({}, ['--liftoff-only'])).toEqual({ printed: `8 ${path.sep}`, said: 'read' });
  });

  it('uses no directory another user could write to, and can be turned off', () => {
    writeBundle(9);
    const shared = path.join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(load({ PATCHBAY_CODE_CACHE_DIR: shared })).toEqual({ printed: `9 ${path.sep}`, said: 'off' });
    const linked = path.join(root, 'linked');
    symlinkSync(path.join(root, 'cache'), linked);
    expect(load({ PATCHBAY_CODE_CACHE_DIR: linked }).said).toBe('off');
    expect(load({ PATCHBAY_NO_CODE_CACHE: '1' })).toEqual({ printed: `9 ${path.sep}`, said: 'off' });
    expect(readdirSync(shared)).toEqual([]);
  });

  it('makes its directory private when it creates it', () => {
    writeBundle(10);
    const fresh = path.join(root, 'fresh');
    expect(load({ PATCHBAY_CODE_CACHE_DIR: fresh }).said).toBe('none, wrote');
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(load({ PATCHBAY_CODE_CACHE_DIR: fresh }).said).toBe('read');
  });

  it('compiles as usual when a cache is damaged', () => {
    writeBundle(11);
    load();
    for (const file of caches().map((name) => path.join(root, 'cache', name))) {
      writeFileSync(file, Buffer.from('not a code cache'));
      utimesSync(file, new Date(), new Date());
    }
    expect(load()).toEqual({ printed: `11 ${path.sep}`, said: 'refused, wrote' });
    expect(load().said).toBe('read');
  });
});

describe('requireCached: vendor bundles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patchbay-vendor-test-'));
    mkdirSync(path.join(dir, 'vendor'));
    // A server that imports a library bundled on its own (dist/vendor), and a real built-in.
    writeFileSync(
      path.join(dir, 'main.cjs'),
      [
        "exports.run = async () => { const a = await __patchbayImport('big-lib'); const b = await __patchbayImport('big-lib');",
        "  const sep = (await __patchbayImport('node:path')).sep; return [a.answer, a === b, a.loads, sep].join(' '); };",
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'vendor', 'big-lib.cjs'),
      "globalThis.bigLibLoads = (globalThis.bigLibLoads ?? 0) + 1; exports.answer = 42; exports.loads = globalThis.bigLibLoads;",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Run main.cjs's `run` in a process of its own: what it printed, and what each cache said. */
  function run() {
    const script = [
      `import { requireCached } from ${JSON.stringify(LOADER)};`,
      `const m = requireCached(${JSON.stringify(path.join(dir, 'main.cjs'))}, { name: 'patchbay-test', vendor: { 'big-lib': 'vendor/big-lib.cjs' } });`,
      'console.log(await m.run());',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: path.join(dir, 'cache') },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const said = (name: string) =>
      r.stderr
        .split('\n')
        .filter((line) => line.startsWith(`${name} debug code cache: `))
        .map((line) => line.slice(`${name} debug code cache: `.length).replace(/ .*/, ''))
        .join(', ');
    return { printed: r.stdout.trim(), server: said('patchbay-test'), vendor: said('patchbay-test+big-lib') };
  }

  it('loads a vendor library from its file, once, through a cache of its own; other imports stay real imports', () => {
    expect(run()).toEqual({ printed: `42 true 1 ${path.sep}`, server: 'none, wrote', vendor: 'none, wrote' });
    expect(run()).toEqual({ printed: `42 true 1 ${path.sep}`, server: 'read', vendor: 'read' });
    const names = readdirSync(path.join(dir, 'cache'));
    expect(names.filter((name) => name.startsWith('patchbay-test+big-lib-'))).toHaveLength(1);
  });
});
