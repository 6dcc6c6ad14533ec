import { call } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, NO_DATABASE, connect, createTestDatabase, seedBig, seedShop } from './helpers.js';

describe.skipIf(NO_DATABASE)('smoke', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('smoke');
    await seedShop(db);
    await seedBig(db);
  });
  afterAll(() => db?.drop());

  it('works', async () => {
    const logs: string[] = [];
    const { client, close, services } = await connect([db.url, '--toolsets', 'all'], { logs });
    for (const [name, args] of [
      ['postgres_query', { sql: 'SELECT * FROM big' }],
      ['postgres_query', { sql: 'SELECT * FROM shop.customers WHERE id = $1', params: [1], format: 'csv' }],
      ['postgres_query', { sql: 'SELECT 1; DELETE FROM big' }],
      ['postgres_query', { sql: 'SELECT pg_read_file($1)', params: ['/etc/passwd'] }],
      ['postgres_query', { sql: 'SELECT lo_get(lo_import($1))', params: ['/etc/passwd'] }],
      ['postgres_query', { sql: 'SELECT setseed(0.5)' }],
      ['postgres_query', { sql: 'SELECT * FROM nope' }],
      ['postgres_query', { sql: 'SHOW server_version' }],
      ['postgres_explain', { sql: 'SELECT * FROM big WHERE id < 10', analyze: true }],
      ['postgres_list_connections', {}],
      ['postgres_list_schemas', {}],
      ['postgres_list_tables', {}],
      ['postgres_describe_table', { table: 'orders' }],
      ['postgres_describe_table', { table: 'customers' }],
      ['postgres_search_schema', { text: 'cust' }],
      ['postgres_list_activity', {}],
      ['postgres_list_locks', {}],
      ['postgres_check_health', {}],
      ['postgres_check_indexes', {}],
      ['postgres_check_vacuum', {}],
      ['postgres_list_top_queries', {}],
    ] as const) {
      const r = await call(client, name, args);
      console.log(`\n=== ${name} ${JSON.stringify(args)} isError=${r.isError} bytes=${r.text.length}\n${r.text.slice(0, 1500)}`);
    }
    console.log(services.metrics, logs.join(''));
    await close();
  });
});
