import type { PoolClient } from 'pg';
import { catalogRows } from './catalog.js';

/**
 * pg_stat_statements, for the top queries and the workload index advice: whether it can be read
 * here and, when not, what the operator does about it. The server's own SQL, as the connection's
 * role.
 */

export type StatementsSource = { schema: string; time: { total: string; mean: string } } | { reason: string };

export async function statementsSource(client: PoolClient): Promise<StatementsSource> {
  const [state] = await catalogRows<{ schema: string | null; preload: string; version: number }>(
    client,
    `SELECT (SELECT quote_ident(n.nspname) FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
             WHERE e.extname = 'pg_stat_statements') AS schema,
       current_setting('shared_preload_libraries') AS preload, current_setting('server_version_num')::int AS version`,
  );
  if (!state?.schema) {
    return {
      reason:
        'pg_stat_statements is not installed in this database. A superuser enables it with CREATE EXTENSION pg_stat_statements; ' +
        "it also needs shared_preload_libraries = 'pg_stat_statements' in postgresql.conf and a restart.",
    };
  }
  if (!/(^|[,\s])"?pg_stat_statements"?($|[,\s])/.test(state.preload)) {
    return {
      reason:
        "pg_stat_statements is installed but not loaded: add it to shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements') and restart PostgreSQL.",
    };
  }
  const time =
    state.version >= 130000 ? { total: 'total_exec_time', mean: 'mean_exec_time' } : { total: 'total_time', mean: 'mean_time' };
  return { schema: state.schema, time };
}

export interface RecordedStatement {
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
}

/** This database's statements, costliest in total time first. */
export function topStatements(
  client: PoolClient,
  source: Extract<StatementsSource, { schema: string }>,
  limit: number,
): Promise<RecordedStatement[]> {
  return catalogRows<RecordedStatement>(
    client,
    `SELECT s.query, s.calls::float8 AS calls, s.${source.time.total}::float8 AS total_ms, s.${source.time.mean}::float8 AS mean_ms
     FROM ${source.schema}.pg_stat_statements s
     WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
     ORDER BY s.${source.time.total} DESC, s.queryid LIMIT $1`,
    [limit],
  );
}

/**
 * Other sessions' SQL can hold a role's password in plain text (`CREATE/ALTER ROLE … PASSWORD
 * '…'`); it is masked before any query text is shown. A literal cut short by `left()` is masked
 * to the end.
 */
const PASSWORD_LITERAL = /(\bPASSWORD\s+)(?:E?'(?:[^'\\]|''|\\[\s\S])*(?:'|$)|\$(\w*)\$[\s\S]*?(?:\$\2\$|$))/gi;
export const maskPasswords = (sql: string | null): string | null => sql?.replace(PASSWORD_LITERAL, "$1'***'") ?? null;
