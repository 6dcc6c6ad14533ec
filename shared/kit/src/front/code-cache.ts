import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import { keepNewest, onceLaterOrAtExit, privateDirectory, writeWhole } from './private-dir.js';

/**
 * Load a CommonJS bundle (a connector's full server) with V8's code cache.
 *
 * The front answers the first requests without the server; the first tool call then pays for
 * compiling the server's ~800 KB and for the functions its start runs (zod building schemas) —
 * a third of a PostgreSQL connector's first result. V8 can keep that work: a code cache made
 * after the server has run holds the bytecode of what ran, and the next start reads it instead
 * of compiling. Node >= 22.1 has a compile cache of its own, but it is made right after compiling,
 * before anything ran, and Node 20 has none; this one is the same on both.
 *
 * A cache is code this process will run, so it is kept where only this user can write: a
 * directory of the user's own under the temporary directory, made private, and not used when
 * it is anything else (another owner, writable by others, a link). The file name holds a hash
 * of the bundle, V8 refuses a cache from another V8 or other V8 flags, and a refused or missing
 * cache is written anew (once, when the process has run for a while or is about to exit; all but
 * the newest few caches of the same bundle name are removed then). Anything wrong with the cache
 * only means compiling as usual. PATCHBAY_NO_CODE_CACHE=1 turns it off, PATCHBAY_CODE_CACHE_DIR
 * moves it, PATCHBAY_LOG_LEVEL=debug says what it did. The bundle is always run this way (cache
 * or not): it expects the parameters below.
 */
export function requireCached(file: string, options: CodeCacheOptions): unknown {
  const env = options.env ?? process.env;
  // Before anything is compiled: V8 refuses a cache made under other flags. (node:v8 is loaded
  // only for them: about a millisecond of the first call.)
  const requireHere = createRequire(file);
  const flags = options.v8Flags ?? [];
  if (flags.length) {
    const { setFlagsFromString } = requireHere('node:v8') as typeof import('node:v8');
    for (const flag of flags) setFlagsFromString(flag);
  }
  const say =
    env.PATCHBAY_LOG_LEVEL === 'debug'
      ? (line: string) => process.stderr.write(`${options.name} debug code cache: ${line}\n`)
      : () => {};
  const bytes = readFileSync(file);
  // esbuild writes ASCII (it escapes the rest): read as Latin-1, which is that without UTF-8's checks.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const dir = privateDirectory(env);
  const prefix = `${options.name}-${process.version}-${process.arch}-`;
  const key = createHash('sha1')
    .update(bytes)
    .update(`\0${flags.join(' ')}`)
    .digest('hex')
    .slice(0, 24);
  const cacheFile = dir ? path.join(dir, `${prefix}${key}.v8`) : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: made below.
  }
  const script = new Script(`(function (${PARAMETERS}) {${source}\n})`, { filename: file, cachedData });
  if (!dir || !cacheFile) say('off');
  else if (cachedData && !script.cachedDataRejected) say(`read ${cacheFile}`);
  else {
    say(cachedData ? `refused by V8: ${cacheFile}` : `none yet: ${cacheFile}`);
    writeLater(script, cacheFile, dir, prefix, say);
  }
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const importer = options.vendor ? vendorImporter(file, options) : importFromHere;
  run.call(module.exports, module.exports, requireHere, module, file, path.dirname(file), importer);
  return module.exports;
}

/**
 * The import() of a bundle that has vendor bundles (see CodeCacheOptions.vendor): a library named
 * there is loaded from its file through the code cache, once; anything else is a real import().
 */
function vendorImporter(file: string, options: CodeCacheOptions): (specifier: string) => Promise<unknown> {
  const vendor = options.vendor ?? {};
  const loaded = new Map<string, Promise<unknown>>();
  return (specifier) => {
    const relative = Object.hasOwn(vendor, specifier) ? vendor[specifier] : undefined;
    if (relative === undefined) return importFromHere(specifier);
    let module = loaded.get(specifier);
    if (!module) {
      const name = `${options.name}+${specifier.replace(/[^\w.-]/g, '_')}`;
      module = new Promise((resolve) =>
        resolve(requireCached(path.join(path.dirname(file), relative), { ...options, name, vendor: undefined })),
      );
      loaded.set(specifier, module);
    }
    return module;
  };
}

/**
 * The bundle's parameters: CommonJS's, and the import() its dynamic imports were rewritten to
 * call at build (scripts/bundle.mjs). A script V8 restored from a cache on Node 20 has lost the
 * callback its own import() needs, and Node 22 warns about the loader that would stand in.
 */
const PARAMETERS = 'exports, require, module, __filename, __dirname, __patchbayImport';

/** import() from this module, compiled by Node itself (its bare specifiers resolve from the bundle's folder too). */
const importFromHere = (specifier: string) => import(specifier);

export interface CodeCacheOptions {
  /** The bundle's owner (`patchbay-postgres`): names its cache files and its debug lines. */
  name: string;
  /**
   * V8 flags the server sets for itself (`--liftoff-only`), set here first: a server that set one
   * while it ran would make every cache it wrote one that V8 refuses on the next start.
   */
  v8Flags?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Libraries the bundle imports that were bundled into files of their own (a connector's
   * `patchbay.vendor`, dist/vendor/*.cjs): specifier → file relative to the bundle. Each loads
   * through a code cache of its own when first imported, so a big client library (puppeteer-core)
   * costs the calls that use it, not the first call of every start.
   */
  vendor?: Readonly<Record<string, string>> | undefined;
}

/** When the cache is written if the process lives on: by then the first calls have run. */
const WRITE_AFTER_MS = 2_000;

/**
 * Write the cache once: after WRITE_AFTER_MS, or at exit if sooner (a session as short as one
 * call still leaves a cache for the next), whole or not at all.
 */
function writeLater(script: Script, cacheFile: string, dir: string, prefix: string, say: (line: string) => void): void {
  onceLaterOrAtExit(WRITE_AFTER_MS, () => {
    try {
      writeWhole(cacheFile, script.createCachedData());
      say(`wrote ${cacheFile}`);
      keepNewest(dir, prefix, '.v8', KEEP_PER_NAME);
    } catch (error) {
      say(`not written: ${(error as Error).message}`);
    }
  });
}

/** Caches kept per bundle name: two installed versions used in turn each keep theirs. */
const KEEP_PER_NAME = 3;
