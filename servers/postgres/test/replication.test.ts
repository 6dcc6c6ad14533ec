import { callOk, startThrowawayCluster, type TestServer } from '@patchbay/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, NO_DATABASE } from './helpers.js';

type Any = Record<string, any>;

/**
 * A primary and a hot standby streaming from it, started for this file alone: replication slots
 * and server settings are the whole cluster's, and the other files compare them before and after
 * their attacks.
 */
describe.skipIf(NO_DATABASE)('postgres_check_replication and hidden settings on a primary with a standby', () => {
  let cluster: TestServer | string;
  const sql = async <T = Any>(url: string, text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    try {
      cluster = await startThrowawayCluster({ standby: true });
    } catch (error) {
      cluster = error instanceof Error ? error.message : String(error);
      process.stderr.write(`\n[postgres tests] replication tests SKIPPED: ${cluster}\n\n`);
      return;
    }
    const primary = cluster.adminUrl;
    await sql(primary, "SELECT pg_create_physical_replication_slot('idle_slot', true)");
    await sql(primary, 'CREATE TABLE filler AS SELECT g FROM generate_series(1, 50000) g');
    await sql(primary, "ALTER SYSTEM SET archive_command = 'aws s3 cp %p s3://bucket/ --secret-key s3cr3t-k3y'");
    await sql(primary, 'SELECT pg_reload_conf()');
    await eventually(
      async () => (await sql<{ archive_command: string }>(primary, 'SHOW archive_command'))[0]?.archive_command !== '',
      20_000,
      'the reloaded configuration',
    );
    // The standby has replayed everything the primary wrote.
    await eventually(
      async () =>
        (
          await sql<{ caught_up: boolean }>(
            primary,
            'SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) AS caught_up FROM pg_stat_replication',
          )
        )[0]?.caught_up === true,
      30_000,
      'the standby to catch up',
    );
  }, 180_000);
  afterAll(async () => {
    if (typeof cluster === 'object') await cluster.stop();
  });

  it('on the primary: the standby streaming from it, and the slots, inactive first with the WAL they keep', async (context) => {
    if (typeof cluster !== 'object') return context.skip();
    const { client, close } = await connect([cluster.adminUrl, '--toolsets', 'health']);
    const result = await callOk<Any>(client, 'postgres_check_replication');
    await close();
    expect(result.data.role).toBe('primary');
    expect(result.data.receiver).toBeUndefined();
    expect(result.data.standbys).toEqual([
      expect.objectContaining({ client: '127.0.0.1', state: 'streaming', sync_state: 'async', lag_bytes: expect.any(Number) }),
    ]);
    expect(result.data.slots).toEqual([
      expect.objectContaining({ name: 'idle_slot', type: 'physical', active: false, wal_status: 'reserved' }),
      expect.objectContaining({ name: 'patchbay_standby', type: 'physical', active: true }),
    ]);
    // The idle slot was made before the table was filled: it keeps that WAL.
    expect(result.data.slots[0].retained_bytes).toBeGreaterThan(1024 * 1024);
    expect(result.text).toMatch(/^This server is a primary \(not in recovery\)\.\nstandbys streaming from this server:/);
    expect(result.text).toMatch(/idle_slot +physical +NO +reserved +\d/);
  });

  it('on the standby: the stream it receives, without the connection string', async (context) => {
    if (typeof cluster !== 'object' || !cluster.standbyUrl) return context.skip();
    const { client, close } = await connect([cluster.standbyUrl, '--toolsets', 'health']);
    const result = await callOk<Any>(client, 'postgres_check_replication');
    await close();
    const primaryPort = new URL(cluster.adminUrl).port;
    expect(result.data.role).toBe('standby');
    expect(result.data.receiver).toMatchObject({
      status: 'streaming',
      sender: `127.0.0.1:${primaryPort}`,
      slot: 'patchbay_standby',
    });
    expect(result.data.standbys).toEqual([]);
    expect(result.text).toMatch(
      /^This server is a standby.*\nReceiving WAL: streaming from 127\.0\.0\.1:\d+ through slot patchbay_standby/,
    );
    expect(JSON.stringify(result.raw)).not.toMatch(/conninfo|user=postgres/);
  });

  it('hides the value of a setting that can hold credentials', async (context) => {
    if (typeof cluster !== 'object') return context.skip();
    const { client, close } = await connect([cluster.adminUrl, '--toolsets', 'catalog']);
    const result = await callOk<Any>(client, 'postgres_list_settings');
    await close();
    const archive = result.data.settings.find((s: Any) => s.name === 'archive_command');
    expect(archive).toMatchObject({
      value: '(set; hidden: it can hold credentials)',
      source: expect.stringMatching(/postgresql\.auto\.conf:\d+$/),
    });
    expect(JSON.stringify(result.raw)).not.toMatch(/s3cr3t/);
  });
});
