import { callOk, startThrowawayCluster } from '@patchbay/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, connect, createTestDatabase, NO_DATABASE, type TestDatabase } from './helpers.js';

interface Workload {
  available: boolean;
  reason?: string;
  hypopg: boolean;
  hypopg_note?: string;
  workload_cost?: number;
  workload_cost_with_advice?: number;
  budget_bytes?: number;
  used_bytes?: number;
  stopped?: string;
  recommended: Array<{
    create: string;
    table: string;
    bytes: number;
    gain_percent: number;
    statements: number[];
    table_writes?: string;
  }>;
  over_budget: Array<{ create: string; bytes: number }>;
  candidates: number;
  statements: Array<{ n: number; query: string; calls: number; cost?: number; cost_with_advice?: number; skipped?: string }>;
  system_statements: number;
}

interface Server {
  adminUrl: string;
  stop(): Promise<void>;
}

async function preloads(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
    return (rows[0]?.shared_preload_libraries ?? '').includes('pg_stat_statements');
  } finally {
    await client.end();
  }
}

/**
 * A server whose shared_preload_libraries has pg_stat_statements (`loaded`) or not: the run's
 * server when it is so, else a throwaway cluster started for this file.
 */
async function serverWith(loaded: boolean): Promise<Server | string> {
  if ((await preloads(ADMIN_URL)) === loaded) return { adminUrl: ADMIN_URL, stop: async () => undefined };
  try {
    const server = await startThrowawayCluster({ preload: loaded });
    if ((await preloads(server.adminUrl)) !== loaded) {
      await server.stop();
      return 'the PostgreSQL binaries have no pg_stat_statements library (install postgresql-contrib)';
    }
    return server;
  } catch (error) {
    return `a throwaway cluster could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** 10,000 customers and 200,000 orders, no index but the keys. */
async function seedShop(db: TestDatabase): Promise<void> {
  await db.sql(`
    CREATE SCHEMA wl;
    CREATE TABLE wl.customers (id int PRIMARY KEY, email text NOT NULL, region int NOT NULL);
    INSERT INTO wl.customers SELECT g, 'user' || g || '@example.com', g % 30 FROM generate_series(1, 10000) g;
    CREATE TABLE wl.orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, created timestamptz NOT NULL, total numeric NOT NULL);
    INSERT INTO wl.orders
      SELECT g, g % 10000, (ARRAY['new','paid','shipped','returned'])[1 + g % 4], timestamptz '2024-01-01' + g * interval '2 minutes', g % 500
      FROM generate_series(1, 200000) g;
    ANALYZE;
  `);
  // This session's table statistics (the inserts) reach the shared ones when it next reports.
  await db.sql('SELECT pg_stat_force_next_flush()');
  await db.sql('SELECT 1');
}

/** The recorded workload: what pg_stat_statements holds for this database afterwards. */
async function runWorkload(db: TestDatabase, scale = 1): Promise<void> {
  await db.sql('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
  const session = await db.session();
  for (let i = 0; i < 60 * scale; i++) await session.query('SELECT id, total FROM wl.orders WHERE customer_id = $1', [i * 7]);
  for (let i = 0; i < 40 * scale; i++)
    await session.query('SELECT id FROM wl.customers WHERE email = $1', [`user${i}@example.com`]);
  for (let i = 0; i < 10 * scale; i++) {
    await session.query('SELECT count(*) FROM wl.orders WHERE status = $1 AND created > $2', ['returned', '2024-06-01']);
  }
  for (let i = 0; i < 10; i++) await session.query('UPDATE wl.orders SET total = total + 1 WHERE id = $1', [i + 1]);
  for (let i = 0; i < 3; i++) await session.query('SELECT id, pg_advisory_xact_lock(id) FROM wl.customers WHERE id = $1', [i]);
  // A session's table statistics reach the shared ones when it next reports (PostgreSQL 15+).
  await session.query('SELECT pg_stat_force_next_flush()');
  await session.query('SELECT 1');
}

describe.skipIf(NO_DATABASE)('postgres_suggest_workload_indexes', () => {
  let server: Server | string;
  let db: TestDatabase;
  let hypopg = '';
  beforeAll(async () => {
    server = await serverWith(true);
    if (typeof server === 'string') {
      process.stderr.write(`\n[postgres tests] workload advice tests SKIPPED: ${server}\n\n`);
      return;
    }
    db = await createTestDatabase('workload', server.adminUrl);
    await db.sql('CREATE EXTENSION pg_stat_statements');
    try {
      await db.sql('CREATE EXTENSION hypopg');
    } catch (error) {
      hypopg = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `\n[postgres tests] workload advice with hypopg SKIPPED: CREATE EXTENSION hypopg failed (${hypopg}). Install postgresql-15-hypopg to run it.\n\n`,
      );
    }
    await seedShop(db);
    await runWorkload(db);
  }, 180_000);
  afterAll(async () => {
    await db?.drop();
    if (typeof server === 'object') await server.stop();
  });

  it('chooses indexes greedily by weighted plan cost and states the write load of their tables', async (context) => {
    if (typeof server === 'string' || hypopg) context.skip();
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    const result = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', {});
    await close();
    const data = result.data;
    expect(data).toMatchObject({ available: true, hypopg: true });
    const creates = data.recommended.map((r) => r.create);
    expect(creates).toContain('CREATE INDEX ON wl.orders (customer_id)');
    expect(creates).toContain('CREATE INDEX ON wl.customers (email)');
    expect(data.workload_cost_with_advice).toBeLessThan((data.workload_cost ?? 0) / 5);
    // Greedy: each index saved no more than the one chosen before it.
    const gains = data.recommended.map((r) => r.gain_percent);
    expect(gains).toEqual([...gains].sort((a, b) => b - a));
    // The saving is the statements' own: Σ calls × (cost − cost with the advice).
    const saved = data.statements.reduce((sum, s) => sum + s.calls * ((s.cost ?? 0) - (s.cost_with_advice ?? s.cost ?? 0)), 0);
    expect(Math.abs(saved - ((data.workload_cost ?? 0) - (data.workload_cost_with_advice ?? 0)))).toBeLessThan(
      (data.workload_cost ?? 0) * 0.01,
    );
    const byCustomer = data.recommended.find((r) => r.create === 'CREATE INDEX ON wl.orders (customer_id)');
    const statement = data.statements.find((s) => s.n === byCustomer?.statements[0]);
    expect(statement?.query).toMatch(/FROM wl\.orders WHERE customer_id = \$1/);
    expect(statement?.calls).toBe(60);
    expect(byCustomer?.table_writes).toMatch(/^200000 inserts, 10 updates \(\d+ HOT\), 0 deletes since the statistics reset/);
    // The write is not a query; the advisory lock is refused by the read checks, and says so.
    expect(data.statements.some((s) => /UPDATE/.test(s.query))).toBe(false);
    expect(data.statements.find((s) => /pg_advisory_xact_lock/.test(s.query))?.skipped).toMatch(/advisory locks/);
    expect(result.text).toMatch(/SELECT statements analysed; weighted plan cost \(Σ calls × cost\) [\d.]+ → [\d.]+ \(−[\d.]+%\)/);
    expect(result.text).toMatch(/writes on wl\.orders: 200000 inserts/);
    // Nothing was built.
    expect((await db.sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'wl'"))[0]?.n).toBe(2);
  });

  it('keeps the chosen indexes within the size budget', async (context) => {
    if (typeof server === 'string' || hypopg) context.skip();
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    const free = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', {});
    const sizes = free.data.recommended.map((r) => r.bytes);
    expect(sizes.length).toBeGreaterThan(1);

    // Room for none of them.
    const tiny = (Math.min(...sizes) - 1) / 1024 / 1024;
    const none = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', { max_size_mb: tiny });
    expect(none.data.recommended).toEqual([]);
    expect(none.data.over_budget.length).toBeGreaterThan(0);
    expect(none.data.stopped).toMatch(/size budget/);

    // Room for the largest alone: what is chosen fits, and what was left out would not have.
    const largest = Math.max(...sizes);
    const some = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', { max_size_mb: largest / 1024 / 1024 });
    await close();
    const used = some.data.recommended.reduce((sum, r) => sum + r.bytes, 0);
    expect(some.data.recommended.length).toBeGreaterThan(0);
    expect(used).toBe(some.data.used_bytes);
    expect(used).toBeLessThanOrEqual(some.data.budget_bytes ?? 0);
    expect(some.data.recommended.length).toBeLessThan(free.data.recommended.length);
    for (const left of some.data.over_budget) expect(used + left.bytes).toBeGreaterThan(some.data.budget_bytes ?? 0);
  });

  it('without hypopg says how to install it and lists the untested candidates, most called first', async (context) => {
    if (typeof server === 'string') context.skip();
    const bare = await createTestDatabase('workload_bare', (server as Server).adminUrl);
    try {
      await bare.sql('CREATE EXTENSION pg_stat_statements');
      await seedShop(bare);
      await runWorkload(bare);
      const { client, close } = await connect([bare.url, '--toolsets', 'health']);
      const result = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', {});
      await close();
      expect(result.data).toMatchObject({ available: true, hypopg: false, recommended: [] });
      expect(result.data.hypopg_note).toMatch(/CREATE EXTENSION hypopg/);
      expect(result.data.candidates).toBeGreaterThan(0);
      expect(result.text).toMatch(
        /the candidates from the plans, most called first, untested:\n {2}CREATE INDEX ON wl\.orders \(customer_id\); {2}-- from statements \d/,
      );
    } finally {
      await bare.drop();
    }
  });

  it('says plainly when pg_stat_statements is not installed in the database', async (context) => {
    if (typeof server === 'string') context.skip();
    const plain = await createTestDatabase('workload_plain', (server as Server).adminUrl);
    try {
      const { client, close } = await connect([plain.url, '--toolsets', 'health']);
      const result = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', {});
      await close();
      expect(result.data).toMatchObject({ available: false, recommended: [], statements: [] });
      expect(result.text).toMatch(
        /^pg_stat_statements is not installed in this database\. A superuser enables it with CREATE EXTENSION pg_stat_statements.*postgres_suggest_indexes still advises on one query/,
      );
    } finally {
      await plain.drop();
    }
  });
});

describe.skipIf(NO_DATABASE)('postgres_suggest_workload_indexes on a server without the library preloaded', () => {
  let server: Server | string;
  beforeAll(async () => {
    server = await serverWith(false);
  }, 120_000);
  afterAll(async () => {
    if (typeof server === 'object') await server.stop();
  });

  it('says the library must be preloaded, and how', async (context) => {
    if (typeof server === 'string') context.skip();
    const db = await createTestDatabase('workload_unloaded', (server as Server).adminUrl);
    try {
      await db.sql('CREATE EXTENSION pg_stat_statements');
      const { client, close } = await connect([db.url, '--toolsets', 'health']);
      const result = await callOk<Workload>(client, 'postgres_suggest_workload_indexes', {});
      await close();
      expect(result.data.available).toBe(false);
      expect(result.data.reason).toMatch(
        /^pg_stat_statements is installed but not loaded: add it to shared_preload_libraries in postgresql\.conf .* and restart PostgreSQL\.$/,
      );
    } finally {
      await db.drop();
    }
  });
});
