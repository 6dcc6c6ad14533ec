import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, NO_DATABASE, type TestDatabase } from './helpers.js';

type Any = Record<string, any>;

describe.skipIf(NO_DATABASE)('postgres_execute on read-write connections', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('write');
    await db.sql('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(() => db?.drop());

  const count = async (table = 'notes') => (await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n;

  it('is offered only when a connection is read-write, annotated destructive, and hidden by --read-only', async () => {
    const readOnly = await connect([db.url, '--toolsets', 'all']);
    expect((await readOnly.client.listTools()).tools.map((t) => t.name)).not.toContain('postgres_execute');
    await readOnly.close();

    const writable = await connect([db.url, '--read-write', 'main']);
    const tool = (await writable.client.listTools()).tools.find((t) => t.name === 'postgres_execute');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    await writable.close();

    const locked = await connect([db.url, '--read-write', 'main', '--read-only']);
    expect((await locked.client.listTools()).tools.map((t) => t.name)).not.toContain('postgres_execute');
    await locked.close();
  });

  it('executes one statement with parameters and returns affected and RETURNING rows', async () => {
    const { client, close } = await connect([db.url, '--read-write', 'main']);
    const result = await callOk<Any>(client, 'postgres_execute', {
      sql: 'INSERT INTO notes (body) VALUES ($1), ($2) RETURNING id, body',
      params: ['one', 'two'],
    });
    expect(result.data).toMatchObject({ connection: 'main', committed: true });
    expect(result.data.results[0]).toMatchObject({
      command: 'INSERT',
      rows_affected: 2,
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'body', type: 'text' },
      ],
    });
    expect(result.data.results[0].rows.map((r: unknown[]) => r[1])).toEqual(['one', 'two']);
    expect(result.text).toMatch(/^Committed on "main"\.\nINSERT — 2 rows\ncolumns: id integer, body text\n/);
    expect(await count()).toBe(2);
    await close();
  });

  it('runs a list of statements in one transaction and rolls all back when one fails', async () => {
    const { client, close } = await connect([db.url, '--read-write', 'main']);
    const ok = await callOk<Any>(client, 'postgres_execute', {
      statements: [
        { sql: 'CREATE TABLE tags (name text PRIMARY KEY)' },
        { sql: 'INSERT INTO tags VALUES ($1), ($2)', params: ['a', 'b'] },
        { sql: "UPDATE tags SET name = name || '!'" },
      ],
    });
    expect(ok.data.results.map((r: Any) => [r.command, r.rows_affected])).toEqual([
      ['CREATE', undefined],
      ['INSERT', 2],
      ['UPDATE', 2],
    ]);
    const failed = await callError(client, 'postgres_execute', {
      statements: [{ sql: "INSERT INTO tags VALUES ('c')" }, { sql: "INSERT INTO tags VALUES ('a!')" }],
    });
    // The error table names the statement at fault.
    expect(failed).toMatch(
      /^Argument `statements\[1\]\.sql`: failed on "main": statement 2 of 2: duplicate key value violates unique constraint "tags_pkey".*\[SQLSTATE 23505\]/,
    );
    expect(await count('tags')).toBe(2);
    await close();
  });

  it('refuses transaction control and the server host before running anything', async () => {
    const { client, close } = await connect([db.url, '--read-write', 'main']);
    const before = await count();
    expect(
      await callError(client, 'postgres_execute', {
        statements: [{ sql: "INSERT INTO notes (body) VALUES ('x')" }, { sql: 'COMMIT' }],
      }),
    ).toMatch(/^Argument `statements\[1\]\.sql`: was refused: transaction control is the server's/);
    expect(await callError(client, 'postgres_execute', { sql: "COPY notes TO PROGRAM 'id'" })).toMatch(
      /reaches the database host/,
    );
    expect(await callError(client, 'postgres_execute', { sql: "SELECT lo_import('/etc/passwd')" })).toMatch(
      /lo_import\(\) is not allowed/,
    );
    expect(await callError(client, 'postgres_execute', { sql: 'SELECT 1; DELETE FROM notes' })).toMatch(/holds 2 statements/);
    expect(await callError(client, 'postgres_execute', { sql: 'SELECT 1', statements: [{ sql: 'SELECT 2' }] })).toMatch(
      /either `sql`/,
    );
    expect(await count()).toBe(before);
    await close();
  });

  it('writes only where the operator allowed it', async () => {
    const { client, close } = await connect([
      '--connection',
      `prod=${db.url}`,
      '--connection',
      `dev=${db.url}`,
      '--read-write',
      'dev',
    ]);
    expect(
      await callError(client, 'postgres_execute', { sql: "INSERT INTO notes (body) VALUES ('x')", connection: 'prod' }),
    ).toBe(
      'Argument `connection`: connection "prod" is read-only. Writes need a connection the operator started with --read-write <name>.',
    );
    const implicit = await callOk<Any>(client, 'postgres_execute', { sql: "INSERT INTO notes (body) VALUES ('via dev')" });
    expect(implicit.data.connection).toBe('dev');
    // Reads on the read-write connection are still read-only.
    expect(await callError(client, 'postgres_query', { sql: 'DELETE FROM notes', connection: 'dev' })).toMatch(
      /DELETE is not a read/,
    );
    await close();
  });

  it('keeps writes under the statement timeout and RETURNING output under the budget', async () => {
    const { client, close } = await connect([
      db.url,
      '--read-write',
      'main',
      '--statement-timeout',
      '500',
      '--output-budget',
      '2048',
    ]);
    expect(await callError(client, 'postgres_execute', { sql: 'SELECT pg_sleep(5)' })).toMatch(/statement timeout \(500 ms\)/);
    const many = await callOk<Any>(client, 'postgres_execute', {
      sql: "INSERT INTO notes (body) SELECT 'bulk ' || g FROM generate_series(1, 5000) g RETURNING id, body",
    });
    expect(many.data.results[0].rows_affected).toBe(5000);
    expect(many.data.results[0].rows.length).toBeLessThan(5000);
    expect(many.data.results[0].more.omitted).toBe(5000 - many.data.results[0].rows.length);
    expect(Buffer.byteLength(JSON.stringify(many.data))).toBeLessThanOrEqual(2048 * 1.1);
    await close();
  });
});
