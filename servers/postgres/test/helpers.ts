import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connected, connectInMemory, type InMemoryOptions } from '@patchbay/testing';
import pg from 'pg';
import { inject } from 'vitest';
import type { PostgresServices } from '../src/client.js';
import { postgresConnector } from '../src/connector.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.cjs');

/** Superuser URL of the run's PostgreSQL server (see global-setup.ts); empty when there is none. */
export const ADMIN_URL = inject('postgresAdminUrl');
/** True when there is no database: the suites skip, and global setup said why on stderr. */
export const NO_DATABASE = ADMIN_URL === '';

/** An in-memory client for the PostgreSQL connector with the given flags. */
export function connect(argv: string[], options: Omit<InMemoryOptions, 'argv'> = {}): Promise<Connected<PostgresServices>> {
  return connectInMemory(postgresConnector, { ...options, argv });
}

export function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user !== undefined) parsed.username = user;
  if (password !== undefined) parsed.password = password;
  return parsed.toString();
}

export interface TestDatabase {
  name: string;
  /** The database's URL as the superuser. */
  url: string;
  /** Run SQL as the superuser in this database. */
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** A separate superuser session in this database (for locks, long transactions). */
  session(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** Run SQL as the superuser in the server's maintenance database (roles, databases). */
export async function adminSql(text: string, adminUrl = ADMIN_URL): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/**
 * A database of its own for one test file, so files running in parallel never collide; on the
 * run's server, or on the one `adminUrl` names (a server started with other settings).
 */
export async function createTestDatabase(label: string, adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const name = `pb_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await adminSql(`CREATE DATABASE ${name}`, adminUrl);
  const url = withDatabase(adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sessions: pg.Client[] = [];
  return {
    name,
    url,
    async sql<T>(text: string, values?: unknown[]) {
      return (await client.query(text, values)).rows as T[];
    },
    async session() {
      const session = new pg.Client({ connectionString: url });
      await session.connect();
      session.on('error', () => undefined);
      sessions.push(session);
      return session;
    },
    async drop() {
      await Promise.allSettled(sessions.map((s) => s.end()));
      await client.end();
      await adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, adminUrl);
    },
  };
}

/** A small shop: two schemas, keys both ways, a view, a materialized view, comments, a same-named table. */
export async function seedShop(db: TestDatabase): Promise<void> {
  await db.sql(`
    CREATE SCHEMA shop;
    COMMENT ON SCHEMA shop IS 'The web shop';
    CREATE TABLE shop.customers (
      id serial PRIMARY KEY,
      email text NOT NULL UNIQUE,
      name text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE shop.customers IS 'People who bought something';
    COMMENT ON COLUMN shop.customers.email IS 'Login email';
    CREATE TABLE shop.products (
      id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      sku text NOT NULL,
      price numeric(10,2) NOT NULL CONSTRAINT price_not_negative CHECK (price >= 0)
    );
    CREATE TABLE shop.orders (
      id bigserial PRIMARY KEY,
      customer_id int NOT NULL REFERENCES shop.customers(id) ON DELETE CASCADE,
      product_id int REFERENCES shop.products(id),
      quantity int NOT NULL DEFAULT 1,
      total numeric(12,2) GENERATED ALWAYS AS (quantity * 10) STORED,
      note text
    );
    CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
    CREATE VIEW shop.order_totals AS SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
    CREATE MATERIALIZED VIEW shop.customer_counts AS SELECT count(*) AS n FROM shop.customers;
    CREATE TABLE public.customers (id int PRIMARY KEY, legacy boolean);
    INSERT INTO shop.customers (email, name) VALUES ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace'), ('linus@example.com', NULL);
    INSERT INTO shop.products (sku, price) VALUES ('BOOK-1', 12.50), ('PEN-2', 1.99);
    INSERT INTO shop.orders (customer_id, product_id, quantity, note) VALUES (1, 1, 2, 'gift'), (1, 2, 1, NULL), (2, 1, 5, 'bulk');
    ANALYZE;
  `);
}

/** A table of 100,000 rows. */
export async function seedBig(db: TestDatabase): Promise<void> {
  await db.sql(`
    CREATE TABLE public.big AS
      SELECT g AS id, md5(g::text) AS name, (g % 97)::numeric / 7 AS score, timestamptz '2024-01-01' + g * interval '1 minute' AS created
      FROM generate_series(1, 100000) AS g;
    ALTER TABLE public.big ADD PRIMARY KEY (id);
    ANALYZE public.big;
  `);
}

/** Poll until `check` returns true, or fail after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 8_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sessions running a query that contains `marker`, other than the one asking. */
export async function runningWith(db: TestDatabase, marker: string): Promise<number> {
  const rows = await db.sql<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid() AND state <> 'idle'",
    [marker],
  );
  return rows[0]?.n ?? 0;
}

/** The text of a resource read's first content. */
export function resourceText(result: { contents: ReadonlyArray<object> }): string {
  const text = (result.contents[0] as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

/** A string for SQL nested inside a string literal of SQL (crosstab's text, dblink's query…). */
export const nested = (sql: string) => sql.replace(/'/g, "''");

/**
 * SQL for a dblink connection string back to the same test server and database, as the superuser
 * over trust authentication: what an attacker would use to leave the read-only transaction.
 */
export const SAME_SERVER =
  "'host=127.0.0.1 port=' || current_setting('port') || ' dbname=' || current_database() || ' user=postgres'";
