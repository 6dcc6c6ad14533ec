import { connectInMemory } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The built module: the database runs in a worker thread loaded from dist/.
import { EmbeddedDatabase } from '../dist/index.js';
import { TEST_CACHE } from './helpers.js';

type Definition = Parameters<typeof connectInMemory>[0];

/**
 * The embedded PostgreSQL against the real PostgreSQL connector: what works on PGlite, and the
 * watchdog that ends a statement PGlite would run for ever.
 */
describe('the embedded demo database', () => {
  let db: EmbeddedDatabase;
  let postgresConnector: Definition;
  const lines: string[] = [];

  beforeAll(async () => {
    ({ postgresConnector } = (await import('@patchbay/postgres' as string)) as { postgresConnector: Definition });
    db = new EmbeddedDatabase({ cacheDir: TEST_CACHE, statementTimeoutMs: 1_000, log: (line) => lines.push(line) });
    await db.start();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('runs the connector unchanged: reads under a role that cannot write, catalog, plans', async () => {
    const { client, close } = await connectInMemory(postgresConnector, {
      env: { DATABASE_URL: db.url, PATCHBAY_POSTGRES_POOL_SIZE: '1' },
      argv: ['--toolsets', 'all'],
    });
    try {
      const who = await client.callTool({
        name: 'postgres_query',
        arguments: { sql: "SELECT current_user AS role, has_table_privilege('shop.orders', 'INSERT') AS can_insert" },
      });
      expect(who.structuredContent).toMatchObject({ rows: [['demo_reader', false]] });
      const described = await client.callTool({ name: 'postgres_describe_table', arguments: { table: 'shop.order_items' } });
      expect((described.content as Array<{ text: string }>)[0]?.text).toContain('(order_id) → shop.orders(id)');
      const plan = await client.callTool({
        name: 'postgres_explain',
        arguments: { sql: 'SELECT * FROM shop.orders WHERE customer_id = 7', analyze: true },
      });
      expect((plan.content as Array<{ text: string }>)[0]?.text).toContain('orders_customer_idx');
      const top = await client.callTool({ name: 'postgres_list_top_queries', arguments: {} });
      expect((top.content as Array<{ text: string }>)[0]?.text).toContain('pg_stat_statements is not installed');
    } finally {
      await close();
    }
  });

  it('ends a statement that runs past the timeout by restarting the database, which then answers again', async () => {
    const { client, close } = await connectInMemory(postgresConnector, {
      env: { DATABASE_URL: db.url, PATCHBAY_POSTGRES_POOL_SIZE: '1' },
    });
    try {
      const started = performance.now();
      const slow = await client.callTool({ name: 'postgres_query', arguments: { sql: 'SELECT pg_sleep(60)' } }, undefined, {
        timeout: 60_000,
      });
      // Ended by the watchdog (1 s + 5 s of grace), not by pg_sleep's 60 s.
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(slow.isError).toBe(true);
      expect((slow.content as Array<{ text: string }>)[0]?.text).toContain('lost the database session');
      expect(lines.join('\n')).toContain("a statement ran past the demo's statement timeout");
      let answer: Awaited<ReturnType<typeof client.callTool>> | undefined;
      for (let i = 0; i < 40 && !answer?.structuredContent; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (!db.down)
          answer = await client.callTool({ name: 'postgres_query', arguments: { sql: 'SELECT count(*) FROM shop.orders' } });
      }
      expect(answer?.structuredContent).toMatchObject({ rows: [[2000]] });
    } finally {
      await close();
    }
  }, 60_000);
});
