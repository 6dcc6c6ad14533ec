import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, connect, createTestDatabase, eventually, NO_DATABASE, type TestDatabase, withDatabase } from './helpers.js';

interface Rows {
  rows: unknown[][];
}
interface Check {
  check: string;
  status: string;
  detail: string;
}

/**
 * Who SQL from a model runs as. On a superuser connection the server logs reads in as a role of
 * its own that cannot write, read server files or run programs; where it cannot, reads are refused
 * unless the operator accepts the risk with --allow-superuser-reads. On any other connection reads
 * run as the connection's role, or SET ROLE to the one --read-role names. The doctor line on
 * stderr and postgres_check_health say which.
 */
describe.skipIf(NO_DATABASE)('the role reads run as', () => {
  let db: TestDatabase;
  const tag = randomBytes(3).toString('hex');
  const writer = `pb_rw_writer_${tag}`;
  const reader = `pb_rw_reader_${tag}`;
  const stranger = `pb_rw_stranger_${tag}`;
  const rejected = `pb_rw_rejected_${tag}`;
  const scram = `pb_rw_scram_${tag}`;
  const heir = `pb_rw_heir_${tag}`;
  const turned = `pb_rw_turned_${tag}`;
  let hbaFile: string | undefined;
  let hbaBefore = '';

  const checkHealth = async (client: Awaited<ReturnType<typeof connect>>['client']) =>
    (await callOk<{ checks: Check[] }>(client, 'postgres_check_health')).data.checks.find(
      (c) => c.check === 'read-only',
    ) as Check;

  beforeAll(async () => {
    db = await createTestDatabase('reader');
    await db.sql(`
      CREATE TABLE items (id int PRIMARY KEY, secret text);
      INSERT INTO items VALUES (1, 'a'), (2, 'b');
      CREATE ROLE ${writer} LOGIN;
      CREATE ROLE ${reader} NOLOGIN;
      CREATE ROLE ${stranger} NOLOGIN;
      CREATE ROLE ${heir} LOGIN;
      GRANT postgres TO ${heir};
      GRANT USAGE ON SCHEMA public TO ${writer}, ${reader};
      GRANT SELECT, INSERT, DELETE ON items TO ${writer};
      GRANT SELECT ON items TO ${reader};
      GRANT ${reader} TO ${writer};
    `);
    // Authentication rules for two roles of this test only: one never may log in, one must use a
    // SCRAM password. The lines go first in pg_hba.conf and are removed afterwards.
    const [row] = await db.sql<{ hba_file: string }>('SHOW hba_file');
    try {
      accessSync(row?.hba_file ?? '', constants.W_OK);
      hbaFile = row?.hba_file;
    } catch {
      hbaFile = undefined;
    }
    if (hbaFile) {
      hbaBefore = readFileSync(hbaFile, 'utf8');
      const lines = [
        `host all ${rejected} 0.0.0.0/0 reject`,
        `host all ${rejected} ::/0 reject`,
        `host all ${scram} 0.0.0.0/0 scram-sha-256`,
        `host all ${scram} ::/0 scram-sha-256`,
      ];
      writeFileSync(hbaFile, `${lines.join('\n')}\n${hbaBefore}`);
      await db.sql('SELECT pg_reload_conf()');
    }
  });
  afterAll(async () => {
    if (hbaFile) {
      writeFileSync(hbaFile, hbaBefore);
      await db?.sql('SELECT pg_reload_conf()');
    }
    await db?.drop();
    for (const role of [writer, reader, stranger, rejected, scram, heir, turned])
      await adminSql(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it('on a superuser connection, logs reads in as a role of its own and says so', async () => {
    const logs: string[] = [];
    const { client, close } = await connect([db.url, '--toolsets', 'all', '--connection', `again=${db.url}`], { logs });
    try {
      const who = await callOk<Rows>(client, 'postgres_query', {
        sql: 'SELECT current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser',
      });
      expect(who.data.rows).toEqual([['patchbay_readonly', 'patchbay_readonly', false]]);
      expect((await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT count(*) FROM items' })).data.rows).toEqual([[2]]);
      const listed = await callOk<{ connections: Array<Record<string, unknown>> }>(client, 'postgres_list_connections');
      expect(listed.data.connections[0]).toMatchObject({ role: 'postgres', superuser: true, reads_as: 'patchbay_readonly' });
      const health = await checkHealth(client);
      expect(health).toMatchObject({ status: 'ok' });
      expect(health.detail).toMatch(/patchbay_readonly.*cannot write, read server files or run programs/);
      await eventually(async () => logs.some((l) => l.includes('which is a superuser')), 5_000, 'the doctor line');
      const doctor = logs.find((l) => l.includes('which is a superuser')) ?? '';
      expect(doctor).toMatch(/reads run as "patchbay_readonly", a role this server manages/);
    } finally {
      await close();
    }
  });

  it('reads tables created after the first read', async () => {
    const { client, close } = await connect([db.url]);
    try {
      await callOk(client, 'postgres_query', { sql: 'SELECT 1' });
      await db.sql(`CREATE TABLE later_${tag} AS SELECT 42 AS answer`);
      const result = await callOk<Rows>(client, 'postgres_query', { sql: `SELECT answer FROM later_${tag}` });
      expect(result.data.rows).toEqual([[42]]);
    } finally {
      await close();
    }
  });

  it('logs in with a password it sets when the database asks for one', async (ctx) => {
    if (!hbaFile) ctx.skip('pg_hba.conf of the test server is not writable here');
    const { client, close } = await connect([db.url, '--read-role', scram]);
    try {
      const result = await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT current_user' });
      expect(result.data.rows).toEqual([[scram]]);
      const [row] = await db.sql<{ verifier: string }>('SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = $1', [
        scram,
      ]);
      expect(row?.verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
    } finally {
      await close();
    }
  });

  it('a later start logs in again where the database asks for the password: it sets its own and logs in', async (ctx) => {
    if (!hbaFile) ctx.skip('pg_hba.conf of the test server is not writable here');
    // The role exists from the test above, with another process's password: the login started
    // beside the plan's facts is refused, and the plan sets this process's password.
    const first = await connect([db.url, '--read-role', scram]);
    try {
      expect((await callOk<Rows>(first.client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual([[scram]]);
    } finally {
      await first.close();
    }
    await db.sql(`ALTER ROLE ${scram} PASSWORD 'not-this-process'`);
    const later = await connect([db.url, '--read-role', scram]);
    try {
      expect((await callOk<Rows>(later.client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual([[scram]]);
    } finally {
      await later.close();
    }
  });

  it('creates no read role for a statement it refuses', async () => {
    const role = `pb_rw_unmade_${tag}`;
    const { client, close } = await connect([db.url, '--read-role', role]);
    try {
      expect(await callError(client, 'postgres_query', { sql: 'DELETE FROM items' })).toMatch(/is not a read/);
      expect(await db.sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).toEqual([]);
      expect((await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual([[role]]);
    } finally {
      await close();
      await db.sql(`DROP OWNED BY ${role}`).catch(() => undefined);
      await adminSql(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
  });

  it('refuses reads on a superuser connection when its read role cannot log in, unless the operator accepts the risk', async (ctx) => {
    if (!hbaFile) ctx.skip('pg_hba.conf of the test server is not writable here');
    const logs: string[] = [];
    const refused = await connect([db.url, '--read-role', rejected, '--toolsets', 'all'], { logs });
    try {
      const message = await callError(refused.client, 'postgres_query', { sql: 'SELECT 1' });
      expect(message).toMatch(/^reads on "main" are refused: /);
      expect(message).toMatch(/--allow-superuser-reads/);
      expect(message).toContain(rejected);
      const health = await checkHealth(refused.client);
      expect(health).toMatchObject({ status: 'critical' });
      await eventually(async () => logs.some((l) => l.includes('which is a superuser')), 5_000, 'the doctor line');
      expect(logs.join('\n')).toMatch(/which is a superuser.*reads are refused/);
    } finally {
      await refused.close();
    }

    const accepted = await connect([db.url, '--read-role', rejected, '--allow-superuser-reads', '--toolsets', 'all']);
    try {
      const who = await callOk<Rows>(accepted.client, 'postgres_query', { sql: 'SELECT current_user' });
      expect(who.data.rows).toEqual([['postgres']]);
      // As a superuser the checks are all there is: whatever reads a secret catalog is refused,
      // PostgreSQL's own filtered views included.
      for (const sql of [
        'SELECT rolname FROM pg_roles',
        "SELECT histogram_bounds FROM pg_stats WHERE tablename = 'pg_authid'",
        'SELECT umoptions FROM pg_user_mappings',
        'SELECT * FROM information_schema.user_mapping_options',
        'SELECT * FROM pg_authid',
      ]) {
        expect(await callError(accepted.client, 'postgres_query', { sql }), sql).toMatch(
          /^Argument `sql`: was refused: .* is not readable here/,
        );
      }
      expect((await checkHealth(accepted.client)).status).toBe('critical');
    } finally {
      await accepted.close();
    }
  });

  it('treats a role that can become a superuser (a member of one) as a superuser: reads log in as the read role', async () => {
    const url = withDatabase(db.url, db.name, heir);
    const logs: string[] = [];
    const { client, close } = await connect([url], { logs });
    try {
      // SET ROLE postgres is open to it, and to SQL no check sees: reading as it would not hold.
      const who = await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT current_user, session_user' });
      expect(who.data.rows).toEqual([['patchbay_readonly', 'patchbay_readonly']]);
      await eventually(async () => logs.some((l) => l.includes('which can become a superuser')), 5_000, 'the doctor line');
    } finally {
      await close();
    }
  });

  it('refuses reads as soon as its read role is made more than a reader, and reads again once that is undone', async () => {
    const { client, close } = await connect([db.url, '--read-role', turned]);
    try {
      expect((await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual([[turned]]);
      await adminSql(`GRANT postgres TO ${turned}`);
      const message = await callError(client, 'postgres_query', { sql: 'SELECT 1' });
      expect(message).toMatch(
        /are refused: the role reads run as \("pb_rw_turned_\w+"\) has become a superuser or a member of one/,
      );
      // Asked again, the server refuses to use it at all until it is a reader only.
      expect(await callError(client, 'postgres_query', { sql: 'SELECT 1' })).toMatch(
        /was given more than reading \(.*member of postgres/,
      );
      await adminSql(`REVOKE postgres FROM ${turned}`);
      expect((await callOk<Rows>(client, 'postgres_query', { sql: 'SELECT current_user' })).data.rows).toEqual([[turned]]);
    } finally {
      await close();
    }
  });

  it('never takes over a role it did not create', async () => {
    const { client, close } = await connect([db.url, '--read-role', stranger]);
    try {
      const message = await callError(client, 'postgres_query', { sql: 'SELECT 1' });
      expect(message).toContain(stranger);
      expect(message).toMatch(/was not created by this server/);
      const [row] = await db.sql<{ login: boolean }>('SELECT rolcanlogin AS login FROM pg_roles WHERE rolname = $1', [stranger]);
      expect(row?.login).toBe(false);
    } finally {
      await close();
    }
  });

  it('on a connection whose role can write, reads as that role and says so; --read-role narrows it', async () => {
    const url = withDatabase(db.url, db.name, writer);
    const logs: string[] = [];
    const plain = await connect([url, '--toolsets', 'all'], { logs });
    try {
      const who = await callOk<Rows>(plain.client, 'postgres_query', { sql: 'SELECT current_user' });
      expect(who.data.rows).toEqual([[writer]]);
      expect((await checkHealth(plain.client)).status).toBe('warning');
      await eventually(async () => logs.some((l) => l.includes('able to write')), 5_000, 'the doctor line');
      expect(logs.find((l) => l.includes('able to write'))).toMatch(/--read-role/);
    } finally {
      await plain.close();
    }

    const narrowed = await connect([url, '--read-role', reader, '--toolsets', 'all']);
    try {
      const who = await callOk<Rows>(narrowed.client, 'postgres_query', { sql: 'SELECT current_user, session_user' });
      expect(who.data.rows).toEqual([[reader, writer]]);
      expect((await checkHealth(narrowed.client)).status).toBe('ok');
    } finally {
      await narrowed.close();
    }
  });

  it('refuses reads when --read-role names a role that can write', async () => {
    const url = withDatabase(db.url, db.name, writer);
    const { client, close } = await connect([url, '--read-role', writer]);
    try {
      const message = await callError(client, 'postgres_query', { sql: 'SELECT 1' });
      expect(message).toMatch(new RegExp(`--read-role names "${writer}", which (can write|is able to write)`));
    } finally {
      await close();
    }
  });

  it('refuses a --read-role that is not a role name', async () => {
    await expect(connect([db.url, '--read-role', 'bad name; DROP'])).rejects.toThrow(/--read-role/);
  });
});
