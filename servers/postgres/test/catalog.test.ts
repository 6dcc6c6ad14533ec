import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, NO_DATABASE, type TestDatabase } from './helpers.js';

type Any = Record<string, any>;

describe.skipIf(NO_DATABASE)('postgres catalog toolset', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('catalog');
    await db.sql(`
      CREATE EXTENSION citext;
      CREATE SCHEMA app;
      CREATE TABLE app.accounts (id serial PRIMARY KEY, email citext NOT NULL, balance numeric NOT NULL DEFAULT 0, updated timestamptz);
      INSERT INTO app.accounts (email) VALUES ('a@example.com'), ('b@example.com');
      CREATE VIEW app.rich AS SELECT id, email FROM app.accounts WHERE balance > 100;
      CREATE MATERIALIZED VIEW app.totals AS SELECT count(*) AS n FROM app.accounts;
      CREATE MATERIALIZED VIEW app.later AS SELECT 1 AS one WITH NO DATA;
      CREATE FUNCTION app.double(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
      CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
      CREATE PROCEDURE app.reset_balance(who int) LANGUAGE sql AS 'UPDATE app.accounts SET balance = 0 WHERE id = who';
      CREATE TRIGGER accounts_touch BEFORE INSERT OR UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.touch();
      CREATE SEQUENCE app.tickets AS bigint START 1000 INCREMENT 10;
      SELECT nextval('app.tickets');
      COMMENT ON VIEW app.rich IS 'Accounts over 100';
    `);
    await db.sql(`ALTER DATABASE ${db.name} SET work_mem = '12MB'`);
    // A value shaped like a URL with a password (search_path takes any text) is masked.
    await db.sql(`ALTER DATABASE ${db.name} SET search_path = "$user", public, "postgres://svc:pa55word@db.internal/app"`);
  });
  afterAll(() => db?.drop());

  const catalog = () => connect([db.url, '--toolsets', 'catalog']);

  it('lists views and materialized views with their definitions', async () => {
    const { client, close } = await catalog();
    const views = await callOk<Any>(client, 'postgres_list_objects', { kind: 'view' });
    expect(views.data.objects).toEqual([
      {
        schema: 'app',
        name: 'rich',
        comment: 'Accounts over 100',
        definition: expect.stringMatching(
          /^SELECT accounts\.id,\s+accounts\.email\s+FROM app\.accounts\s+WHERE \(accounts\.balance > \(100\)::numeric\);$/,
        ),
        properties: { owner: 'postgres', updatable: true },
      },
    ]);
    const matviews = await callOk<Any>(client, 'postgres_list_objects', { kind: 'materialized_view' });
    expect(matviews.data.objects.map((o: Any) => [o.name, o.properties.populated])).toEqual([
      ['later', false],
      ['totals', true],
    ]);
    expect(matviews.text).toMatch(/^materialized view +rows≈ +populated +indexes +definition/);
    await close();
  });

  it('lists functions with signature, language, volatility and SECURITY DEFINER, leaving out those of extensions', async () => {
    const { client, close } = await catalog();
    const result = await callOk<Any>(client, 'postgres_list_objects', { kind: 'function' });
    const byName = Object.fromEntries(result.data.objects.map((o: Any) => [o.name, o]));
    expect(Object.keys(byName).sort()).toEqual(['double', 'reset_balance', 'touch']);
    expect(byName.double).toMatchObject({
      definition: 'double(x integer)',
      properties: { kind: 'function', returns: 'integer', language: 'sql', volatility: 'immutable', security_definer: false },
    });
    expect(byName.touch.properties).toMatchObject({ returns: 'trigger', language: 'plpgsql', security_definer: true });
    expect(byName.reset_balance.properties).toMatchObject({ kind: 'procedure' });
    expect(result.text).toMatch(/app\.touch\(\) +trigger +function +plpgsql +volatile +YES/);
    // citext's own functions belong to the extension.
    expect(result.data.objects.some((o: Any) => o.name.startsWith('citext'))).toBe(false);
    await close();
  });

  it('lists sequences, triggers and extensions', async () => {
    const { client, close } = await catalog();
    const sequences = await callOk<Any>(client, 'postgres_list_objects', { kind: 'sequence', schema: 'app' });
    expect(sequences.data.objects).toEqual([
      expect.objectContaining({
        name: 'accounts_id_seq',
        properties: expect.objectContaining({ type: 'integer', last_value: '2', owned_by: 'app.accounts.id' }),
      }),
      expect.objectContaining({
        name: 'tickets',
        properties: expect.objectContaining({
          type: 'bigint',
          start: '1000',
          increment: '10',
          last_value: '1000',
          max: '9223372036854775807',
        }),
      }),
    ]);
    const triggers = await callOk<Any>(client, 'postgres_list_objects', { kind: 'trigger' });
    expect(triggers.data.objects).toEqual([
      expect.objectContaining({
        schema: 'app',
        table: 'accounts',
        name: 'accounts_touch',
        definition: expect.stringMatching(/^CREATE TRIGGER accounts_touch BEFORE INSERT OR UPDATE ON app\.accounts/),
        properties: expect.objectContaining({
          timing: 'BEFORE',
          events: 'INSERT OR UPDATE',
          level: 'ROW',
          function: 'app.touch',
          enabled: 'yes',
        }),
      }),
    ]);
    const extensions = await callOk<Any>(client, 'postgres_list_objects', { kind: 'extension' });
    expect(extensions.data.objects.map((o: Any) => o.name)).toEqual(expect.arrayContaining(['citext', 'plpgsql']));
    expect(extensions.data.objects.find((o: Any) => o.name === 'citext')?.properties.version).toMatch(/^\d+\.\d+$/);
    const none = await callOk<Any>(client, 'postgres_list_objects', { kind: 'view', schema: 'public' });
    expect(none.text).toBe('No views in schema "public".');
    expect(await callError(client, 'postgres_list_objects', { kind: 'index' })).toMatch(/kind/);
    await close();
  });

  it('pages a long list with a cursor', async () => {
    await db.sql(
      "DO $$ BEGIN FOR i IN 1..30 LOOP EXECUTE format('CREATE FUNCTION app.f%s() RETURNS int LANGUAGE sql STABLE AS ''SELECT %s''', i, i); END LOOP; END $$",
    );
    const { client, close } = await catalog();
    const first = await callOk<Any>(client, 'postgres_list_objects', { kind: 'function', limit: 20 });
    expect(first.data.objects).toHaveLength(20);
    expect(first.data.more.cursor).toBeTruthy();
    const second = await callOk<Any>(client, 'postgres_list_objects', {
      kind: 'function',
      limit: 20,
      cursor: first.data.more.cursor,
    });
    expect(second.data.objects).toHaveLength(13);
    expect(new Set([...first.data.objects, ...second.data.objects].map((o: Any) => o.definition)).size).toBe(33);
    await close();
  });

  it('lists settings changed from their defaults, hiding values that can hold credentials', async () => {
    const { client, close } = await catalog();
    const result = await callOk<Any>(client, 'postgres_list_settings');
    const byName = Object.fromEntries(result.data.settings.map((s: Any) => [s.name, s]));
    expect(byName.work_mem).toMatchObject({ value: '12MB', default: '4096 kB', source: 'database', restart_needed: false });
    expect(byName.search_path.value).toBe('"$user", public, "postgres://svc:***@db.internal/app"');
    expect(byName.max_connections?.restart_needed ?? true).toBe(true);
    // This server's own session settings are not the database's.
    expect(byName.application_name).toBeUndefined();
    expect(byName.statement_timeout).toBeUndefined();
    expect(JSON.stringify(result.raw)).not.toMatch(/pa55word/);
    const named = await callOk<Any>(client, 'postgres_list_settings', { name: 'WORK_MEM' });
    const names = named.data.settings.map((s: Any) => s.name);
    expect(names).toEqual(expect.arrayContaining(['work_mem', 'maintenance_work_mem', 'autovacuum_work_mem']));
    expect(names.every((n: string) => n.includes('work_mem'))).toBe(true);
    await close();
  });
});
