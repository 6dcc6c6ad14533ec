import { createRequire } from 'node:module';
import type Cursor from 'pg-cursor';

/**
 * The heavy libraries — pg, pg-cursor and the SQL parser — loaded in the background once a client
 * has connected (see `warmUp`), or by the first call that needs them; never at startup, which
 * stays as fast as a bare server's.
 */

/** CommonJS libraries are required, not imported: faster to load, and no ESM wrapper to go through. */
export const requireCjs = createRequire(import.meta.url);

/**
 * pg and pg-cursor are bundled into the server (devDependencies, so scripts/bundle.mjs inlines
 * them): their code then comes from V8's code cache with the rest of dist/main.cjs. Required from
 * node_modules they cost the first call 13 ms (Node 22) to 21 ms (Node 20) of finding, reading and
 * compiling two dozen files, before it could reach the database. esbuild bundles what a plain
 * `require('pg')` names; run from source (the tests) there may be no `require`, and `requireCjs`
 * loads them from node_modules instead. libpg-query stays a dependency: its WebAssembly is a file.
 */
declare const require: NodeJS.Require | undefined;

let pgModule: Promise<typeof import('pg')> | undefined;
/**
 * pg is required synchronously with a stand-in `navigator`: pg probes for Cloudflare Workers by touching
 * the global `Response`, which on Node 20 (no `navigator` there) loads the whole fetch stack —
 * half of pg's load time and 5 MB this server never uses. Synchronous, so nothing else can see
 * the stand-in; Node 21+ has a real `navigator` and is left alone.
 */
export function loadPg(): Promise<typeof import('pg')> {
  pgModule ??= new Promise((resolve) => {
    const standIn = !('navigator' in globalThis);
    if (standIn) Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true });
    try {
      resolve((typeof require === 'function' ? require('pg') : requireCjs('pg')) as typeof import('pg'));
    } finally {
      if (standIn) Reflect.deleteProperty(globalThis, 'navigator');
    }
  });
  return pgModule;
}

let cursorModule: Promise<typeof Cursor> | undefined;
/** pg-cursor, after pg (whose internals it requires). */
export function loadCursor(): Promise<typeof Cursor> {
  cursorModule ??= loadPg().then(
    () => (typeof require === 'function' ? require('pg-cursor') : requireCjs('pg-cursor')) as typeof Cursor,
  );
  return cursorModule;
}

let parser: Promise<typeof import('libpg-query')> | undefined;
/**
 * libpg-query (a WebAssembly module), given one statement to parse once loaded: the first parse
 * is when its code first runs (~10 ms), paid here rather than by a call. V8 would recompile the parser's hot functions with
 * its optimising compiler, which costs ~30 MB of memory for a parse that takes microseconds
 * either way; the baseline compiler alone keeps the server's memory low: the connector declares
 * `--liftoff-only` (its `v8Flags`, set by the kit when it loads, process-wide; this process runs no
 * other WebAssembly). Its CommonJS build loads in half the time of the ESM one.
 */
export function loadParser(): Promise<typeof import('libpg-query')> {
  parser ??= (async () => {
    // A turn of the event loop first: the first call asks for its database session just before
    // (prepare), and that connection is then on its way while the parser loads, not after it.
    await new Promise((resolve) => setImmediate(resolve));
    const module = requireCjs('libpg-query') as typeof import('libpg-query');
    await module.loadModule();
    await module.parse('SELECT 1 FROM t WHERE a = $1');
    return module;
  })().catch((error: unknown) => {
    parser = undefined; // the next SQL tries again
    throw error;
  });
  return parser;
}

/** Load everything a first call needs, one library at a time so a request can slip in between. */
export async function warmUp(): Promise<void> {
  const pause = () => new Promise((resolve) => setImmediate(resolve));
  await loadPg();
  await pause();
  await loadCursor();
  await pause();
  await loadParser();
}
