import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, NO_DATABASE, seedBig, seedShop, type TestDatabase } from './helpers.js';

interface QueryResult {
  connection: string;
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
  row_count: number;
  offset: number;
  more?: { omitted: number; cursor?: string; hint: string };
  note?: string;
}

const bytes = (value: unknown) => Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));

describe.skipIf(NO_DATABASE)('postgres_query', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('query');
    await seedShop(db);
    await seedBig(db);
  });
  afterAll(() => db?.drop());

  it('returns SELECT * over 100,000 rows within the budget, fetching only what it shows', async () => {
    const { client, close, services } = await connect([db.url]);
    const before = services.metrics.rowsFetched;
    const result = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT * FROM big' });
    const fetched = services.metrics.rowsFetched - before;
    expect(bytes(result.data)).toBeLessThanOrEqual(32_768 * 1.1);
    expect(bytes(result.text)).toBeLessThanOrEqual(32_768);
    expect(result.data.row_count).toBeGreaterThan(100);
    // The cursor stopped at the budget: the server sent a few batches, not the table.
    expect(fetched).toBeLessThan(result.data.row_count + 1_000);
    expect(fetched).toBeLessThan(2_000);
    expect(result.data.more?.cursor).toBeTruthy();
    // `omitted` counts rows the database sent that are not shown: at least one, never more than it sent.
    const omitted = result.data.more?.omitted ?? 0;
    expect(omitted).toBeGreaterThanOrEqual(1);
    expect(omitted).toBeLessThanOrEqual(fetched - result.data.row_count);
    expect(result.text).toMatch(
      new RegExp(
        `\\n… at least ${omitted} more rows? not shown \\(output budget\\)\\. Call postgres_query again with the same arguments and this cursor for the rest\\. .*ORDER BY.* cursor: \\S+$`,
      ),
    );
    expect(result.data.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'score', type: 'numeric' },
      { name: 'created', type: 'timestamp with time zone' },
    ]);
    expect(result.text.split('\n')[0]).toBe(
      `${result.data.row_count} rows; columns: id integer, name text, score numeric, created timestamp with time zone`,
    );
    await close();
  });

  it('pages through a result with the cursor', async () => {
    const { client, close } = await connect([db.url, '--output-budget', '2048']);
    const sql = 'SELECT id FROM big ORDER BY id';
    const first = await callOk<QueryResult>(client, 'postgres_query', { sql });
    const n = first.data.row_count;
    expect(first.data.rows[0]).toEqual([1]);
    expect(first.data.rows[n - 1]).toEqual([n]);
    const second = await callOk<QueryResult>(client, 'postgres_query', { sql, cursor: first.data.more?.cursor });
    expect(second.data.offset).toBe(n);
    expect(second.data.rows[0]).toEqual([n + 1]);
    expect(second.text.split('\n')[0]).toMatch(new RegExp(`^rows ${n + 1}–${n + second.data.row_count}; `));
    const wrong = await callError(client, 'postgres_query', { sql: 'SELECT 2', cursor: first.data.more?.cursor });
    expect(wrong).toMatch(/^Argument `cursor`: belongs to a postgres_query call with different arguments/);
    expect(await callError(client, 'postgres_query', { sql, cursor: 'bm9wZQ' })).toMatch(
      /^Argument `cursor`: is not a cursor this tool returned/,
    );
    await close();
  });

  it('stops at max_rows and says more exist', async () => {
    const { client, close } = await connect([db.url]);
    const result = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT id FROM big ORDER BY id', max_rows: 5 });
    expect(result.data.rows).toEqual([[1], [2], [3], [4], [5]]);
    expect(result.data.more?.cursor).toBeTruthy();
    // One row past max_rows is read to know more exist, and counted as the lower bound it is.
    expect(result.data.more?.omitted).toBe(1);
    expect(result.text).toMatch(/\n… at least 1 more row not shown \(max_rows=5\)\. Call postgres_query again/);
    const last = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT id FROM big WHERE id <= 3', max_rows: 3 });
    expect(last.data.rows).toHaveLength(3);
    expect(last.data.more).toBeUndefined();
    await close();
  });

  it('binds parameters and returns values JSON can hold exactly', async () => {
    const { client, close } = await connect([db.url]);
    const result = await callOk<QueryResult>(client, 'postgres_query', {
      sql: `SELECT $1::int AS i, $2::text AS t, 9007199254740993::bigint AS huge, 42::bigint AS small, 1.50::numeric(5,2) AS n,
              true AS b, NULL::text AS nothing, '{"a": 1}'::jsonb AS j, $3::int[] AS arr,
              timestamptz '2024-01-02 03:04:05+00' AS ts, 'NaN'::float8 AS nan, 2.5::float8 AS f`,
      params: [7, 'seven', [1, 2, 3]],
    });
    expect(result.data.rows[0]).toEqual([
      7,
      'seven',
      '9007199254740993',
      42,
      '1.50',
      true,
      null,
      '{"a": 1}',
      '{1,2,3}',
      '2024-01-02 03:04:05+00',
      'NaN',
      2.5,
    ]);
    expect(result.data.columns.map((c) => c.type)).toEqual([
      'integer',
      'text',
      'bigint',
      'bigint',
      'numeric(5,2)',
      'boolean',
      'text',
      'jsonb',
      'integer[]',
      'timestamp with time zone',
      'double precision',
      'double precision',
    ]);
    await close();
  });

  it('renders CSV with quoting when asked', async () => {
    const { client, close } = await connect([db.url]);
    const result = await callOk<QueryResult>(client, 'postgres_query', {
      sql: "SELECT 1 AS id, 'a,b' AS comma, 'say \"hi\"' AS quote, E'two\\nlines' AS multi, NULL AS empty",
      format: 'csv',
    });
    expect(result.text).toBe(
      '1 row; columns: id integer, comma text, quote text, multi text, empty text\nid,comma,quote,multi,empty\n1,"a,b","say ""hi""","two\nlines",',
    );
    await close();
  });

  it('shortens a huge value to fit and says how to read it whole', async () => {
    const { client, close } = await connect([db.url, '--output-budget', '4096']);
    const result = await callOk<QueryResult>(client, 'postgres_query', { sql: "SELECT repeat('x', 100000) AS blob, 1 AS id" });
    expect(bytes(result.data)).toBeLessThanOrEqual(4096 * 1.1);
    expect(String(result.data.rows[0]?.[0])).toMatch(/^x+…\[\d+ more characters\]$/);
    expect(result.data.note).toMatch(/1 long values were shortened/);
    await close();
  });

  it('handles empty results, SHOW and EXPLAIN', async () => {
    const { client, close } = await connect([db.url]);
    const empty = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT id, name FROM big WHERE false' });
    expect(empty.data.rows).toEqual([]);
    expect(empty.text).toBe('0 rows; columns: id integer, name text\n(no rows)');
    const show = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SHOW transaction_read_only' });
    expect(show.data.rows).toEqual([['on']]);
    const plan = await callOk<QueryResult>(client, 'postgres_query', { sql: 'EXPLAIN SELECT * FROM big WHERE id = 1' });
    expect(String(plan.data.rows[0]?.[0])).toMatch(/Index Scan using big_pkey/);
    await close();
  });

  it('reports database errors as fixable, with SQLSTATE and advice', async () => {
    const { client, close } = await connect([db.url]);
    const unknownColumn = await callError(client, 'postgres_query', { sql: 'SELECT nope FROM big' });
    expect(unknownColumn).toMatch(
      /^Argument `sql`: failed on "main": column "nope" does not exist \(at character 8\) \[SQLSTATE 42703\]\./,
    );
    expect(unknownColumn).toMatch(/See the columns with postgres_describe_table\.$/);
    expect(await callError(client, 'postgres_query', { sql: 'SELECT * FROM missing_table' })).toMatch(
      /42P01.*postgres_list_tables/,
    );
    expect(await callError(client, 'postgres_query', { sql: 'SELECT $1::int + $2::int', params: [1] })).toMatch(
      /08P01|bind message/,
    );
    expect(await callError(client, 'postgres_query', { sql: 'SELECT 1/0' })).toMatch(/division by zero \[SQLSTATE 22012\]/);
    expect(await callError(client, 'postgres_query', { sql: 'SELECT 1', connection: 'nope' })).toBe(
      'Argument `connection`: "nope" is not a connection of this server. Connections: main (read-only).',
    );
    // The session is fine after errors.
    expect((await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT 1 AS one' })).data.rows).toEqual([[1]]);
    await close();
  });

  it('queries the connection it is given by name', async () => {
    const { client, close } = await connect(['--connection', `first=${db.url}`, '--connection', `second=${db.url}`]);
    const result = await callOk<QueryResult>(client, 'postgres_query', {
      sql: 'SELECT current_database() AS db',
      connection: 'second',
    });
    expect(result.data.connection).toBe('second');
    expect(result.data.rows).toEqual([[db.name]]);
    const fallback = await callOk<QueryResult>(client, 'postgres_query', { sql: 'SELECT 1' });
    expect(fallback.data.connection).toBe('first');
    await close();
  });

  it('refuses a VOLATILE function of yours unless the operator allows it', async () => {
    await db.sql("CREATE OR REPLACE FUNCTION public.label(n int) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'n=' || n $$");
    const strict = await connect([db.url]);
    expect(await callError(strict.client, 'postgres_query', { sql: 'SELECT label(1)' })).toBe(
      'Argument `sql`: was refused: it calls public.label(), a VOLATILE function, which may change data or server state. ' +
        'If it only reads, the operator can allow it with --allow-function public.label, or mark it STABLE.',
    );
    await strict.close();
    const allowed = await connect([db.url, '--allow-function', 'public.label']);
    expect((await callOk<QueryResult>(allowed.client, 'postgres_query', { sql: 'SELECT label(1)' })).data.rows).toEqual([
      ['n=1'],
    ]);
    await allowed.close();
  });

  it("refuses an extension's function, however it is marked, and a SECURITY DEFINER function, unless the operator allows them", async () => {
    await db.sql('CREATE EXTENSION IF NOT EXISTS xml2');
    await db.sql(
      'CREATE OR REPLACE FUNCTION public.as_owner() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT current_user::text $$',
    );
    const sql = "SELECT xpath_string('<a>1</a>', '/a') AS x";
    const strict = await connect([db.url]);
    try {
      expect(await callError(strict.client, 'postgres_query', { sql })).toBe(
        'Argument `sql`: was refused: it calls public.xpath_string(), a function of the extension xml2, which this server does not trust to keep its volatility promise. ' +
          'If it only reads, the operator can allow it with --allow-function public.xpath_string (or every function of the extension with --allow-function extension:xml2).',
      );
      expect(await callError(strict.client, 'postgres_query', { sql: 'SELECT public.as_owner()' })).toMatch(
        /^Argument `sql`: was refused: it calls public\.as_owner\(\), a SECURITY DEFINER function, which runs with its owner's privileges\./,
      );
    } finally {
      await strict.close();
    }
    for (const allow of ['public.xpath_string', 'xpath_string', 'extension:xml2']) {
      const allowed = await connect([db.url, '--allow-function', allow]);
      try {
        expect((await callOk<QueryResult>(allowed.client, 'postgres_query', { sql })).data.rows).toEqual([['1']]);
      } finally {
        await allowed.close();
      }
    }
  });

  it('runs every read in a READ ONLY transaction', async () => {
    const { client, close } = await connect([db.url]);
    const outcome = await call(client, 'postgres_query', {
      sql: "SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS t",
    });
    expect(outcome.structured?.rows).toEqual([['on', '30s']]);
    await close();
  });
});
