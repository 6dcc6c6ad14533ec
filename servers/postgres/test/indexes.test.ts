import { randomBytes } from 'node:crypto';
import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, connect, createTestDatabase, NO_DATABASE, type TestDatabase, withDatabase } from './helpers.js';

interface Candidate {
  create: string;
  why: string[];
  bytes?: number;
  cost?: number;
  gain_percent?: number;
  used?: boolean;
}
interface Suggested {
  hypopg: boolean;
  hypopg_note?: string;
  generic_plan: boolean;
  cost: number;
  cost_with_advice?: number;
  recommended: Array<{ create: string; bytes: number; gain_percent: number }>;
  candidates: Candidate[];
}

/** A table big enough that an index changes the plan: 200,000 events of 2,000 accounts. */
async function seedEvents(db: TestDatabase): Promise<void> {
  await db.sql(`
    CREATE TABLE public.accounts (id int PRIMARY KEY, region int NOT NULL, name text NOT NULL);
    INSERT INTO public.accounts SELECT g, g % 40, 'account ' || g FROM generate_series(1, 2000) g;
    CREATE TABLE public.events (
      id bigint PRIMARY KEY,
      account_id int NOT NULL,
      kind text NOT NULL,
      created timestamptz NOT NULL,
      payload text
    );
    INSERT INTO public.events
      SELECT g, g % 2000, 'kind' || (g % 12), timestamptz '2024-01-01' + g * interval '1 minute', md5(g::text)
      FROM generate_series(1, 200000) g;
    ANALYZE;
  `);
}

/** The plan cost PostgreSQL itself gives a statement, as the superuser. */
async function planCost(db: TestDatabase, sql: string): Promise<number> {
  const [row] = await db.sql<{ 'QUERY PLAN': Array<{ Plan: { 'Total Cost': number } }> }>(`EXPLAIN (FORMAT JSON) ${sql}`);
  return row?.['QUERY PLAN'][0]?.Plan['Total Cost'] ?? Number.NaN;
}

const indexCount = async (db: TestDatabase) =>
  (await db.sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'"))[0]?.n;

describe.skipIf(NO_DATABASE)('postgres_suggest_indexes', () => {
  let db: TestDatabase;
  let hypopg = '';
  beforeAll(async () => {
    db = await createTestDatabase('indexes');
    await seedEvents(db);
    try {
      await db.sql('CREATE EXTENSION hypopg');
    } catch (error) {
      hypopg = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `\n[postgres tests] hypopg tests SKIPPED: CREATE EXTENSION hypopg failed (${hypopg}). Install postgresql-15-hypopg to run them.\n\n`,
      );
    }
  });
  afterAll(() => db?.drop());

  describe('with hypopg', () => {
    it('picks an index that lowers the plan cost, and PostgreSQL agrees once it is built', async (context) => {
      if (hypopg) context.skip();
      const { client, close } = await connect([db.url, '--toolsets', 'health']);
      const sql = 'SELECT id, created FROM public.events WHERE account_id = $1 AND kind = $2 ORDER BY created DESC LIMIT 20';
      const result = await callOk<Suggested>(client, 'postgres_suggest_indexes', { sql, params: [42, 'kind6'] });
      await close();
      expect(result.data.hypopg).toBe(true);
      expect(result.data.generic_plan).toBe(false);
      expect(result.data.recommended.length).toBeGreaterThan(0);
      const first = result.data.recommended[0];
      expect(first?.create).toMatch(/^CREATE INDEX ON public\.events \((account_id|kind)/);
      expect(first?.bytes).toBeGreaterThan(0);
      expect(result.data.cost_with_advice).toBeLessThan(result.data.cost / 10);
      // Every candidate was measured alone; the ones the plan used lowered its cost.
      for (const c of result.data.candidates.filter((c) => c.used)) expect(c.cost).toBeLessThan(result.data.cost);
      expect(result.text).toMatch(
        /^Plan cost [\d.]+\.\nRecommended \(cost [\d.]+ → [\d.]+, −[\d.]+%\):\n {2}CREATE INDEX ON public\.events/,
      );

      // Nothing was built by the advice; built for real, the index gives the plan the cost it promised.
      const literal =
        "SELECT id, created FROM public.events WHERE account_id = 42 AND kind = 'kind6' ORDER BY created DESC LIMIT 20";
      expect(await indexCount(db)).toBe(2);
      const before = await planCost(db, literal);
      await db.sql(`${first?.create.replace('CREATE INDEX ON', 'CREATE INDEX advised ON')}`);
      try {
        const after = await planCost(db, literal);
        expect(after).toBeLessThan(before / 10);
        expect(Math.abs(after - (result.data.cost_with_advice ?? 0))).toBeLessThan(Math.max(1, after * 0.2));
      } finally {
        await db.sql('DROP INDEX advised');
      }
    });

    it('plans $n placeholders without values as a generic plan', async (context) => {
      if (hypopg) context.skip();
      const { client, close } = await connect([db.url, '--toolsets', 'health']);
      const result = await callOk<Suggested>(client, 'postgres_suggest_indexes', {
        sql: 'SELECT * FROM public.events WHERE account_id = $1',
      });
      await close();
      expect(result.data.generic_plan).toBe(true);
      expect(result.data.recommended.map((r) => r.create)).toEqual(['CREATE INDEX ON public.events (account_id)']);
      expect(result.text).toMatch(/a generic plan/);
    });

    it('proposes join and filter columns of both tables of a join', async (context) => {
      if (hypopg) context.skip();
      const { client, close } = await connect([db.url, '--toolsets', 'health']);
      const result = await callOk<Suggested>(client, 'postgres_suggest_indexes', {
        sql: 'SELECT a.name, e.created FROM public.events e JOIN public.accounts a ON a.id = e.account_id WHERE a.region = 3 AND e.kind = $1',
        params: ['kind1'],
        min_gain_percent: 0,
      });
      await close();
      const creates = result.data.candidates.map((c) => c.create);
      expect(creates).toContain('CREATE INDEX ON public.events (account_id)');
      expect(creates).toContain('CREATE INDEX ON public.events (kind)');
      expect(creates).toContain('CREATE INDEX ON public.accounts (region)');
      // accounts(id) is the primary key already.
      expect(creates).not.toContain('CREATE INDEX ON public.accounts (id)');
      expect(result.data.candidates.find((c) => c.create.endsWith('(account_id)'))?.why).toContain('join');
    });

    it('proposes nothing an existing index already serves', async (context) => {
      if (hypopg) context.skip();
      const { client, close } = await connect([db.url, '--toolsets', 'health']);
      const result = await callOk<Suggested>(client, 'postgres_suggest_indexes', {
        sql: 'SELECT * FROM public.events WHERE id = 5',
      });
      await close();
      expect(result.data.candidates).toEqual([]);
      expect(result.data.recommended).toEqual([]);
      expect(result.text).toMatch(/No candidate index/);
    });

    it('leaves no hypothetical index in the pooled session for later plans', async (context) => {
      if (hypopg) context.skip();
      // One session per pool: were the advice's session returned to the pool, the next read would get it.
      const { client, close } = await connect([db.url, '--toolsets', 'health', '--pool-size', '1']);
      const sql = 'SELECT * FROM public.events WHERE kind = $1 AND account_id = $2';
      const advice = await callOk<Suggested>(client, 'postgres_suggest_indexes', { sql, params: ['kind3', 7] });
      expect(advice.data.recommended.length).toBeGreaterThan(0);
      const plan = await callOk<{ tree: string }>(client, 'postgres_explain', { sql, params: ['kind3', 7] });
      expect(plan.data.tree).not.toMatch(/<\d+>btree/);
      expect(plan.data.tree).toMatch(/Seq Scan on events/);
      await close();
      expect(await indexCount(db)).toBe(2);
    });
  });

  it('refuses what is not a query, and what the read checks refuse', async () => {
    const { client, close } = await connect([db.url, '--toolsets', 'health']);
    expect(await callError(client, 'postgres_suggest_indexes', { sql: 'DELETE FROM public.events WHERE id = 1' })).toMatch(
      /^Argument `sql`: was refused: DELETE is not a query: index advice plans SELECT statements only\./,
    );
    expect(await callError(client, 'postgres_suggest_indexes', { sql: 'EXPLAIN SELECT 1' })).toMatch(/without EXPLAIN/);
    expect(await callError(client, 'postgres_suggest_indexes', { sql: 'SELECT 1; DROP TABLE public.events' })).toMatch(
      /holds 2 statements/,
    );
    expect(await callError(client, 'postgres_suggest_indexes', { sql: "SELECT pg_read_file('/etc/passwd')" })).toMatch(
      /pg_read_file\(\) is not allowed/,
    );
    expect(await callError(client, 'postgres_suggest_indexes', { sql: 'SELECT passwd FROM pg_authid' })).toMatch(
      /pg_authid is not readable here/,
    );
    const nothing = await callOk<Suggested>(client, 'postgres_suggest_indexes', { sql: 'SELECT now(), 1 + 1' });
    expect(nothing.data.candidates).toEqual([]);
    expect(nothing.text).toMatch(/The query reads no user table: there is nothing to index\./);
    await close();
    expect((await db.sql<{ n: number }>('SELECT count(*)::int AS n FROM public.events'))[0]?.n).toBe(200_000);
  });

  it('keeps hypopg from SQL a model wrote, even where the operator allowed the extension', async (context) => {
    if (hypopg) context.skip();
    const { client, close } = await connect([db.url, '--toolsets', 'default,health', '--allow-function', 'extension:hypopg']);
    for (const [tool, sql] of [
      ['postgres_query', "SELECT * FROM hypopg_create_index('CREATE INDEX ON public.events (kind)')"],
      ['postgres_suggest_indexes', "SELECT * FROM public.events, hypopg_create_index('CREATE INDEX ON public.events (kind)')"],
      ['postgres_explain', 'SELECT hypopg_reset()'],
    ] as const) {
      expect(await callError(client, tool, { sql })).toMatch(
        /hypopg_\w+\(\) is not allowed: it creates, drops or hides hypothetical indexes/,
      );
    }
    await close();
  });

  it('says which grant is missing when the role reads run as may not use hypopg', async (context) => {
    if (hypopg) context.skip();
    const restricted = await createTestDatabase('indexes_restricted');
    const role = `pb_advisor_${randomBytes(4).toString('hex')}`;
    try {
      await restricted.sql(`
        CREATE SCHEMA hidden;
        REVOKE ALL ON SCHEMA hidden FROM PUBLIC;
        CREATE EXTENSION hypopg SCHEMA hidden;
        CREATE TABLE public.t AS SELECT g AS id, g % 100 AS k FROM generate_series(1, 20000) g;
        ANALYZE;
      `);
      await adminSql(`CREATE ROLE ${role} LOGIN`);
      await restricted.sql(`GRANT SELECT ON public.t TO ${role}`);
      const { client, close } = await connect([withDatabase(restricted.url, restricted.name, role), '--toolsets', 'health']);
      const result = await call(client, 'postgres_suggest_indexes', { sql: 'SELECT * FROM public.t WHERE k = 5' });
      await close();
      // A pg_hba.conf that lets no new role log in (a configured test server): nothing to test here.
      if (result.isError && /could not connect/.test(result.text)) return context.skip();
      const data = result.structured as unknown as Suggested;
      expect(data.hypopg).toBe(false);
      const [extension] = await restricted.sql<{ v: string }>(
        "SELECT extversion AS v FROM pg_extension WHERE extname = 'hypopg'",
      );
      expect(data.hypopg_note).toBe(
        `hypopg ${extension?.v} is installed in schema hidden, but the role reads run as ("${role}") may not use it: GRANT USAGE ON SCHEMA hidden and EXECUTE on its functions to that role.`,
      );
      expect(data.candidates.map((c) => c.create)).toEqual(['CREATE INDEX ON public.t (k)']);
    } finally {
      await restricted.drop();
      await adminSql(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  describe('without hypopg', () => {
    let bare: TestDatabase;
    beforeAll(async () => {
      bare = await createTestDatabase('indexes_bare');
      await seedEvents(bare);
    });
    afterAll(() => bare?.drop());

    it('says what is missing and how to install it, and still lists the candidates from the plan', async () => {
      const { client, close } = await connect([bare.url, '--toolsets', 'health']);
      const result = await callOk<Suggested>(client, 'postgres_suggest_indexes', {
        sql: 'SELECT * FROM public.events WHERE account_id = $1 ORDER BY created',
        params: [3],
      });
      await close();
      expect(result.data.hypopg).toBe(false);
      expect(result.data.hypopg_note).toMatch(
        hypopg
          ? /hypopg is not installed on the server: install its package \(Debian\/Ubuntu: apt-get install postgresql-1\d-hypopg/
          : /hypopg is installed on the server but not created in this database: a superuser runs CREATE EXTENSION hypopg here/,
      );
      expect(result.data.recommended).toEqual([]);
      expect(result.data.candidates.map((c) => c.create)).toEqual(
        expect.arrayContaining([
          'CREATE INDEX ON public.events (account_id)',
          'CREATE INDEX ON public.events (account_id, created)',
        ]),
      );
      expect(result.data.candidates.every((c) => c.cost === undefined)).toBe(true);
      expect(result.text).toMatch(/untested/);
    });
  });
});
