/**
 * The embedded PostgreSQL, in a worker thread of its own: PGlite (PostgreSQL compiled to
 * WebAssembly) served over the PostgreSQL wire protocol on a loopback port, so the real `pg`
 * driver, the SQL guard and every tool of the PostgreSQL connector run against it unchanged.
 *
 * Why a worker: PGlite runs each statement to completion on the thread that owns it, and it has
 * no timer to end one early (`statement_timeout` is accepted and not enforced). On the gateway's
 * thread one slow query would stall every connector; here it stalls only this thread, and the
 * gateway's watchdog can end the thread (`worker.terminate()` stops a busy WebAssembly loop too)
 * and start the database again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface WorkerInput {
  /** A data directory saved by an earlier start (`dumpDataDir`), or none to start empty. */
  dataDir?: Uint8Array | undefined;
  /** SQL run once after an empty start (the demo data); the result is handed back to be saved. */
  seedSql?: string | undefined;
  /** The role every session runs as (`SET ROLE`), so the connector's role check sees a reader. */
  role?: string | undefined;
  /** Most client connections at once (pglite-socket queues them onto PGlite's one session). */
  maxConnections: number;
  /** Listen here (a restart keeps the port the connector's pool knows); 0 picks one. */
  port: number;
}

export type WorkerMessage =
  | { type: 'ready'; port: number; dump?: Uint8Array }
  | { type: 'pong' }
  | { type: 'failed'; message: string };

const input = workerData as WorkerInput;
const channel = parentPort;
if (!channel) throw new Error('pglite-worker must run in a worker thread');

try {
  // 16 MB of shared buffers instead of 128: the demo's tables are under 2 MB, and the buffers are
  // resident memory of the gateway (measured: 403 → 345 MiB for PGlite after a query).
  const settings = { postgresqlconf: 'shared_buffers = 16MB' };
  const db = input.dataDir
    ? await PGlite.create({ ...settings, loadDataDir: new Blob([input.dataDir as Uint8Array<ArrayBuffer>]) })
    : await PGlite.create(settings);
  let dump: Uint8Array | undefined;
  if (!input.dataDir && input.seedSql) {
    await db.exec(input.seedSql);
    await db.exec('CHECKPOINT');
    dump = new Uint8Array(await ((await db.dumpDataDir('none')) as Blob).arrayBuffer());
  }
  // PGlite has one backend and ignores the user a client names: the role is set on it, here.
  if (input.role) await db.exec(`SET ROLE ${input.role}`);
  const server = new PGLiteSocketServer({ db, port: input.port, host: '127.0.0.1', maxConnections: input.maxConnections });
  await server.start();
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  channel.postMessage({ type: 'ready', port: address.port, ...(dump ? { dump } : {}) } satisfies WorkerMessage);
  channel.on('message', async (message: { type: string }) => {
    // The watchdog's ping: unanswered while a statement runs, since PGlite runs it on this thread.
    if (message.type === 'ping') channel.postMessage({ type: 'pong' } satisfies WorkerMessage);
    if (message.type !== 'stop') return;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    channel.close();
  });
} catch (error) {
  channel.postMessage({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
  } satisfies WorkerMessage);
}
