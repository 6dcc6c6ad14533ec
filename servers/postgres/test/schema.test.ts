import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, NO_DATABASE, resourceText, seedShop, type TestDatabase } from './helpers.js';

describe.skipIf(NO_DATABASE)('schema tools, table resources and prompts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('schema');
    await seedShop(db);
    await db.sql(`
      CREATE TABLE shop."MixedCase" ("Id" int PRIMARY KEY);
      CREATE TABLE shop.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE shop.events_2024 PARTITION OF shop.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER customers_touch BEFORE UPDATE ON shop.customers FOR EACH ROW EXECUTE FUNCTION shop.touch();
    `);
  });
  afterAll(() => db?.drop());

  it('lists connections without passwords', async () => {
    const withPassword = db.url.replace('postgres@', 'postgres:s3cret-pw@');
    const logs: string[] = [];
    const { client, close } = await connect([withPassword, '--connection', `other=${db.url}`, '--read-write', 'other'], { logs });
    const result = await callOk<{ connections: Array<Record<string, unknown>> }>(client, 'postgres_list_connections');
    expect(result.data.connections).toEqual([
      expect.objectContaining({
        name: 'main',
        mode: 'read-only',
        url: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/pb_schema_/),
        role: 'postgres',
        superuser: true,
        reads_as: 'patchbay_readonly',
      }),
      expect.objectContaining({ name: 'other', mode: 'read-write', role: 'postgres', reads_as: 'patchbay_readonly' }),
    ]);
    expect(result.text).toMatch(
      /^main \(read-only\) postgres:\/\/postgres@127\.0\.0\.1:\d+\/pb_schema_\w+ — role postgres \(superuser\), reads as patchbay_readonly, PostgreSQL \d+/,
    );
    expect(JSON.stringify(result.raw) + logs.join('')).not.toContain('s3cret-pw');
    await close();
  });

  it('lists schemas with counts and comments, system schemas on request', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'catalog']);
    const result = await callOk<{ schemas: Array<Record<string, unknown>> }>(client, 'postgres_list_schemas');
    expect(result.data.schemas.map((s) => s.name)).toEqual(['public', 'shop']);
    expect(result.data.schemas[1]).toEqual({
      name: 'shop',
      owner: 'postgres',
      tables: 5,
      views: 1,
      materialized_views: 1,
      comment: 'The web shop',
    });
    const all = await callOk<{ schemas: Array<{ name: string }> }>(client, 'postgres_list_schemas', { include_system: true });
    expect(all.data.schemas.map((s) => s.name)).toContain('pg_catalog');
    await close();
  });

  it('lists tables, views and materialized views with estimates, sizes and comments', async () => {
    const { client, close } = await connect([db.url]);
    const result = await callOk<{ tables: Array<Record<string, unknown>> }>(client, 'postgres_list_tables', { schema: 'shop' });
    expect(result.data.tables.map((t) => `${t.name}:${t.kind}`)).toEqual([
      'MixedCase:table',
      'customer_counts:materialized view',
      'customers:table',
      'events:partitioned table',
      'order_totals:view',
      'orders:table',
      'products:table',
    ]);
    const customers = result.data.tables.find((t) => t.name === 'customers');
    expect(customers).toMatchObject({ schema: 'shop', rows: 3, comment: 'People who bought something' });
    expect(customers?.bytes).toBeGreaterThan(0);
    expect(result.text).toMatch(/shop\.customers\s+table\s+3\s+\d+\.\d KiB\s+People who bought something/);
    const views = await callOk<{ tables: Array<{ name: string }> }>(client, 'postgres_list_tables', { kinds: ['view'] });
    expect(views.data.tables.map((t) => t.name)).toEqual(['order_totals']);
    await close();
  });

  it('pages the table list when it does not fit', async () => {
    await db.sql(
      `CREATE SCHEMA many; ${Array.from({ length: 40 }, (_, i) => `CREATE TABLE many.t${String(i).padStart(2, '0')} (id int);`).join(' ')}`,
    );
    const { client, close } = await connect([db.url, '--output-budget', '1024']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 40; page++) {
      const result = await callOk<{ tables: Array<{ name: string }>; more?: { omitted: number; cursor?: string } }>(
        client,
        'postgres_list_tables',
        {
          schema: 'many',
          ...(cursor ? { cursor } : {}),
        },
      );
      expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(1024 * 1.1);
      if (result.data.more) {
        // The whole rest was read (40 tables is less than a page), so the count is exact.
        const left = 40 - seen.length - result.data.tables.length;
        expect(result.data.more.omitted).toBe(left);
        expect(result.text).toContain(`\n… ${left} more ${left === 1 ? 'table' : 'tables'} not shown (output budget).`);
      }
      seen.push(...result.data.tables.map((t) => t.name));
      cursor = result.data.more?.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}`));

    // Without a schema, the way to narrow a long list names the schemas and what they hold.
    const everything = await callOk<{ more?: { hint: string } }>(client, 'postgres_list_tables', {});
    expect(everything.data.more?.hint).toMatch(/pass schema to list one: many \(40\), public \(\d+\), shop \(7\)\.$/);
    const empty = await callOk(client, 'postgres_list_tables', { schema: 'nothing_here' });
    expect(empty.text).toMatch(
      /^No tables in schema "nothing_here"\. Schemas \(relations\): many \(40\), public \(\d+\), shop \(7\)\.$/,
    );
    // A limit that cuts the list is named as the cause; the one table read past it is a lower bound.
    const limited = await callOk<{ tables: Array<{ name: string }>; more?: { omitted: number; cursor?: string } }>(
      client,
      'postgres_list_tables',
      { schema: 'many', limit: 3 },
    );
    expect(limited.data.tables.map((t) => t.name)).toEqual(['t00', 't01', 't02']);
    expect(limited.data.more?.omitted).toBe(1);
    expect(limited.text).toContain('\n… at least 1 more table not shown (limit=3). Call postgres_list_tables again');
    const after = await callOk<{ tables: Array<{ name: string }> }>(client, 'postgres_list_tables', {
      schema: 'many',
      limit: 3,
      cursor: limited.data.more?.cursor,
    });
    expect(after.data.tables.map((t) => t.name)).toEqual(['t03', 't04', 't05']);
    await db.sql('DROP SCHEMA many CASCADE');
    await close();
  });

  it('pages the columns of a very wide table, with the rest of its description on each page', async () => {
    const columns = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')} int`).join(', ');
    await db.sql(`CREATE TABLE public.wide (${columns}, PRIMARY KEY (c000))`);
    const { client, close } = await connect([db.url, '--output-budget', '4096']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await callOk<{
        name: string;
        columns: Array<{ name: string }>;
        indexes: unknown[];
        more?: { omitted: number; cursor?: string };
      }>(client, 'postgres_describe_table', { table: 'wide', ...(cursor ? { cursor } : {}) });
      expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(4096 * 1.1);
      expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(4096);
      expect(result.data.name).toBe('wide');
      expect(result.data.indexes).toHaveLength(1);
      expect(result.text).toMatch(/^public\.wide \(table/);
      expect(result.text).toContain('indexes:\n  CREATE UNIQUE INDEX wide_pkey');
      seen.push(...result.data.columns.map((c) => c.name));
      if (result.data.more) {
        expect(result.data.more.omitted).toBe(300 - seen.length);
        expect(result.text).toContain(`${300 - seen.length} more columns not shown (output budget)`);
      }
      cursor = result.data.more?.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`));
    await db.sql('DROP TABLE public.wide');
    await close();
  });

  it('describes a table fully: columns, keys both ways, indexes, constraints, triggers, comments', async () => {
    const { client, close } = await connect([db.url]);
    const orders = await callOk<Record<string, any>>(client, 'postgres_describe_table', { table: 'shop.orders' });
    expect(orders.data.columns).toEqual([
      { name: 'id', type: 'bigint', nullable: false, default: "nextval('shop.orders_id_seq'::regclass)" },
      { name: 'customer_id', type: 'integer', nullable: false },
      { name: 'product_id', type: 'integer', nullable: true },
      { name: 'quantity', type: 'integer', nullable: false, default: '1' },
      { name: 'total', type: 'numeric(12,2)', nullable: true, generated: '(quantity * 10)' },
      { name: 'note', type: 'text', nullable: true },
    ]);
    expect(orders.data.primary_key).toEqual(['id']);
    expect(orders.data.foreign_keys).toEqual([
      {
        name: 'orders_customer_id_fkey',
        definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id) ON DELETE CASCADE',
      },
      { name: 'orders_product_id_fkey', definition: 'FOREIGN KEY (product_id) REFERENCES shop.products(id)' },
    ]);
    expect(orders.data.indexes.map((i: { name: string }) => i.name)).toEqual(['orders_pkey', 'orders_customer_idx']);
    expect(orders.text).toContain(
      'foreign keys:\n  (customer_id) → shop.customers(id) ON DELETE CASCADE\n  (product_id) → shop.products(id)\n',
    );

    const customers = await callOk<Record<string, any>>(client, 'postgres_describe_table', {
      table: 'customers',
      schema: 'shop',
    });
    expect(customers.data.comment).toBe('People who bought something');
    expect(customers.data.columns[1]).toEqual({ name: 'email', type: 'text', nullable: false, comment: 'Login email' });
    expect(customers.data.referenced_by).toEqual([
      {
        name: 'orders_customer_id_fkey',
        table: 'shop.orders',
        definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id) ON DELETE CASCADE',
      },
    ]);
    expect(customers.data.indexes).toEqual([
      {
        name: 'customers_pkey',
        definition: 'CREATE UNIQUE INDEX customers_pkey ON shop.customers USING btree (id)',
        valid: true,
        bytes: expect.any(Number),
      },
      {
        name: 'customers_email_key',
        definition: 'CREATE UNIQUE INDEX customers_email_key ON shop.customers USING btree (email)',
        valid: true,
        bytes: expect.any(Number),
      },
    ]);
    expect(customers.data.constraints).toEqual([{ name: 'customers_email_key', definition: 'UNIQUE (email)' }]);
    expect(customers.data.triggers[0]).toMatch(/^CREATE TRIGGER customers_touch BEFORE UPDATE ON shop\.customers/);
    expect(customers.text).toContain('referenced by:\n  shop.orders(customer_id) → shop.customers(id) ON DELETE CASCADE');

    const products = await callOk<Record<string, any>>(client, 'postgres_describe_table', { table: 'shop.products' });
    expect(products.data.columns[0]).toMatchObject({ name: 'id', identity: 'ALWAYS' });
    expect(products.data.constraints).toEqual([{ name: 'price_not_negative', definition: 'CHECK (price >= 0::numeric)' }]);

    const view = await callOk<Record<string, any>>(client, 'postgres_describe_table', { table: 'shop.order_totals' });
    expect(view.data.kind).toBe('view');
    expect(view.data.definition).toMatch(/SELECT orders\.customer_id,\s+sum\(orders\.total\) AS total/);

    const partitioned = await callOk<Record<string, any>>(client, 'postgres_describe_table', { table: 'shop.events' });
    expect(partitioned.data.partition_key).toBe('RANGE (at)');
    const partition = await callOk<Record<string, any>>(client, 'postgres_describe_table', { table: 'shop.events_2024' });
    expect(partition.data.partition_of).toBe('shop.events');
    await close();
  });

  it('finds tables by quoted, mixed-case or unqualified names and explains what it cannot find', async () => {
    const { client, close } = await connect([db.url]);
    const mixed = await callOk<{ name: string; columns: Array<{ name: string }> }>(client, 'postgres_describe_table', {
      table: 'shop."MixedCase"',
    });
    expect(mixed.data.columns[0]?.name).toBe('Id');
    // Two tables named customers: the one on the search path wins.
    const onPath = await callOk<{ schema: string }>(client, 'postgres_describe_table', { table: 'customers' });
    expect(onPath.data.schema).toBe('public');
    const upper = await callOk<{ schema: string; name: string }>(client, 'postgres_describe_table', { table: 'SHOP.ORDERS' });
    expect(`${upper.data.schema}.${upper.data.name}`).toBe('shop.orders');
    const missing = await callError(client, 'postgres_describe_table', { table: 'custmers' });
    expect(missing).toMatch(/^Argument `table`: no table, view or materialized view "custmers"\. Similar: /);
    expect(missing).toContain('customers');
    await close();
  });

  it('searches tables and columns by name', async () => {
    const { client, close } = await connect([db.url]);
    const result = await callOk<{ matches: Array<Record<string, unknown>> }>(client, 'postgres_search_schema', { text: 'EMAIL' });
    expect(result.data.matches).toEqual([{ schema: 'shop', table: 'customers', kind: 'table', column: 'email', type: 'text' }]);
    const tables = await callOk<{ matches: Array<{ table: string; column?: string }> }>(client, 'postgres_search_schema', {
      text: 'order',
      what: 'tables',
    });
    expect(tables.data.matches.map((m) => m.table)).toEqual(['order_totals', 'orders']);
    expect(tables.data.matches.every((m) => m.column === undefined)).toBe(true);
    const none = await callOk<{ matches: unknown[] }>(client, 'postgres_search_schema', { text: '100%_sure' });
    expect(none.data.matches).toEqual([]);
    expect(none.text).toBe('Nothing named like "100%_sure".');
    await close();
  });

  it('serves each table schema as a resource, with completion of schema and table names', async () => {
    const { client, close } = await connect([db.url]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['postgres://{connection}/{schema}/{table}/schema']);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('postgres://main/shop/orders/schema');
    const read = await client.readResource({ uri: 'postgres://main/shop/orders/schema' });
    expect(resourceText(read)).toMatch(/^shop\.orders \(table/);
    const mixed = await client.readResource({ uri: 'postgres://main/shop/MixedCase/schema' });
    expect(resourceText(mixed)).toContain('  Id integer not null, primary key');
    const ref = { type: 'ref/resource' as const, uri: 'postgres://{connection}/{schema}/{table}/schema' };
    const schemas = await client.complete({
      ref,
      argument: { name: 'schema', value: 'sh' },
      context: { arguments: { connection: 'main' } },
    });
    expect(schemas.completion.values).toEqual(['shop']);
    const tables = await client.complete({
      ref,
      argument: { name: 'table', value: 'or' },
      context: { arguments: { connection: 'main', schema: 'shop' } },
    });
    expect(tables.completion.values).toEqual(['order_totals', 'orders']);
    const connections = await client.complete({ ref, argument: { name: 'connection', value: '' } });
    expect(connections.completion.values).toEqual(['main']);
    await close();
  });

  it('completes prompt arguments: connections, tables as schema.name, analyze', async () => {
    const { client, close } = await connect([db.url, '--connection', `second=${db.url}`]);
    const writeQuery = { type: 'ref/prompt' as const, name: 'postgres_write_query' };
    const connections = await client.complete({ ref: writeQuery, argument: { name: 'connection', value: 's' } });
    expect(connections.completion.values).toEqual(['second']);
    const anySchema = await client.complete({ ref: writeQuery, argument: { name: 'table', value: 'cust' } });
    expect(anySchema.completion.values).toEqual(['public.customers', 'shop.customer_counts', 'shop.customers']);
    const inSchema = await client.complete({
      ref: writeQuery,
      argument: { name: 'table', value: 'shop.or' },
      context: { arguments: { connection: 'second' } },
    });
    expect(inSchema.completion.values).toEqual(['shop.order_totals', 'shop.orders']);
    const slow = { type: 'ref/prompt' as const, name: 'postgres_explain_slow_query' };
    expect((await client.complete({ ref: slow, argument: { name: 'analyze', value: 't' } })).completion.values).toEqual(['true']);
    expect((await client.complete({ ref: slow, argument: { name: 'connection', value: '' } })).completion.values).toEqual([
      'main',
      'second',
    ]);
    await close();
  });

  it('prompts for a query with a chosen table first', async () => {
    const { client, close } = await connect([db.url]);
    const prompt = await client.getPrompt({
      name: 'postgres_write_query',
      arguments: { question: 'How many orders per customer?', table: 'shop.products' },
    });
    const text = prompt.messages[0]?.content.type === 'text' ? prompt.messages[0].content.text : '';
    expect(text).toMatch(/Schema:\nshop\.products \(table/);
    expect(text).toMatch(/shop\.orders \(table/);
    await expect(
      client.getPrompt({ name: 'postgres_write_query', arguments: { question: 'x', table: 'shop.nope' } }),
    ).rejects.toThrow(/no table, view or materialized view "shop\.nope"/);
    await close();
  });

  it('prompts for a query with the relevant schema attached', async () => {
    const { client, close } = await connect([db.url]);
    const prompt = await client.getPrompt({
      name: 'postgres_write_query',
      arguments: { question: 'Which customers placed the most orders?' },
    });
    const text = prompt.messages[0]?.content.type === 'text' ? prompt.messages[0].content.text : '';
    expect(text).toContain('Which customers placed the most orders?');
    expect(text).toMatch(/shop\.customers \(table/);
    expect(text).toMatch(/shop\.orders \(table/);
    expect(text).toContain('postgres_query');
    await close();
  });

  it('prompts to explain a slow query with its plan and tables', async () => {
    const { client, close } = await connect([db.url]);
    const prompt = await client.getPrompt({
      name: 'postgres_explain_slow_query',
      arguments: {
        sql: 'SELECT * FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id WHERE c.email = $$ada@example.com$$',
      },
    });
    const text = prompt.messages[0]?.content.type === 'text' ? prompt.messages[0].content.text : '';
    expect(text).toMatch(/Plan \(estimates; EXPLAIN without ANALYZE\):\n```\n.*(Join|Nested Loop)/);
    expect(text).toMatch(/Tables:\nshop\.orders \(table/);
    expect(text).toContain('shop.customers (table');
    await expect(
      client.getPrompt({ name: 'postgres_explain_slow_query', arguments: { sql: 'DELETE FROM shop.orders', analyze: 'true' } }),
    ).rejects.toThrow(/EXPLAIN ANALYZE would run the DELETE/);
    await close();
  });
});
