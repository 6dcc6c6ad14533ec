import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbeddedDefault } from '../registry.js';
import { DEMO_ROLE, DEMO_ROLE_SQL, DEMO_SHOP_SQL } from './demo-shop.js';
import type { WorkerInput, WorkerMessage } from './pglite-worker.js';

/**
 * The statement timeout the demo connection runs with. PGlite accepts `statement_timeout` and
 * does not enforce it, so the watchdog enforces it from outside: a worker that has not answered
 * for this long plus a grace is ended and the database started again from the seed.
 */
export const DEMO_STATEMENT_TIMEOUT_MS = 10_000;
const WATCHDOG_GRACE_MS = 5_000;
const PING_EVERY_MS = 1_000;
/**
 * What PGlite does not do, measured against the PostgreSQL connector's tools: said in the demo's
 * MCP instructions and on the index page, so no one reads a zero as a fact about a database.
 */
export const DEMO_LIMITS =
  'statistics (pg_stat_* counters such as index scans, live and dead rows, and sessions stay at zero), ' +
  'pg_stat_statements (top queries), cancelling a running statement, and writes (the role can only read); ' +
  `a statement that runs past ${DEMO_STATEMENT_TIMEOUT_MS / 1000} s restarts the embedded database`;
/** More restarts than this within a minute and the database stays down, with the reason. */
const MAX_RESTARTS_PER_MINUTE = 3;

export interface EmbeddedDatabaseOptions {
  /** Where the seeded data directory is kept between starts (default: the user's cache folder). */
  cacheDir?: string;
  log?: (line: string) => void;
  statementTimeoutMs?: number;
}

/**
 * PGlite in a worker thread, served on a loopback port, with a watchdog. The first start seeds
 * the demo database (about 5 s) and saves its data directory; later starts load it (about 1 s).
 */
export class EmbeddedDatabase {
  private worker: Worker | undefined;
  private data: Uint8Array | undefined;
  private cacheFile: string | undefined;
  private lastPong = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private restarts: number[] = [];
  private closing = false;
  /** Why the database cannot serve right now (restarting, or down for good), if so. */
  down: string | undefined;
  port = 0;

  constructor(private readonly options: EmbeddedDatabaseOptions = {}) {}

  get url(): string {
    return `postgres://${DEMO_ROLE}@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const cacheFile = path.join(this.options.cacheDir ?? defaultCacheDir(), `postgres-demo-${seedVersion()}.tar`);
    this.data = await readFile(cacheFile).then(
      (buffer) => new Uint8Array(buffer),
      () => undefined,
    );
    const ready = await this.spawn(0);
    this.port = ready.port;
    if (ready.dump) {
      this.data = ready.dump;
      await saveAtomically(cacheFile, ready.dump).catch((error: unknown) =>
        this.options.log?.(`could not keep the demo database in ${cacheFile} (it is seeded again next time): ${String(error)}`),
      );
    }
    this.cacheFile = cacheFile;
    // The saved directory is read again for a restart; holding it would cost its size (~40 MB).
    if (
      await stat(cacheFile).then(
        () => true,
        () => false,
      )
    )
      this.data = undefined;
    this.timer = setInterval(() => this.watch(), PING_EVERY_MS);
    this.timer.unref();
  }

  private spawn(port: number): Promise<{ port: number; dump?: Uint8Array }> {
    const input: WorkerInput = {
      ...(this.data ? { dataDir: this.data } : { seedSql: DEMO_SHOP_SQL + DEMO_ROLE_SQL }),
      role: DEMO_ROLE,
      // The connector's pool (one session in the demo), its cancel connection, and a spare.
      maxConnections: 4,
      port,
    };
    const worker = new Worker(workerFile(), { workerData: input });
    this.worker = worker;
    this.lastPong = Date.now();
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'pong') this.lastPong = Date.now();
        else if (message.type === 'ready') {
          started = true;
          this.lastPong = Date.now();
          resolve({ port: message.port, ...(message.dump ? { dump: message.dump } : {}) });
        } else if (message.type === 'failed') reject(new Error(`the embedded PostgreSQL failed to start: ${message.message}`));
      });
      worker.on('error', (error) => {
        if (!started) reject(error);
        else this.options.log?.(`the embedded PostgreSQL failed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        if (!started) reject(new Error(`the embedded PostgreSQL exited with ${code} while starting`));
        else if (this.worker === worker && !this.closing) void this.restart(`it stopped unexpectedly (exit ${code})`);
      });
    });
  }

  private watch(): void {
    if (!this.worker || this.down) return;
    const silent = Date.now() - this.lastPong;
    const limit = (this.options.statementTimeoutMs ?? DEMO_STATEMENT_TIMEOUT_MS) + WATCHDOG_GRACE_MS;
    if (silent > limit) {
      void this.restart(`a statement ran past the demo's statement timeout (${Math.round(silent / 1000)} s)`);
      return;
    }
    this.worker.postMessage({ type: 'ping' });
  }

  /** End the worker and start another on the same port from the saved data. */
  private async restart(why: string): Promise<void> {
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < 60_000), now];
    const old = this.worker;
    this.worker = undefined;
    // Unavailable (503 with the reason) from this moment, not only once the old worker is gone.
    if (this.restarts.length > MAX_RESTARTS_PER_MINUTE) {
      this.down = `the embedded PostgreSQL stopped ${this.restarts.length} times within a minute (last: ${why}); restart patchbay`;
      this.options.log?.(this.down);
      await old?.terminate().catch(() => undefined);
      return;
    }
    this.down = `the embedded PostgreSQL is restarting: ${why}`;
    this.options.log?.(`${this.down}; its data returns to the demo seed`);
    await old?.terminate().catch(() => undefined);
    try {
      if (!this.data && this.cacheFile) this.data = new Uint8Array(await readFile(this.cacheFile));
      await this.spawn(this.port);
      if (this.cacheFile) this.data = undefined;
      this.down = undefined;
    } catch (error) {
      this.down = `the embedded PostgreSQL could not be restarted: ${error instanceof Error ? error.message : String(error)}`;
      this.options.log?.(this.down);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ type: 'stop' });
    // A worker busy in a statement never reads the stop: terminate ends it anyway.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    await worker.terminate().catch(() => undefined);
  }
}

/** The PostgreSQL connector's default: the embedded demo database, when no database is named. */
export const embeddedPostgres: EmbeddedDefault = {
  mode: 'embedded',
  needed: (first) => first.status === 'missing-credentials',
  async start({ log }) {
    const db = new EmbeddedDatabase({ log: (line) => log(`postgres: ${line}`) });
    await db.start();
    return {
      env: {
        DATABASE_URL: db.url,
        // PGlite has one session; the pool's queries queue on it anyway.
        PATCHBAY_POSTGRES_POOL_SIZE: '1',
        PATCHBAY_POSTGRES_STATEMENT_TIMEOUT: String(DEMO_STATEMENT_TIMEOUT_MS),
      },
      label: 'demo data, not your database',
      note:
        'sandbox data, not your database: an embedded PostgreSQL (PGlite) with a made-up demo shop in schema "shop", ' +
        `read by the read-only role ${DEMO_ROLE}. Not available in the embedded demo: ${DEMO_LIMITS}`,
      close: () => db.close(),
      unavailable: () => db.down,
    };
  },
};

/** The seed's fingerprint: a change to the seed or to PGlite makes a new cache file. */
function seedVersion(): string {
  const pglite = packageVersion('@electric-sql/pglite');
  return createHash('sha256').update(`${pglite}\n${DEMO_SHOP_SQL}\n${DEMO_ROLE_SQL}`).digest('hex').slice(0, 12);
}

/** A package's version, from the package.json above its entry (its exports do not list package.json). */
function packageVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // Not here: one folder up.
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'patchbay');
}

async function saveAtomically(file: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

function workerFile(): URL {
  return new URL('./pglite-worker.js', import.meta.url);
}
