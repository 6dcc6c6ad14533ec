import { callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, eventually, NO_DATABASE, seedShop, type TestDatabase } from './helpers.js';

type Any = Record<string, any>;

describe.skipIf(NO_DATABASE)('health toolset', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('health');
    await seedShop(db);
  });
  afterAll(() => db?.drop());

  const health = () => connect([db.url, '--toolsets', 'health']);
  const pidOf = async (session: Awaited<ReturnType<TestDatabase['session']>>) =>
    (await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;

  it('is opt-in: not offered by default', async () => {
    const { client, close } = await connect([db.url]);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('postgres_check_health');
    await close();
  });

  it('lists running queries, who blocks them, and connection use; and the locks behind it', async () => {
    const holder = await db.session();
    const waiter = await db.session();
    const [holderPid, waiterPid] = [await pidOf(holder), await pidOf(waiter)];
    await holder.query('BEGIN; LOCK TABLE shop.orders IN ACCESS EXCLUSIVE MODE; SELECT pg_advisory_lock(4242)');
    const waiting = waiter.query('SELECT count(*) FROM shop.orders /* waiting-marker */').catch(() => undefined);
    await eventually(
      async () =>
        (
          await db.sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
            [waiterPid],
          )
        )[0]?.n === 1,
      5_000,
      'the waiter to block',
    );
    const { client, close } = await health();
    try {
      const activity = await callOk<Any>(client, 'postgres_list_activity');
      const waiterRow = activity.data.sessions.find((s: Any) => s.pid === waiterPid);
      expect(waiterRow).toMatchObject({ state: 'active', wait: expect.stringMatching(/^Lock:/), blocked_by: [holderPid] });
      expect(waiterRow.query).toContain('waiting-marker');
      const holderRow = activity.data.sessions.find((s: Any) => s.pid === holderPid);
      expect(holderRow.state).toBe('idle in transaction');
      expect(holderRow.transaction_seconds).toBeGreaterThanOrEqual(0);
      expect(activity.data.connections.used).toBeGreaterThanOrEqual(3);
      expect(activity.data.connections.max).toBeGreaterThan(0);
      expect(activity.text).toMatch(/^connections: \d+ of \d+ \(/);
      const old = await callOk<Any>(client, 'postgres_list_activity', { min_seconds: 3_600 });
      expect(old.data.sessions).toEqual([]);

      const locks = await callOk<Any>(client, 'postgres_list_locks');
      expect(locks.data.blocked).toContainEqual(
        expect.objectContaining({ pid: waiterPid, blocking_pid: holderPid, blocking_state: 'idle in transaction' }),
      );
      expect(locks.data.locks).toContainEqual(
        expect.objectContaining({
          pid: holderPid,
          type: 'relation',
          mode: 'AccessExclusiveLock',
          granted: true,
          relation: 'shop.orders',
        }),
      );
      expect(locks.data.locks).toContainEqual(
        expect.objectContaining({ pid: waiterPid, type: 'relation', granted: false, relation: 'shop.orders' }),
      );
      expect(locks.data.locks).toContainEqual(expect.objectContaining({ pid: holderPid, type: 'advisory', granted: true }));
      expect(locks.text).toMatch(/^blocked sessions:/);
    } finally {
      await holder.query('ROLLBACK; SELECT pg_advisory_unlock_all()');
      await waiting;
      await close();
    }
  });

  it("masks the password in another session's ALTER ROLE … PASSWORD when listing activity", async () => {
    const role = `pb_activity_${db.name.slice(-8)}`;
    const secret = `pb-plain-${db.name.slice(-8)}`;
    const other = await db.session();
    const { client, close } = await health();
    try {
      await db.sql(`CREATE ROLE ${role}`);
      const pid = await pidOf(other);
      // The last query of an idle session stays in pg_stat_activity.
      await other.query(`ALTER ROLE ${role} WITH ENCRYPTED PASSWORD '${secret}' VALID UNTIL 'infinity'`);
      const activity = await callOk<Any>(client, 'postgres_list_activity', { include_idle: true });
      const row = activity.data.sessions.find((s: Any) => s.pid === pid);
      expect(row?.query).toBe(`ALTER ROLE ${role} WITH ENCRYPTED PASSWORD '***' VALID UNTIL 'infinity'`);
      expect(activity.text).not.toContain(secret);
      expect(JSON.stringify(activity.data)).not.toContain(secret);
    } finally {
      await other.end();
      await close();
      await db.sql(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('checks health and reports an invalid index', async () => {
    await db.sql('CREATE TABLE dup (x int); INSERT INTO dup VALUES (1), (1)');
    await db.sql('CREATE UNIQUE INDEX CONCURRENTLY dup_x_unique ON dup (x)').catch(() => undefined);
    const { client, close } = await health();
    const result = await callOk<{ checks: Array<{ check: string; status: string; detail: string }> }>(
      client,
      'postgres_check_health',
    );
    const byName = Object.fromEntries(result.data.checks.map((c) => [c.check, c]));
    expect(Object.keys(byName)).toEqual([
      'read-only',
      'connections',
      'cache hit ratio',
      'transaction ID wraparound',
      'long transactions',
      'idle in transaction',
      'invalid indexes',
      'vacuum',
      'replication slots',
      'pg_stat_statements',
    ]);
    expect(byName['invalid indexes']).toMatchObject({ status: 'warning', detail: expect.stringMatching(/^1 invalid indexes/) });
    expect(byName.connections?.status).toBe('ok');
    // The test connects as a superuser: reads log in as the server's own read role.
    expect(byName['read-only']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/runs as "patchbay_readonly"/) });
    expect(result.text).toMatch(/^WARNING {2}invalid indexes: 1 invalid indexes/m);
    await close();
  });

  it('finds invalid, unused and duplicate indexes', async () => {
    await db.sql(
      'CREATE INDEX orders_product_a ON shop.orders (product_id); CREATE INDEX orders_product_b ON shop.orders (product_id)',
    );
    const { client, close } = await health();
    const result = await callOk<Any>(client, 'postgres_check_indexes');
    expect(result.data.invalid).toContainEqual(expect.objectContaining({ index: 'dup_x_unique', table: 'dup' }));
    expect(result.data.duplicates).toContainEqual(
      expect.objectContaining({ indexes: ['shop.orders_product_a', 'shop.orders_product_b'], table: 'shop.orders' }),
    );
    expect(result.data.unused.map((u: Any) => u.index)).toEqual(
      expect.arrayContaining(['shop.orders_product_a', 'shop.orders_product_b']),
    );
    // Primary keys and unique indexes are never called unused.
    expect(result.data.unused.map((u: Any) => u.index)).not.toContain('shop.orders_pkey');
    expect(result.text).toContain('shop.orders_product_a = shop.orders_product_b on shop.orders');
    await close();
  });

  it('reports dead rows, estimated bloat and whether vacuum is due', async () => {
    await db.sql(
      'CREATE TABLE churn AS SELECT g AS id, repeat($$x$$, 50) AS pad FROM generate_series(1, 2000) g; ALTER TABLE churn SET (autovacuum_enabled = off); ANALYZE churn',
    );
    await db.sql('DELETE FROM churn WHERE id > 500');
    await db.sql('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    const { client, close } = await health();
    let churn: Any | undefined;
    await eventually(
      async () => {
        const result = await callOk<Any>(client, 'postgres_check_vacuum', { schema: 'public' });
        churn = result.data.tables.find((t: Any) => t.table === 'public.churn');
        return churn?.dead_rows === 1500;
      },
      10_000,
      'dead rows to show in statistics',
    );
    expect(churn).toMatchObject({ dead_rows: 1500, vacuum_due: true });
    expect(churn?.bytes).toBeGreaterThan(0);
    expect(churn?.last_analyze).toBeTruthy();
    expect(typeof churn?.xid_age).toBe('number');
    await close();
  });

  it('lists top queries from pg_stat_statements, and says plainly when it is unavailable', async () => {
    const { client, close } = await health();
    const missing = await callOk<Any>(client, 'postgres_list_top_queries');
    expect(missing.data).toMatchObject({ available: false, queries: [] });
    expect(missing.text).toMatch(
      /pg_stat_statements is not installed in this database\. A superuser enables it with CREATE EXTENSION pg_stat_statements/,
    );

    const preload =
      (await db.sql<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries'))[0]?.shared_preload_libraries ?? '';
    await db.sql('CREATE EXTENSION pg_stat_statements');
    const after = await callOk<Any>(client, 'postgres_list_top_queries', { sort_by: 'calls', limit: 5 });
    if (preload.includes('pg_stat_statements')) {
      for (let i = 0; i < 3; i++) await db.sql('SELECT count(*) FROM shop.orders WHERE quantity > $1', [i]);
      const top = await callOk<Any>(client, 'postgres_list_top_queries', { sort_by: 'calls', limit: 50 });
      expect(top.data.available).toBe(true);
      expect(top.data.queries.some((q: Any) => /FROM shop\.orders WHERE quantity > \$1/.test(q.query) && q.calls >= 3)).toBe(
        true,
      );
      expect(after.data.available).toBe(true);
    } else {
      // A server without the library preloaded (PATCHBAY_TEST_DATABASE_URL pointing elsewhere).
      expect(after.data).toMatchObject({ available: false });
      expect(after.text).toMatch(/installed but not loaded: add it to shared_preload_libraries/);
    }
    await close();
  });
});
