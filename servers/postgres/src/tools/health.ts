import { cursorInput, formatBytes, limitInput, moreSchema, pastLimit, section } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import * as z from 'zod';
import { catalogRows } from '../catalog.js';
import { connectionInput } from '../inputs.js';
import { tool } from '../kit.js';
import { maskPasswords, statementsSource } from '../statements.js';

/**
 * The health toolset: what a DBA looks at first. Every query reads statistics views only, inside
 * the same READ ONLY transaction and timeouts as everything else.
 */

const seconds = (value: number | null | undefined) =>
  value === null || value === undefined ? undefined : Math.round(value * 10) / 10;
const duration = (value: number | undefined) =>
  value === undefined
    ? ''
    : value < 120
      ? `${Math.round(value)}s`
      : value < 7_200
        ? `${Math.round(value / 60)}m`
        : `${(value / 3_600).toFixed(1)}h`;
const oneLine = (text: string | null | undefined, max = 160) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
/** Leave out empty fields: no null noise in results. */
function optional<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined && v !== '')) as {
    [K in keyof T]?: Exclude<T[K], null>;
  };
}

export const listActivityTool = tool({
  name: 'postgres_list_activity',
  title: 'Running queries and transactions',
  description:
    'Client sessions, oldest transaction first: state, query, query and transaction age, wait event and blocking pids; plus connections used of max_connections.',
  toolset: 'health',
  access: 'read',
  input: {
    min_seconds: z.number().min(0).default(0).describe('Only transactions (or queries) at least this old'),
    include_idle: z.boolean().default(false).describe('Include idle sessions'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    connections: z.object({ used: z.number(), max: z.number(), by_state: z.record(z.string(), z.number()) }),
    sessions: z.array(
      z.object({
        pid: z.number(),
        user: z.string().optional(),
        database: z.string().optional(),
        application: z.string().optional(),
        client: z.string().optional(),
        state: z.string().optional(),
        wait: z.string().optional(),
        transaction_seconds: z.number().optional(),
        query_seconds: z.number().optional(),
        query: z.string().optional(),
        blocked_by: z.array(z.number()),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const { summary, sessions } = await db.read(ctx.signal, async (client) => ({
      summary: await connectionUse(client),
      sessions: await catalogRows<{
        pid: number;
        user: string | null;
        database: string | null;
        application: string | null;
        client: string | null;
        state: string | null;
        wait: string | null;
        transaction_seconds: number | null;
        query_seconds: number | null;
        query: string | null;
        blocked_by: number[];
      }>(
        client,
        `SELECT a.pid, a.usename::text AS user, a.datname::text AS database, a.application_name AS application,
           a.client_addr::text AS client, a.state,
           CASE WHEN a.wait_event IS NOT NULL THEN a.wait_event_type || ':' || a.wait_event END AS wait,
           extract(epoch FROM now() - a.xact_start)::float8 AS transaction_seconds,
           extract(epoch FROM now() - a.query_start)::float8 AS query_seconds,
           left(a.query, 2000) AS query, pg_catalog.pg_blocking_pids(a.pid) AS blocked_by
         FROM pg_catalog.pg_stat_activity a
         WHERE a.backend_type = 'client backend' AND a.pid <> pg_catalog.pg_backend_pid()
           AND ($1 OR a.state IS DISTINCT FROM 'idle')
           AND coalesce(extract(epoch FROM now() - coalesce(a.xact_start, a.query_start)), 0) >= $2
         ORDER BY a.xact_start NULLS LAST, a.query_start NULLS LAST LIMIT 1000`,
        [args.include_idle, args.min_seconds],
      ),
    }));
    const shaped = sessions.map((s) => ({
      ...optional({
        user: s.user,
        database: s.database,
        application: s.application,
        client: s.client,
        state: s.state,
        wait: s.wait,
        transaction_seconds: seconds(s.transaction_seconds),
        query_seconds: seconds(s.query_seconds),
        query: maskPasswords(s.query) ?? undefined,
      }),
      pid: s.pid,
      blocked_by: s.blocked_by ?? [],
    }));
    const states = Object.entries(summary.by_state)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    return ctx.page({
      key: 'sessions',
      fields: { connection: db.name, connections: summary },
      items: shaped,
      head: `connections: ${summary.used} of ${summary.max} (${states || 'none'})`,
      table: {
        columns: ['pid', 'user', 'state', 'xact', 'query', 'wait', 'blocked by', 'query text'],
        cells: (s) => [
          s.pid,
          s.user ?? '',
          s.state ?? '',
          duration(s.transaction_seconds),
          duration(s.query_seconds),
          s.wait ?? '',
          s.blocked_by.join(' '),
          oneLine(s.query),
        ],
        maxCell: 160,
      },
      empty: 'No sessions match.',
      unit: ['session', 'sessions'],
      hint: 'Raise min_seconds to see only the oldest sessions.',
    });
  },
});

async function connectionUse(client: PoolClient): Promise<{ used: number; max: number; by_state: Record<string, number> }> {
  const rows = await catalogRows<{ state: string; n: number; max: number }>(
    client,
    `SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n, current_setting('max_connections')::int AS max
     FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC`,
  );
  const max =
    rows[0]?.max ??
    (await catalogRows<{ max: number }>(client, "SELECT current_setting('max_connections')::int AS max"))[0]?.max ??
    0;
  return { used: rows.reduce((sum, r) => sum + r.n, 0), max, by_state: Object.fromEntries(rows.map((r) => [r.state, r.n])) };
}

export const listLocksTool = tool({
  name: 'postgres_list_locks',
  title: 'Locks and blocked queries',
  description:
    'Sessions waiting for a lock and the sessions blocking them, with queries and ages; plus strong relation locks and advisory locks held.',
  toolset: 'health',
  access: 'read',
  input: { connection: connectionInput },
  output: {
    connection: z.string(),
    blocked: z.array(
      z.object({
        pid: z.number(),
        query: z.string().optional(),
        waiting_seconds: z.number().optional(),
        wait: z.string().optional(),
        blocking_pid: z.number(),
        blocking_state: z.string().optional(),
        blocking_query: z.string().optional(),
        blocking_transaction_seconds: z.number().optional(),
      }),
    ),
    locks: z.array(
      z.object({
        pid: z.number(),
        type: z.string(),
        mode: z.string(),
        granted: z.boolean(),
        relation: z.string().optional(),
        transaction_seconds: z.number().optional(),
        query: z.string().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const { blocked, locks } = await db.read(ctx.signal, async (client) => ({
      blocked: await catalogRows<Record<string, string | number | null>>(
        client,
        `SELECT w.pid, left(w.query, 1000) AS query, extract(epoch FROM now() - w.query_start)::float8 AS waiting_seconds,
           w.wait_event_type || ':' || w.wait_event AS wait, b.pid AS blocking_pid, b.state AS blocking_state,
           left(b.query, 1000) AS blocking_query, extract(epoch FROM now() - b.xact_start)::float8 AS blocking_transaction_seconds
         FROM pg_catalog.pg_stat_activity w
         CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
         JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid
         ORDER BY waiting_seconds DESC NULLS LAST LIMIT 500`,
      ),
      locks: await catalogRows<Record<string, string | number | boolean | null>>(
        client,
        `SELECT l.pid, l.locktype AS type, l.mode, l.granted,
           CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation,
           extract(epoch FROM now() - a.xact_start)::float8 AS transaction_seconds, left(a.query, 500) AS query
         FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
         WHERE l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
           AND (l.database IS NULL OR l.database = 0 OR l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))
           AND (NOT l.granted OR l.locktype = 'advisory'
                OR (l.locktype = 'relation' AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')))
         ORDER BY l.granted, transaction_seconds DESC NULLS LAST LIMIT 500`,
      ),
    }));
    const blockedRows = blocked.map((b) => ({
      ...optional({
        query: maskPasswords(b.query as string | null),
        waiting_seconds: seconds(b.waiting_seconds as number | null),
        wait: b.wait as string | null,
        blocking_state: b.blocking_state as string | null,
        blocking_query: maskPasswords(b.blocking_query as string | null),
        blocking_transaction_seconds: seconds(b.blocking_transaction_seconds as number | null),
      }),
      pid: b.pid as number,
      blocking_pid: b.blocking_pid as number,
    }));
    const lockRows = locks.map((l) => ({
      ...optional({
        relation: l.relation as string | null,
        transaction_seconds: seconds(l.transaction_seconds as number | null),
        query: maskPasswords(l.query as string | null),
      }),
      pid: l.pid as number,
      type: String(l.type),
      mode: String(l.mode),
      granted: l.granted === true,
    }));
    return ctx.page({
      sections: [
        section({
          key: 'blocked',
          items: blockedRows,
          title: 'blocked sessions:',
          empty: 'No session is waiting for a lock.',
          table: {
            columns: ['pid', 'waiting', 'query', 'blocked by', 'state', 'xact', 'blocking query'],
            cells: (b) => [
              b.pid,
              duration(b.waiting_seconds),
              oneLine(b.query, 80),
              b.blocking_pid,
              b.blocking_state ?? '',
              duration(b.blocking_transaction_seconds),
              oneLine(b.blocking_query, 80),
            ],
          },
        }),
        section({
          key: 'locks',
          items: lockRows,
          title: 'locks held or awaited:',
          empty: 'No strong or advisory locks are held.',
          table: {
            columns: ['pid', 'type', 'mode', 'granted', 'relation', 'xact', 'query'],
            cells: (l) => [
              l.pid,
              l.type,
              l.mode,
              l.granted ? 'yes' : 'WAITING',
              l.relation ?? '',
              duration(l.transaction_seconds),
              oneLine(l.query, 80),
            ],
          },
        }),
      ],
      fields: { connection: db.name },
      unit: ['entry', 'entries'],
      hint: 'The longest waits and strongest locks come first.',
    });
  },
});

type Status = 'ok' | 'warning' | 'critical';

export const checkHealthTool = tool({
  name: 'postgres_check_health',
  title: 'Database health overview',
  description:
    'Health checks, each ok, warning or critical: the role SQL from a model runs as, connection use, cache hit ratio, wraparound age, long and idle-in-transaction sessions, invalid indexes, overdue vacuum, inactive replication slots, pg_stat_statements.',
  toolset: 'health',
  access: 'read',
  input: { connection: connectionInput },
  output: {
    connection: z.string(),
    checks: z.array(
      z.object({
        check: z.string(),
        status: z.enum(['ok', 'warning', 'critical']),
        detail: z.string(),
        next: z.string().optional(),
      }),
    ),
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const [row] = await db.read(ctx.signal, (client) =>
      catalogRows<Record<string, number | string | null>>(
        client,
        `SELECT
           (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')::int AS used,
           current_setting('max_connections')::int AS max,
           (SELECT sum(blks_hit) FROM pg_catalog.pg_stat_database WHERE datname = current_database())::float8 AS hits,
           (SELECT sum(blks_read) FROM pg_catalog.pg_stat_database WHERE datname = current_database())::float8 AS reads,
           (SELECT max(age(datfrozenxid)) FROM pg_catalog.pg_database)::float8 AS xid_age,
           (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' AND now() - xact_start > interval '5 minutes')::int AS long_transactions,
           (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE state LIKE 'idle in transaction%' AND now() - state_change > interval '1 minute')::int AS idle_in_transaction,
           (SELECT count(*) FROM pg_catalog.pg_index WHERE NOT indisvalid)::int AS invalid_indexes,
           (SELECT count(*) FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid
              WHERE s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8
                                   + current_setting('autovacuum_vacuum_scale_factor')::float8 * greatest(c.reltuples, 0) * 2)::int AS overdue_vacuum,
           (SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE NOT active)::int AS inactive_slots,
           (SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements')::int AS statements`,
      ),
    );
    const n = (key: string) => Number(row?.[key] ?? 0);
    const checks: Array<{ check: string; status: Status; detail: string; next?: string }> = [];
    // First, what this server does with the database: who SQL from a model runs as.
    const reads = await db.readsStatus();
    checks.push({ check: 'read-only', status: reads.status, detail: reads.detail });
    const share = n('max') > 0 ? n('used') / n('max') : 0;
    checks.push({
      check: 'connections',
      status: share > 0.95 ? 'critical' : share > 0.8 ? 'warning' : 'ok',
      detail: `${n('used')} of ${n('max')} client connections in use (${Math.round(share * 100)}%)`,
      next: 'postgres_list_activity',
    });
    const total = n('hits') + n('reads');
    const ratio = total > 0 ? n('hits') / total : 1;
    checks.push({
      check: 'cache hit ratio',
      status: total < 10_000 ? 'ok' : ratio < 0.9 ? 'critical' : ratio < 0.99 ? 'warning' : 'ok',
      detail: total > 0 ? `${(ratio * 100).toFixed(2)}% of block reads served from shared buffers` : 'no block reads yet',
    });
    const wrap = n('xid_age') / 2 ** 31;
    checks.push({
      check: 'transaction ID wraparound',
      status: wrap > 0.75 ? 'critical' : wrap > 0.25 ? 'warning' : 'ok',
      detail: `oldest database is ${Math.round(wrap * 100)}% of the way to wraparound (age ${n('xid_age')})`,
      next: 'postgres_check_vacuum',
    });
    checks.push({
      check: 'long transactions',
      status: n('long_transactions') > 0 ? 'warning' : 'ok',
      detail: `${n('long_transactions')} transactions open for over 5 minutes`,
      next: 'postgres_list_activity',
    });
    checks.push({
      check: 'idle in transaction',
      status: n('idle_in_transaction') > 0 ? 'warning' : 'ok',
      detail: `${n('idle_in_transaction')} sessions idle inside a transaction for over a minute (they hold locks and stop vacuum)`,
      next: 'postgres_list_activity',
    });
    checks.push({
      check: 'invalid indexes',
      status: n('invalid_indexes') > 0 ? 'warning' : 'ok',
      detail: `${n('invalid_indexes')} invalid indexes (usually a failed CREATE INDEX CONCURRENTLY)`,
      next: 'postgres_check_indexes',
    });
    checks.push({
      check: 'vacuum',
      status: n('overdue_vacuum') > 0 ? 'warning' : 'ok',
      detail: `${n('overdue_vacuum')} tables have over twice the dead rows that trigger autovacuum`,
      next: 'postgres_check_vacuum',
    });
    checks.push({
      check: 'replication slots',
      status: n('inactive_slots') > 0 ? 'warning' : 'ok',
      detail: `${n('inactive_slots')} inactive replication slots (they keep WAL on disk)`,
    });
    checks.push({
      check: 'pg_stat_statements',
      status: 'ok',
      detail:
        n('statements') > 0 ? 'installed in this database' : 'not installed in this database, so top queries are unavailable',
      next: 'postgres_list_top_queries',
    });
    const text = checks.map((c) => `${c.status.toUpperCase().padEnd(8)} ${c.check}: ${c.detail}`).join('\n');
    return { structured: { connection: db.name, checks }, text };
  },
});

export const checkIndexesTool = tool({
  name: 'postgres_check_indexes',
  title: 'Unused, duplicate and invalid indexes',
  description:
    'Invalid indexes, indexes never scanned since the statistics reset (not unique or primary keys), and exact duplicates, with sizes.',
  toolset: 'health',
  access: 'read',
  input: { connection: connectionInput },
  output: {
    connection: z.string(),
    stats_since: z.string().optional(),
    invalid: z.array(z.object({ index: z.string(), table: z.string(), definition: z.string(), bytes: z.number() })),
    unused: z.array(z.object({ index: z.string(), table: z.string(), bytes: z.number(), definition: z.string() })),
    duplicates: z.array(z.object({ indexes: z.array(z.string()), table: z.string(), bytes: z.number(), definition: z.string() })),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const result = await db.read(ctx.signal, async (client) => ({
      since: (
        await catalogRows<{ since: string | null }>(
          client,
          'SELECT stats_reset::text AS since FROM pg_catalog.pg_stat_database WHERE datname = current_database()',
        )
      )[0]?.since,
      invalid: await catalogRows<{ index: string; table: string; definition: string; bytes: number }>(
        client,
        `SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS table,
           pg_catalog.pg_get_indexdef(i.indexrelid) AS definition, pg_catalog.pg_relation_size(i.indexrelid)::float8 AS bytes
         FROM pg_catalog.pg_index i WHERE NOT i.indisvalid ORDER BY 1 LIMIT 200`,
      ),
      unused: await catalogRows<{ index: string; table: string; bytes: number; definition: string }>(
        client,
        `SELECT s.indexrelid::regclass::text AS index, s.relid::regclass::text AS table,
           pg_catalog.pg_relation_size(s.indexrelid)::float8 AS bytes, pg_catalog.pg_get_indexdef(s.indexrelid) AS definition
         FROM pg_catalog.pg_stat_user_indexes s JOIN pg_catalog.pg_index i ON i.indexrelid = s.indexrelid
         WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = s.indexrelid)
         ORDER BY 3 DESC, 1 LIMIT 200`,
      ),
      duplicates: await catalogRows<{ indexes: string[]; table: string; bytes: number; definition: string }>(
        client,
        `SELECT array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid)::text[] AS indexes, i.indrelid::regclass::text AS table,
           sum(pg_catalog.pg_relation_size(i.indexrelid))::float8 AS bytes, min(pg_catalog.pg_get_indexdef(i.indexrelid)) AS definition
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
         GROUP BY i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,
           coalesce(i.indexprs::text, ''), coalesce(i.indpred::text, '')
         HAVING count(*) > 1 ORDER BY 3 DESC LIMIT 200`,
      ),
    }));
    return ctx.page({
      sections: [
        section({
          key: 'invalid',
          items: result.invalid,
          title: 'invalid indexes:',
          empty: 'No invalid indexes.',
          line: (i) => `  ${i.definition} (${formatBytes(i.bytes)})`,
        }),
        section({
          key: 'unused',
          items: result.unused,
          title: `never scanned${result.since ? ` since ${result.since}` : ''}:`,
          empty: 'No unused indexes.',
          line: (i) => `  ${i.index} on ${i.table} (${formatBytes(i.bytes)})`,
        }),
        section({
          key: 'duplicates',
          items: result.duplicates,
          title: 'duplicates:',
          empty: 'No duplicate indexes.',
          line: (d) => `  ${d.indexes.join(' = ')} on ${d.table} (${formatBytes(d.bytes)} together)`,
        }),
      ],
      fields: { connection: db.name, ...(result.since ? { stats_since: result.since } : {}) },
      unit: ['index', 'indexes'],
      hint: 'The largest indexes come first.',
    });
  },
});

export const checkVacuumTool = tool({
  name: 'postgres_check_vacuum',
  title: 'Table bloat and vacuum status',
  description:
    'Per table, most dead rows first: live and dead rows, estimated bloat, last vacuum and analyze, whether autovacuum is due, transaction ID age.',
  toolset: 'health',
  access: 'read',
  input: {
    schema: z.string().optional().describe('Only tables in this schema'),
    limit: limitInput(50, 500, 'tables'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    tables: z.array(
      z.object({
        table: z.string(),
        live_rows: z.number(),
        dead_rows: z.number(),
        bytes: z.number(),
        bloat_bytes: z.number().optional(),
        last_vacuum: z.string().optional(),
        last_autovacuum: z.string().optional(),
        last_analyze: z.string().optional(),
        last_autoanalyze: z.string().optional(),
        vacuum_due: z.boolean(),
        xid_age: z.number(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const rows = await db.read(ctx.signal, (client) =>
      catalogRows<Record<string, string | number | boolean | null>>(
        client,
        `SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS table,
           s.n_live_tup::float8 AS live_rows, s.n_dead_tup::float8 AS dead_rows,
           pg_catalog.pg_table_size(s.relid)::float8 AS bytes,
           CASE WHEN w.width IS NOT NULL AND c.reltuples > 0 THEN greatest(0,
             c.relpages::float8 * bs - ceil(c.reltuples / greatest(1, floor((bs - 24) * ff / 100 / (ceil((24 + w.width) / 8.0) * 8 + 4)))) * bs)
           END AS bloat_bytes,
           s.last_vacuum::text, s.last_autovacuum::text, s.last_analyze::text, s.last_autoanalyze::text,
           s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8
             + current_setting('autovacuum_vacuum_scale_factor')::float8 * greatest(c.reltuples, 0) AS vacuum_due,
           age(c.relfrozenxid)::float8 AS xid_age
         FROM pg_catalog.pg_stat_user_tables s
         JOIN pg_catalog.pg_class c ON c.oid = s.relid
         CROSS JOIN LATERAL (SELECT current_setting('block_size')::float8 AS bs,
           coalesce((SELECT substring(o FROM 'fillfactor=(\\d+)')::float8 FROM unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) AS ff) k
         LEFT JOIN LATERAL (SELECT sum(st.avg_width)::float8 AS width FROM pg_catalog.pg_stats st
           WHERE st.schemaname = s.schemaname AND st.tablename = s.relname) w ON true
         WHERE $1::text IS NULL OR s.schemaname = $1
         ORDER BY s.n_dead_tup DESC, bytes DESC, 1 OFFSET $3 LIMIT $2`,
        // One past the limit, to know whether more exist.
        [args.schema ?? null, args.limit + 1, ctx.position.offset],
      ),
    );
    const tables = rows.map((r) => ({
      ...optional({
        bloat_bytes: r.bloat_bytes === null ? undefined : Math.round(r.bloat_bytes as number),
        last_vacuum: r.last_vacuum as string | null,
        last_autovacuum: r.last_autovacuum as string | null,
        last_analyze: r.last_analyze as string | null,
        last_autoanalyze: r.last_autoanalyze as string | null,
      }),
      table: String(r.table),
      live_rows: Number(r.live_rows),
      dead_rows: Number(r.dead_rows),
      bytes: Number(r.bytes),
      vacuum_due: r.vacuum_due === true,
      xid_age: Number(r.xid_age),
    }));
    const day = (v?: string) => (v ? v.slice(0, 16) : '');
    return ctx.page({
      key: 'tables',
      fields: { connection: db.name },
      ...pastLimit(tables, 'limit', args.limit),
      table: {
        columns: ['table', 'live', 'dead', 'size', 'bloat≈', 'last vacuum', 'last analyze', 'due', 'xid age'],
        cells: (t) => [
          t.table,
          t.live_rows,
          t.dead_rows,
          formatBytes(t.bytes),
          t.bloat_bytes !== undefined ? formatBytes(t.bloat_bytes) : '?',
          day([t.last_vacuum, t.last_autovacuum].filter(Boolean).sort().pop()),
          day([t.last_analyze, t.last_autoanalyze].filter(Boolean).sort().pop()),
          t.vacuum_due ? 'yes' : '',
          t.xid_age,
        ],
      },
      empty: 'No user tables.',
      unit: ['table', 'tables'],
      hint: 'Or pass schema to narrow the list.',
    });
  },
});

const SORTS = {
  total_time: 'total_ms DESC',
  mean_time: 'mean_ms DESC',
  calls: 'calls DESC',
  rows: 'rows DESC',
  io: 'blocks_read DESC',
} as const;

export const topQueriesTool = tool({
  name: 'postgres_list_top_queries',
  title: 'Top queries (pg_stat_statements)',
  description:
    'The costliest statements from pg_stat_statements: calls, total and mean time, rows, cache hits, disk reads. Says how to enable the extension when it is missing.',
  toolset: 'health',
  access: 'read',
  input: {
    sort_by: z.enum(['total_time', 'mean_time', 'calls', 'rows', 'io']).default('total_time').describe('What "top" means'),
    limit: limitInput(20, 100, 'statements'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    available: z.boolean(),
    reason: z.string().optional(),
    queries: z.array(
      z.object({
        query: z.string(),
        calls: z.number(),
        total_ms: z.number(),
        mean_ms: z.number(),
        rows: z.number(),
        blocks_hit: z.number(),
        blocks_read: z.number(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    type Outcome =
      | { reason: string }
      | {
          queries: Array<{
            query: string;
            calls: number;
            total_ms: number;
            mean_ms: number;
            rows: number;
            blocks_hit: number;
            blocks_read: number;
          }>;
        };
    const outcome = await db.read(ctx.signal, async (client): Promise<Outcome> => {
      const state = await statementsSource(client);
      if ('reason' in state) return state;
      const { time } = state;
      const queries = await catalogRows<{
        query: string;
        calls: number;
        total_ms: number;
        mean_ms: number;
        rows: number;
        blocks_hit: number;
        blocks_read: number;
      }>(
        client,
        `SELECT left(s.query, 2000) AS query, s.calls::float8 AS calls, s.${time.total}::float8 AS total_ms, s.${time.mean}::float8 AS mean_ms,
           s.rows::float8 AS rows, s.shared_blks_hit::float8 AS blocks_hit, s.shared_blks_read::float8 AS blocks_read
         FROM ${state.schema}.pg_stat_statements s
         WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
         ORDER BY ${SORTS[args.sort_by]}, s.queryid OFFSET $2 LIMIT $1`,
        // One past the limit, to know whether more exist.
        [args.limit + 1, ctx.position.offset],
      );
      return { queries };
    });
    if ('reason' in outcome) {
      return { structured: { connection: db.name, available: false, reason: outcome.reason, queries: [] }, text: outcome.reason };
    }
    const queries = outcome.queries.map((q) => ({
      ...q,
      query: maskPasswords(q.query) ?? '',
      total_ms: Math.round(q.total_ms * 100) / 100,
      mean_ms: Math.round(q.mean_ms * 1000) / 1000,
    }));
    return ctx.page({
      key: 'queries',
      fields: { connection: db.name, available: true },
      ...pastLimit(queries, 'limit', args.limit),
      table: {
        columns: ['calls', 'total ms', 'mean ms', 'rows', 'hit', 'read', 'query'],
        cells: (q) => [q.calls, q.total_ms, q.mean_ms, q.rows, q.blocks_hit, q.blocks_read, oneLine(q.query, 200)],
        maxCell: 200,
      },
      empty: 'pg_stat_statements has no statements recorded for this database yet.',
      unit: ['statement', 'statements'],
      hint: 'The top statements come first.',
    });
  },
});

export const healthTools = [listActivityTool, listLocksTool, checkHealthTool, checkIndexesTool, checkVacuumTool, topQueriesTool];
