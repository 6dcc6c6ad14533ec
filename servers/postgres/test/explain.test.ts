import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, NO_DATABASE, seedShop, type TestDatabase } from './helpers.js';

interface Explained {
  analyzed: boolean;
  tree: string;
  total_cost?: number;
  planned_rows?: number;
  actual_rows?: number;
  planning_ms?: number;
  execution_ms?: number;
  plan?: Array<{ Plan: Record<string, unknown> }>;
  note?: string;
}

describe.skipIf(NO_DATABASE)('postgres_explain', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('explain');
    await seedShop(db);
  });
  afterAll(() => db?.drop());

  it('shows the plan as a tree plus JSON without running the query', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    const result = await callOk<Explained>(client, 'postgres_explain', {
      sql: 'SELECT * FROM shop.orders WHERE customer_id = $1',
      params: [1],
    });
    expect(result.data.analyzed).toBe(false);
    expect(result.data.tree).toMatch(
      /^(Seq Scan on orders|Index Scan using orders_customer_idx on orders|Bitmap Heap Scan on orders)/m,
    );
    expect(result.data.tree).toMatch(/\(cost=\d+\.\d\d\.\.\d+\.\d\d rows=\d+ width=\d+\)/);
    expect(result.data.total_cost).toBeGreaterThan(0);
    expect(result.data.planned_rows).toBeGreaterThan(0);
    expect(result.data.actual_rows).toBeUndefined();
    expect(result.data.plan?.[0]?.Plan['Node Type']).toBeTruthy();
    expect(result.text).toBe(result.data.tree);
    await close();
  });

  it('with analyze runs a read and reports actual rows and times', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    const result = await callOk<Explained>(client, 'postgres_explain', {
      sql: 'SELECT c.name, count(*) FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id GROUP BY c.name',
      analyze: true,
    });
    expect(result.data.analyzed).toBe(true);
    expect(result.data.actual_rows).toBe(2);
    expect(result.data.execution_ms).toBeGreaterThanOrEqual(0);
    expect(result.data.tree).toMatch(/\(actual time=\d+\.\d+\.\.\d+\.\d+ rows=\d+ loops=\d+\)/);
    expect(result.data.tree).toMatch(/\n\s+->\s+\w/);
    expect(result.data.tree).toMatch(/Execution Time: \d+\.\d+ ms$/);
    await close();
  });

  it('plans a write without running it, and refuses to ANALYZE one', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    const planned = await callOk<Explained>(client, 'postgres_explain', { sql: 'DELETE FROM shop.orders WHERE quantity > 1' });
    expect(planned.data.tree).toMatch(/^Delete on orders/);
    expect((await db.sql<{ n: number }>('SELECT count(*)::int AS n FROM shop.orders'))[0]?.n).toBe(3);
    expect(await callError(client, 'postgres_explain', { sql: 'DELETE FROM shop.orders', analyze: true })).toMatch(
      /^Argument `sql`: was refused: EXPLAIN ANALYZE would run the DELETE, which is not a read\. Leave out ANALYZE/,
    );
    expect(await callError(client, 'postgres_explain', { sql: 'EXPLAIN SELECT 1' })).toMatch(/already starts with EXPLAIN/);
    expect(await callError(client, 'postgres_explain', { sql: "SELECT pg_read_file('/etc/passwd')", analyze: true })).toMatch(
      /pg_read_file\(\) is not allowed/,
    );
    await close();
  });

  it('runs ANALYZE under the statement timeout', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health', '--statement-timeout', '500']);
    expect(await callError(client, 'postgres_explain', { sql: 'SELECT pg_sleep(10)', analyze: true })).toMatch(
      /statement timeout \(500 ms\)/,
    );
    await close();
  });

  it('leaves out a JSON plan that does not fit the budget, keeping the tree', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health', '--output-budget', '2048']);
    const sql = `SELECT * FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id JOIN shop.products p ON p.id = o.product_id
                 JOIN shop.orders o2 ON o2.customer_id = c.id JOIN shop.products p2 ON p2.id = o2.product_id WHERE c.email LIKE '%a%'`;
    const result = await callOk<Explained>(client, 'postgres_explain', { sql });
    expect(result.data.plan).toBeUndefined();
    expect(result.data.note).toMatch(/JSON plan is too big for the output budget/);
    expect(result.data.tree.length).toBeGreaterThan(100);
    expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(2048 * 1.1);
    await close();
  });
});
