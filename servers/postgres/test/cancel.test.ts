import { randomBytes } from 'node:crypto';
import { callError, connectStdio } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, connect, createTestDatabase, eventually, NO_DATABASE, runningWith, type TestDatabase } from './helpers.js';

/**
 * The reference server left a pg_sleep running after the client gave up and after the server
 * died. Here a cancel, a timeout, a shutdown and a killed server each end the query in the
 * database: nothing is left in pg_stat_activity.
 */
describe.skipIf(NO_DATABASE)('queries end in the database when the call ends', () => {
  let db: TestDatabase;
  const marker = () => `sleep_marker_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('cancel');
  });
  afterAll(() => db?.drop());

  it('a client-side cancel cancels the query in the database', async () => {
    const { client, close, services } = await connect([db.url]);
    const tag = marker();
    const controller = new AbortController();
    const pending = client.callTool({ name: 'postgres_query', arguments: { sql: `SELECT pg_sleep(30) AS ${tag}` } }, undefined, {
      signal: controller.signal,
    });
    pending.catch(() => undefined);
    await eventually(async () => (await runningWith(db, tag)) === 1, 8_000, 'the query to start');
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(async () => (await runningWith(db, tag)) === 0, 5_000, 'the query to be cancelled');
    expect(services.metrics.cancels).toBeGreaterThanOrEqual(1);
    await close();
  });

  it('the statement timeout cancels the query in the database and says so', async () => {
    const { client, close } = await connect([db.url, '--statement-timeout', '800']);
    const tag = marker();
    const text = await callError(client, 'postgres_query', { sql: `SELECT pg_sleep(30) AS ${tag}` });
    expect(text).toMatch(/ran longer than the statement timeout \(800 ms\) and was cancelled in the database/);
    expect(await runningWith(db, tag)).toBe(0);
    await close();
  });

  it('a server killed mid-query leaves nothing running in the database', async () => {
    const server = await connectStdio(BIN, [db.url, '--statement-timeout', '60000']);
    const tag = marker();
    const pending = server.client.callTool({ name: 'postgres_query', arguments: { sql: `SELECT pg_sleep(60) AS ${tag}` } });
    pending.catch(() => undefined);
    await eventually(async () => (await runningWith(db, tag)) === 1, 10_000, 'the query to start');
    process.kill(server.pid as number, 'SIGKILL');
    // The backend notices its client is gone (client_connection_check_interval) and ends the query.
    await eventually(async () => (await runningWith(db, tag)) === 0, 8_000, 'the orphaned query to end');
    await server.close().catch(() => undefined);
  });

  it('a server shut down mid-query (stdin closed) cancels the query first', async () => {
    const server = await connectStdio(BIN, [db.url, '--statement-timeout', '60000']);
    const tag = marker();
    const pending = server.client.callTool({ name: 'postgres_query', arguments: { sql: `SELECT pg_sleep(60) AS ${tag}` } });
    pending.catch(() => undefined);
    await eventually(async () => (await runningWith(db, tag)) === 1, 10_000, 'the query to start');
    await server.close();
    await eventually(async () => (await runningWith(db, tag)) === 0, 5_000, 'the query to be cancelled at shutdown');
  });
});
