import { callError, callOk, connectHttp, connectStdio, startHttpBin } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  createTestDatabase,
  eventually,
  NO_DATABASE,
  resourceText,
  seedBig,
  seedShop,
  type TestDatabase,
} from './helpers.js';

type Any = Record<string, any>;

describe.skipIf(NO_DATABASE)('patchbay-postgres bin', () => {
  let db: TestDatabase;
  /** Why hypopg could not be created here ('' when it was). */
  let noHypopg = '';
  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    await seedShop(db);
    await seedBig(db);
    await db.sql('CREATE TABLE scratch (id int PRIMARY KEY, note text)');
  });
  /** hypopg for the index advice, created once the table lists have been checked (its view is a relation). */
  const ensureHypopg = () =>
    db.sql('CREATE EXTENSION IF NOT EXISTS hypopg').catch((error: Error) => {
      if (!noHypopg) process.stderr.write(`\n[postgres tests] e2e index advice runs without hypopg: ${error.message}\n\n`);
      noHypopg = error.message;
    });
  afterAll(() => db?.drop());

  it('serves every tool, the table resources and the prompts over stdio', async () => {
    const server = await connectStdio(BIN, [
      '--connection',
      `app=${db.url}`,
      '--connection',
      `spare=${db.url}`,
      '--read-write',
      'app',
      '--toolsets',
      'all',
    ]);
    const { client } = server;
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(19);

      const big = await callOk<Any>(client, 'postgres_query', { sql: 'SELECT * FROM big' });
      expect(Buffer.byteLength(JSON.stringify(big.raw))).toBeLessThan(80_000);
      expect(big.data.more.cursor).toBeTruthy();
      const next = await callOk<Any>(client, 'postgres_query', { sql: 'SELECT * FROM big', cursor: big.data.more.cursor });
      expect(next.data.offset).toBe(big.data.row_count);
      expect(await callError(client, 'postgres_query', { sql: 'COMMIT; DROP TABLE big' })).toMatch(/holds 2 statements/);

      const plan = await callOk<Any>(client, 'postgres_explain', {
        sql: 'SELECT * FROM big WHERE id = $1',
        params: [5],
        analyze: true,
      });
      expect(plan.data.tree).toMatch(/Index Scan using big_pkey on big/);

      const connections = await callOk<Any>(client, 'postgres_list_connections');
      expect(connections.data.connections).toEqual([
        expect.objectContaining({ name: 'app', mode: 'read-write', superuser: true }),
        expect.objectContaining({ name: 'spare', mode: 'read-only' }),
      ]);
      const schemas = await callOk<Any>(client, 'postgres_list_schemas');
      expect(schemas.data.schemas.map((s: Any) => s.name)).toEqual(['public', 'shop']);
      const tables = await callOk<Any>(client, 'postgres_list_tables', { schema: 'public' });
      expect(tables.data.tables.map((t: Any) => t.name)).toEqual(['big', 'customers', 'scratch']);
      const described = await callOk<Any>(client, 'postgres_describe_table', { table: 'shop.orders' });
      expect(described.data.foreign_keys).toHaveLength(2);
      const found = await callOk<Any>(client, 'postgres_search_schema', { text: 'email' });
      expect(found.data.matches[0]).toMatchObject({ table: 'customers', column: 'email' });

      const activity = await callOk<Any>(client, 'postgres_list_activity', { include_idle: true });
      // The test's own superuser session is idle in this database.
      expect(activity.data.sessions.some((s: Any) => s.database === db.name && s.state === 'idle')).toBe(true);
      const locks = await callOk<Any>(client, 'postgres_list_locks');
      expect(locks.data.blocked).toEqual([]);
      const health = await callOk<Any>(client, 'postgres_check_health');
      expect(health.data.checks.length).toBe(10);
      expect(health.data.checks[0]).toMatchObject({ check: 'read-only', status: 'ok' });
      const indexes = await callOk<Any>(client, 'postgres_check_indexes');
      expect(indexes.data.invalid).toEqual([]);
      const vacuum = await callOk<Any>(client, 'postgres_check_vacuum');
      expect(vacuum.data.tables.map((t: Any) => t.table)).toContain('public.big');
      const top = await callOk<Any>(client, 'postgres_list_top_queries');
      expect(top.data.available).toBe(false);
      const replication = await callOk<Any>(client, 'postgres_check_replication');
      expect(replication.data.role).toBe('primary');
      const views = await callOk<Any>(client, 'postgres_list_objects', { kind: 'view' });
      expect(views.data.objects.map((o: Any) => `${o.schema}.${o.name}`)).toEqual(['shop.order_totals']);
      const settings = await callOk<Any>(client, 'postgres_list_settings', { name: 'max_connections' });
      expect(settings.data.settings[0]).toMatchObject({ name: 'max_connections', restart_needed: true });

      await ensureHypopg();
      const advice = await callOk<Any>(client, 'postgres_suggest_indexes', { sql: 'SELECT * FROM big WHERE name = $1' });
      expect(advice.data.generic_plan).toBe(true);
      if (noHypopg) expect(advice.data.hypopg_note).toMatch(/hypopg/);
      else expect(advice.data.recommended.map((r: Any) => r.create)).toEqual(['CREATE INDEX ON public.big (name)']);
      const workload = await callOk<Any>(client, 'postgres_suggest_workload_indexes');
      expect(workload.data).toMatchObject({
        available: false,
        reason: expect.stringMatching(/pg_stat_statements is not installed/),
      });
      expect(await callError(client, 'postgres_suggest_indexes', { sql: 'DELETE FROM scratch' })).toMatch(
        /DELETE is not a query: index advice plans SELECT statements only/,
      );
      expect(
        await callError(client, 'postgres_suggest_indexes', {
          sql: 'WITH gone AS (DELETE FROM scratch RETURNING id) SELECT * FROM gone',
        }),
      ).toMatch(/data-modifying WITH/);

      const written = await callOk<Any>(client, 'postgres_execute', {
        statements: [
          { sql: 'INSERT INTO scratch VALUES ($1, $2)', params: [1, 'from e2e'] },
          { sql: 'UPDATE scratch SET note = upper(note) RETURNING note' },
        ],
      });
      expect(written.data.results.map((r: Any) => r.rows_affected)).toEqual([1, 1]);
      expect((await db.sql<{ note: string }>('SELECT note FROM scratch'))[0]?.note).toBe('FROM E2E');

      const resource = await client.readResource({ uri: 'postgres://app/shop/customers/schema' });
      expect(resourceText(resource)).toMatch(/^shop\.customers \(table/);
      const prompt = await client.getPrompt({
        name: 'postgres_write_query',
        arguments: { question: 'How many orders per customer?' },
      });
      expect(prompt.messages[0]?.content).toMatchObject({ type: 'text', text: expect.stringContaining('shop.orders (table') });
      const slow = await client.getPrompt({
        name: 'postgres_explain_slow_query',
        arguments: { sql: 'SELECT * FROM big WHERE name = $$x$$' },
      });
      expect(slow.messages[0]?.content).toMatchObject({ type: 'text', text: expect.stringContaining('Seq Scan on big') });

      // The doctor warning went to stderr, and only there.
      await eventually(async () => server.stderr().includes('which is a superuser'), 5_000, 'the doctor warning on stderr');
      expect(server.stderr()).toMatch(
        /patchbay-postgres warn connection "app" \(postgres:\/\/postgres@127\.0\.0\.1:\d+\/pb_e2e_\w+\) uses role "postgres", which is a superuser/,
      );
    } finally {
      await server.close();
    }
  });

  it('says on stderr at start, once, when the database cannot be reached, and the call says the same', async () => {
    const closed = 'postgres://postgres@127.0.0.1:1/nope';
    const line =
      'cannot connect to the database "main" (postgres://postgres@127.0.0.1:1/nope): nothing accepts connections at 127.0.0.1:1 (ECONNREFUSED).';
    const server = await connectStdio(BIN, [closed]);
    try {
      // The bin's front answered initialize; the check ran after it, before any call.
      await eventually(async () => server.stderr().includes('cannot connect to the database "main"'), 10_000, 'the line');
      expect(server.stderr()).toContain(`patchbay-postgres warn ${line}`);
      const error = await callError(server.client, 'postgres_query', { sql: 'SELECT 1' });
      expect(error).toMatch(
        /^could not connect to the database "main" \(postgres:\/\/postgres@127\.0\.0\.1:1\/nope\): nothing accepts connections at 127\.0\.0\.1:1 \(ECONNREFUSED\)\. Check that PostgreSQL runs there/,
      );
      // The full server the front handed the call to did not check again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.stderr().split(line).length - 1).toBe(1);
    } finally {
      await server.close();
    }
    const http = await startHttpBin(BIN, [closed]);
    try {
      await eventually(async () => http.stderr().includes(line), 10_000, 'the line over HTTP');
    } finally {
      await http.stop();
    }
  });

  it('serves index advice and the catalog over Streamable HTTP, and refuses writes there', async () => {
    await ensureHypopg();
    const http = await startHttpBin(BIN, [db.url, '--toolsets', 'default,health,catalog']);
    try {
      const { client, close } = await connectHttp(http.url);
      const advice = await callOk<Any>(client, 'postgres_suggest_indexes', {
        sql: 'SELECT id FROM big WHERE score > $1 ORDER BY created DESC LIMIT 5',
        params: [10],
      });
      expect(advice.data.cost).toBeGreaterThan(0);
      if (!noHypopg) {
        expect(advice.data.hypopg).toBe(true);
        expect(advice.data.cost_with_advice).toBeLessThan(advice.data.cost);
      }
      const functions = await callOk<Any>(client, 'postgres_list_objects', { kind: 'extension' });
      expect(functions.data.objects.map((o: Any) => o.name)).toContain('plpgsql');
      expect(await callError(client, 'postgres_suggest_indexes', { sql: 'UPDATE big SET score = 0' })).toMatch(
        /UPDATE is not a query/,
      );
      expect(
        await callError(client, 'postgres_query', { sql: "SELECT hypopg_create_index('CREATE INDEX ON big (score)')" }),
      ).toMatch(/hypopg_create_index\(\) is not allowed/);
      // A read-only connection offers no write tool at all.
      expect(await callError(client, 'postgres_execute', { sql: 'DROP TABLE big' })).toMatch(/postgres_execute/);
      expect((await db.sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'big'"))[0]?.n).toBe(1);
      await close();
    } finally {
      expect(await http.stop()).toBe(0);
    }
  });

  it('serves postgres_query over Streamable HTTP', async () => {
    const http = await startHttpBin(BIN, [db.url]);
    try {
      const { client, close } = await connectHttp(http.url);
      const result = await callOk<Any>(client, 'postgres_query', { sql: 'SELECT count(*) AS n FROM big' });
      expect(result.data.rows).toEqual([[100000]]);
      await close();
    } finally {
      expect(await http.stop()).toBe(0);
    }
  });
});
