import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { load } from '@patchbay/kit';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionSpecs } from '../src/config.js';
import { postgresConnector } from '../src/connector.js';
import { warmUp } from '../src/modules.js';
import {
  adminSql,
  BIN,
  connect,
  createTestDatabase,
  eventually,
  NO_DATABASE,
  type TestDatabase,
  withDatabase,
} from './helpers.js';

/** What the operator is told: every problem, or the missing credential as its own kind. */
function problems(argv: string[], env: Record<string, string> = {}): string[] {
  const result = load(postgresConnector, { argv, env });
  if (result.status === 'invalid') return result.problems;
  if (result.status === 'missing-credentials') return result.missing.map((line) => `missing: ${line}`);
  if (result.status === 'ready') void result.runtime.close();
  return [];
}

function specs(argv: string[], env: Record<string, string> = {}) {
  const result = load(postgresConnector, { argv, env });
  if (result.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(result)}`);
  void result.runtime.close();
  return connectionSpecs(result.runtime.options).specs;
}

describe('connection options', () => {
  it('takes the URL as the first argument or DATABASE_URL, named "main" and read-only', () => {
    expect(specs(['postgres://u@h:5432/db'])).toEqual([
      { name: 'main', url: 'postgres://u@h:5432/db', display: 'postgres://u@h:5432/db', mode: 'read-only', origin: 'url' },
    ]);
    expect(specs([], { DATABASE_URL: 'postgresql://u@h/db' })[0]).toMatchObject({ name: 'main', mode: 'read-only' });
  });

  it('takes named connections, each with its own access mode', () => {
    const result = specs([
      'postgres://u@h/a',
      '--connection',
      'dev=postgres://me@localhost/dev',
      '--connection',
      'prod=postgres://r@db/prod',
      '--read-write',
      'dev',
    ]);
    expect(result.map((s) => [s.name, s.mode])).toEqual([
      ['main', 'read-only'],
      ['dev', 'read-write'],
      ['prod', 'read-only'],
    ]);
  });

  it('reads named connections and read-write names from the environment', () => {
    const result = specs([], {
      PATCHBAY_POSTGRES_CONNECTIONS: 'a=postgres://u@h/a,b=postgres://u@h/b',
      PATCHBAY_POSTGRES_READ_WRITE: 'b',
    });
    expect(result.map((s) => [s.name, s.url, s.mode])).toEqual([
      ['a', 'postgres://u@h/a', 'read-only'],
      ['b', 'postgres://u@h/b', 'read-write'],
    ]);
  });

  it('reports a missing database as a missing credential, alone', () => {
    expect(problems([])).toEqual([
      expect.stringMatching(/^missing: no database to connect to\. Pass a URL as the first argument/),
    ]);
  });

  it('reports every bad connection at once, never echoing a password', () => {
    const found = problems([
      'mysql://u:hunter22@h/db',
      '--connection',
      'Bad Name=postgres://u@h/db',
      '--connection',
      'dup=postgres://u@h/a',
      '--connection',
      'dup=postgres://u@h/b',
      '--read-write',
      'nosuch',
    ]);
    expect(found).toEqual([
      expect.stringMatching(/^--connection must look like name=postgres:/),
      'the database URL must be a postgres:// or postgresql:// URL (got "mysql://u:***@h/db").',
      'Two connections are named "dup"; give each --connection a different name.',
      '--read-write names "nosuch", which is not a connection. Connections: main, dup.',
    ]);
    expect(found.join('\n')).not.toContain('hunter22');
    expect(problems(['postgres://a@h/x', 'postgres://b@h/y'])).toEqual([
      'Give one database URL as the argument; name further databases with --connection name=url.',
    ]);
  });

  it('never echoes a password that a URL parser cannot read or that holds @, : or /', () => {
    // The bin prints these problems as they are, before any secret is registered.
    const cases = [
      ['postgres', 'qq1/zz2-ww3'],
      ['mysql', 'qq1/zz2-ww3'],
      ['mysql', 'qq1@zz2:ww3'],
      ['mysql', 'qq1:zz2@ww3'],
    ];
    for (const [scheme, password] of cases) {
      const url = `${scheme}://u:${password}@h/db`;
      const found = [...problems([url]), ...problems(['--connection', `Bad Name=${url}`])].filter((p) => p.includes('(got "'));
      expect(found).toHaveLength(2);
      for (const problem of found) {
        expect(problem).toContain('u:***@h/db');
        for (const part of ['qq1', 'zz2', 'ww3']) expect(problem).not.toContain(part);
      }
    }
  });

  it('never echoes the password of a key=value connection string, however it is written', () => {
    const cases = [
      'host=db.internal port=5432 dbname=shop user=app password=qq1zz2ww3',
      "host=db.internal dbname=shop password = 'qq1 zz2 ww3' user=app",
      "host=db.internal PASSWORD='qq1\\'zz2\\'ww3' dbname=shop",
      'mysql://app@db.internal/shop?sslmode=require&password=qq1zz2ww3',
    ];
    for (const conninfo of cases) {
      const found = [
        ...problems([conninfo]),
        ...problems(['--connection', `shop=${conninfo}`]),
        ...problems([], { DATABASE_URL: conninfo }),
      ];
      expect(found.length, conninfo).toBeGreaterThan(0);
      for (const part of ['qq1', 'zz2', 'ww3']) expect(found.join('\n'), conninfo).not.toContain(part);
    }
    expect(problems(['host=db.internal dbname=shop password=qq1zz2ww3'])).toEqual([
      expect.stringMatching(
        /^the database URL must be a postgres:\/\/ or postgresql:\/\/ URL; a key=value connection string .*is not read here/,
      ),
    ]);
  });

  it('prints no password on stderr when the bin refuses a key=value connection string', () => {
    const env = { ...process.env, DATABASE_URL: "host=127.0.0.1 user=app password='qq1 zz2ww3'" };
    const run = spawnSync(process.execPath, [BIN], { env, encoding: 'utf8', input: '' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/key=value connection string/);
    for (const part of ['qq1', 'zz2ww3']) expect(run.stderr).not.toContain(part);
  });

  it('exits with one line and code 2 when no database is given', () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const run = spawnSync(process.execPath, [BIN], { env, encoding: 'utf8', input: '' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'patchbay-postgres: no database to connect to. Pass a URL as the first argument (patchbay-postgres postgres://user@host:5432/db), set DATABASE_URL, or use --connection name=url.',
    ]);
    expect(run.stdout).toBe('');
  });
});

describe.skipIf(NO_DATABASE)('connections at run time', () => {
  let db: TestDatabase;
  const reader = `pb_reader_${randomBytes(3).toString('hex')}`;
  const writer = `pb_writer_${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    db = await createTestDatabase('config');
    await db.sql(`
      CREATE TABLE items (id int PRIMARY KEY);
      INSERT INTO items VALUES (1), (2);
      CREATE ROLE ${reader} LOGIN;
      CREATE ROLE ${writer} LOGIN;
      GRANT CONNECT ON DATABASE ${db.name} TO ${reader}, ${writer};
      GRANT USAGE ON SCHEMA public TO ${reader}, ${writer};
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}, ${writer};
      GRANT INSERT ON items TO ${writer};
    `);
  });
  afterAll(async () => {
    await db?.drop();
    if (db) await adminSql(`DROP ROLE IF EXISTS ${reader}; DROP ROLE IF EXISTS ${writer}`);
  });

  it('starts without the database; after initialize it only logs in once, keeps no session, creates nothing and says nothing', async () => {
    const logs: string[] = [];
    // A read role of its own name: a read would create it, the start-up check must not.
    const role = `pb_unmade_${randomBytes(3).toString('hex')}`;
    const { client, close } = await connect([db.url, '--read-role', role], { logs });
    await client.listTools();
    // The libraries a first call needs load in the background; the check logs in once.
    await warmUp();
    await eventually(async () => logs.some((l) => l.includes('accepts the login')), 5_000, 'the start-up check');
    expect(logs).toEqual([expect.stringMatching(/ debug the database "main" \(.*\) accepts the login\n?$/)]);
    await eventually(
      async () =>
        (
          await db.sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'patchbay-postgres%' AND datname = current_database()",
          )
        )[0]?.n === 0,
      5_000,
      'no session left',
    );
    expect(await db.sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).toEqual([]);
    await close();
  });

  it('warns once, after the first call, when the role is a superuser, with the SQL for a read-only role', async () => {
    const logs: string[] = [];
    const { client, close } = await connect([db.url], { logs });
    await callOk(client, 'postgres_query', { sql: 'SELECT 1' });
    await callOk(client, 'postgres_query', { sql: 'SELECT 2' });
    await eventually(async () => logs.some((l) => l.includes('superuser')), 5_000, 'the doctor warning');
    const warnings = logs.filter((l) => l.includes(' warn connection "main"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/uses role "postgres", which is a superuser\./);
    expect(warnings[0]).toContain('CREATE ROLE mcp_readonly LOGIN');
    expect(warnings[0]).toContain(`GRANT CONNECT ON DATABASE "${db.name}" TO mcp_readonly;`);
    await close();
  });

  it('warns about a role that can write on a read-only connection, and not about a reader', async () => {
    for (const [role, expected] of [
      [writer, /which is able to write/],
      [reader, undefined],
    ] as const) {
      const logs: string[] = [];
      const url = withDatabase(db.url, db.name, role);
      // A second connection offers postgres_list_connections, which waits for the role check.
      const { client, close } = await connect([url, '--connection', `again=${url}`], { logs });
      const result = await callOk<{ rows: unknown[][] }>(client, 'postgres_query', { sql: 'SELECT count(*) FROM items' });
      expect(result.data.rows).toEqual([[2]]);
      await callOk(client, 'postgres_list_connections');
      const warning = logs.find((l) => l.includes(`uses role "${role}"`));
      if (expected) expect(warning).toMatch(expected);
      else expect(warning).toBeUndefined();
      await close();
    }
  });

  it('never shows a password from a URL in results, errors or logs', async () => {
    const password = 'pw-Secret-9931';
    const unreachable = `postgres://postgres:${password}@127.0.0.1:1/nope`;
    const logs: string[] = [];
    const { client, close } = await connect(
      [unreachable, '--connection', `good=${withDatabase(db.url, db.name, 'postgres', password)}`],
      { logs },
    );
    const failure = await callError(client, 'postgres_query', { sql: 'SELECT 1' });
    expect(failure).toMatch(
      /^could not connect to the database "main" \(postgres:\/\/postgres@127\.0\.0\.1:1\/nope\): .*ECONNREFUSED/,
    );
    const listed = await callOk(client, 'postgres_list_connections');
    const ok = await callOk(client, 'postgres_query', { sql: 'SELECT current_user', connection: 'good' });
    const everything = [failure, JSON.stringify(listed.raw), JSON.stringify(ok.raw), ...logs].join('\n');
    expect(everything).not.toContain(password);
    expect(logs.join('')).toContain('cannot connect to the database');
    await close();
  });
});
