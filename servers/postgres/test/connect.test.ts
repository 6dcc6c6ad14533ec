import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { callError, callOk, startThrowawayCluster, type TestServer } from '@patchbay/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectProblem, targetOf } from '../src/connect-errors.js';
import { login } from '../src/probe.js';
import { connect, eventually, NO_DATABASE, withDatabase } from './helpers.js';

/**
 * Connection problems, each against a real PostgreSQL: a cluster of this file's own, whose
 * pg_hba.conf asks three roles for a password (SCRAM, MD5, cleartext), so nothing here races
 * another test file over authentication rules. Each cause is said twice — on stderr at start, by
 * the start-up check, and by a call's error — in the same words, with what to change; a
 * permanent problem never says to try again.
 */
describe.skipIf(NO_DATABASE)('connection problems', () => {
  let cluster: TestServer | undefined;
  let skip = '';
  let admin = '';
  let password: string | undefined;
  let passfile: string | undefined;
  const RETRY = /retry|try again|later/i;

  const url = (user: string, secret?: string, database = 'postgres') => withDatabase(admin, database, user, secret);

  /** The start-up check's line and a call's error for a server started on `target`. */
  async function problems(target: string): Promise<{ line: string; error: string }> {
    const logs: string[] = [];
    const { client, close } = await connect([target], { logs });
    try {
      await eventually(async () => logs.some((l) => l.includes('cannot connect to the database')), 15_000, 'the check');
      const line = logs.find((l) => l.includes('cannot connect to the database')) ?? '';
      const error = await callError(client, 'postgres_query', { sql: 'SELECT 1' });
      return { line, error };
    } finally {
      await close();
    }
  }

  beforeAll(async () => {
    // pg and the check take a password from PGPASSWORD (and pg from a .pgpass file) too; these
    // tests say what each URL gives.
    password = process.env.PGPASSWORD;
    passfile = process.env.PGPASSFILE;
    delete process.env.PGPASSWORD;
    process.env.PGPASSFILE = path.join(os.tmpdir(), 'pb-no-such-pgpass');
    try {
      cluster = await startThrowawayCluster();
    } catch (error) {
      skip = `no throwaway cluster: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    admin = cluster.adminUrl;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`
        CREATE ROLE pb_scram LOGIN PASSWORD 'right-scram';
        SET password_encryption = 'md5';
        CREATE ROLE pb_md5 LOGIN PASSWORD 'right-md5';
        RESET password_encryption;
        CREATE ROLE pb_plain LOGIN PASSWORD 'right-plain';
      `);
      const { rows } = await client.query<{ hba_file: string }>('SHOW hba_file');
      const file = rows[0]?.hba_file as string;
      const lines = [
        'host all pb_scram 127.0.0.1/32 scram-sha-256',
        'host all pb_md5 127.0.0.1/32 md5',
        'host all pb_plain 127.0.0.1/32 password',
        'host all pb_ghost 127.0.0.1/32 scram-sha-256',
      ];
      writeFileSync(file, `${lines.join('\n')}\n${readFileSync(file, 'utf8')}`);
      await client.query('SELECT pg_reload_conf()');
    } finally {
      await client.end();
    }
  }, 120_000);
  afterAll(async () => {
    if (password !== undefined) process.env.PGPASSWORD = password;
    if (passfile === undefined) delete process.env.PGPASSFILE;
    else process.env.PGPASSFILE = passfile;
    await cluster?.stop();
  });

  it('logs in with each password method, and the check says so only at debug level', async (ctx) => {
    if (skip) ctx.skip(skip);
    for (const [user, secret] of [
      ['pb_scram', 'right-scram'],
      ['pb_md5', 'right-md5'],
      ['pb_plain', 'right-plain'],
      ['postgres', undefined],
    ] as const) {
      expect(await login(targetOf(url(user, secret))), user).toBe('logged-in');
      const logs: string[] = [];
      const { client, close } = await connect([url(user, secret)], { logs });
      try {
        await eventually(async () => logs.some((l) => l.includes('accepts the login')), 10_000, 'the check');
        expect(
          logs.filter((l) => !l.includes(' debug ')),
          user,
        ).toEqual([]);
        expect((await callOk<{ rows: unknown[][] }>(client, 'postgres_query', { sql: 'SELECT 1' })).data.rows).toEqual([[1]]);
      } finally {
        await close();
      }
    }
  });

  it('a wrong password: names the role and the setting to correct, whatever the method', async (ctx) => {
    if (skip) ctx.skip(skip);
    for (const user of ['pb_scram', 'pb_md5', 'pb_plain']) {
      const { line, error } = await problems(url(user, 'wrong-pw'));
      const said = `PostgreSQL refused the password of role "${user}": it is wrong, or there is no role "${user}" (PostgreSQL does not say which). Correct the user or the password in the database URL (the first argument or DATABASE_URL); a password may also come from PGPASSWORD.`;
      expect(line).toContain(`warn cannot connect to the database "main" (${url(user)}): ${said}`);
      expect(error).toBe(`could not connect to the database "main" (${url(user)}): ${said}`);
      expect(line + error).not.toContain('wrong-pw');
      expect(line + error).not.toMatch(RETRY);
    }
  });

  it('no such role: said as such where PostgreSQL says it (trust), and with the password where it does not', async (ctx) => {
    if (skip) ctx.skip(skip);
    const trusted = await problems(url('pb_nobody'));
    expect(trusted.line).toMatch(
      /there is no role "pb_nobody" on 127\.0\.0\.1:\d+\. Name an existing role as the user in the database URL/,
    );
    expect(trusted.error).toMatch(
      /: there is no role "pb_nobody" on 127\.0\.0\.1:\d+\. Name an existing role .*CREATE ROLE "pb_nobody" LOGIN/,
    );
    // Under password authentication PostgreSQL answers an unknown role as a wrong password.
    const hidden = await problems(url('pb_ghost', 'any-pw'));
    expect(hidden.error).toMatch(/it is wrong, or there is no role "pb_ghost"/);
    for (const text of [trusted.line, trusted.error, hidden.line, hidden.error]) expect(text).not.toMatch(RETRY);
  });

  it('no such database: names it and how to find or create one', async (ctx) => {
    if (skip) ctx.skip(skip);
    const { line, error } = await problems(url('postgres', undefined, 'pb_no_such_db'));
    for (const text of [line, error]) {
      expect(text).toMatch(
        /there is no database "pb_no_such_db" on 127\.0\.0\.1:\d+\. Name an existing database in the database URL .*CREATE DATABASE "pb_no_such_db"\); psql -l lists them\./,
      );
      expect(text).not.toMatch(RETRY);
    }
  });

  it('no password given where the server asks for one: says where to put it, for each method', async (ctx) => {
    if (skip) ctx.skip(skip);
    for (const user of ['pb_scram', 'pb_md5', 'pb_plain']) {
      const { line, error } = await problems(url(user));
      for (const text of [line, error]) {
        expect(text, user).toContain(
          `the server asks role "${user}" for a password and none is given. Put the password in the database URL (the first argument or DATABASE_URL) after the user name (${user}:PASSWORD@127.0.0.1, percent-encoded), or set PGPASSWORD.`,
        );
        expect(text).not.toMatch(RETRY);
      }
    }
  });

  it('a password kept in a .pgpass file: the check does not claim none is given, and the call uses it', async (ctx) => {
    if (skip) ctx.skip(skip);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-pgpass-'));
    const file = path.join(dir, 'pgpass');
    writeFileSync(file, `127.0.0.1:*:*:pb_scram:right-scram\n`, { mode: 0o600 });
    const none = process.env.PGPASSFILE;
    process.env.PGPASSFILE = file;
    try {
      const logs: string[] = [];
      const { client, close } = await connect([url('pb_scram')], { logs });
      try {
        await eventually(async () => logs.some((l) => l.includes('password file this check does not read')), 10_000, 'the check');
        expect(logs.filter((l) => l.includes(' warn '))).toEqual([]);
        expect((await callOk<{ rows: unknown[][] }>(client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual(
          [['pb_scram']],
        );
      } finally {
        await close();
      }
    } finally {
      process.env.PGPASSFILE = none;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a named connection names --connection as the setting to change', async (ctx) => {
    if (skip) ctx.skip(skip);
    const { line } = await problems(`--connection=shop=${url('postgres', undefined, 'pb_no_such_db')}`);
    expect(line).toMatch(/cannot connect to the database "shop" .* in --connection shop=… \(or PATCHBAY_POSTGRES_CONNECTIONS\)/);
  });

  it('cannot reach host:port: a closed port, a name that does not resolve, a server that never answers', async () => {
    const port = await closedPort();
    const refused = await problems(`postgres://postgres@127.0.0.1:${port}/postgres`);
    for (const text of [refused.line, refused.error]) {
      expect(text).toContain(
        `nothing accepts connections at 127.0.0.1:${port} (ECONNREFUSED). Check that PostgreSQL runs there and that the host and port in the database URL (the first argument or DATABASE_URL) are right.`,
      );
    }
    const unresolved = await problems('postgres://postgres@pb-no-such-host.invalid:5432/postgres');
    for (const text of [unresolved.line, unresolved.error]) {
      expect(text).toMatch(
        /the host name "pb-no-such-host\.invalid" does not resolve \((ENOTFOUND|EAI_AGAIN)\)\. Check the host in the database URL/,
      );
    }

    // A server that takes the connection and never answers: the check gives up after its time
    // limit, and so does pg, and both say the same.
    const silent = await silentServer();
    try {
      const target = `postgres://postgres@127.0.0.1:${silent.port}/postgres`;
      const spec = { name: 'main', url: target, display: target, mode: 'read-only' as const, origin: 'url' as const };
      const checked = await login(targetOf(target), 300).catch((error: unknown) => error);
      const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: 300 });
      const connected = await client.connect().catch((error: unknown) => error);
      for (const error of [checked, connected]) {
        expect(connectProblem(error, spec)).toEqual({
          what: `127.0.0.1:${silent.port} did not answer in time`,
          fix: 'Check that PostgreSQL runs there and that the host and port in the database URL (the first argument or DATABASE_URL) are right, and that no firewall stands between this machine and it.',
          transient: false,
        });
      }
    } finally {
      silent.close();
    }
  });

  it('never holds up initialize: a database that never answers is checked in the background', async () => {
    const silent = await silentServer();
    try {
      const { client, close } = await connect([`postgres://postgres@127.0.0.1:${silent.port}/postgres`]);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('postgres_query');
      await close();
    } finally {
      silent.close();
    }
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
