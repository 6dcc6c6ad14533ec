import { connectHttp } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './helpers.js';

/**
 * Two replicas of the gateway, as behind a load balancer: a session started on one goes on on the
 * other, down to a result's cursor, since no request depends on state a replica keeps.
 */
describe('replicas', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startGateway(['postgres'], { env: { DATABASE_URL: undefined } }),
      startGateway(['postgres'], { env: { DATABASE_URL: undefined } }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('continue each other’s results: a cursor from one replica reads the next page on the other', async () => {
    const first = await connectHttp(`${a.base}/postgres/mcp`);
    const second = await connectHttp(`${b.base}/postgres/mcp`);
    try {
      const sql = 'SELECT order_id, line, product_id FROM shop.order_items ORDER BY order_id, line';
      const page1 = await first.client.callTool({ name: 'postgres_query', arguments: { sql } });
      const one = page1.structuredContent as { rows: unknown[][]; more?: { cursor: string } };
      expect(one.more?.cursor).toBeTruthy();
      const page2 = await second.client.callTool({ name: 'postgres_query', arguments: { sql, cursor: one.more!.cursor } });
      const two = page2.structuredContent as { rows: unknown[][]; offset: number };
      expect(page2.isError).toBeFalsy();
      expect(two.offset).toBe(one.rows.length);
      // The next row after the first page, by the query's order.
      const last = one.rows.at(-1) as [number, number, number];
      const next = two.rows[0] as [number, number, number];
      expect(next[0] > last[0] || (next[0] === last[0] && next[1] === last[1] + 1)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
