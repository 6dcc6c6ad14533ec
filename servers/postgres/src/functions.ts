import { ToolError } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import type { CalledFunction } from './guard.js';
import { isHarmlessVolatileBuiltin } from './policy.js';

interface ProcRow {
  name: string;
  schema: string;
  volatility: 'i' | 's' | 'v';
  nargs: number;
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/**
 * The catalog half of the function check, run inside the same READ ONLY transaction as the query.
 * Every function the statement names is looked up in every schema it could resolve to; if any
 * candidate is VOLATILE (may have side effects) the statement is refused, unless it is a built-in
 * known to only read or wait, or a function the operator allowed with --allow-function.
 * Functions marked IMMUTABLE or STABLE promise not to change the database.
 */
export async function checkFunctions(client: PoolClient, calls: CalledFunction[], allowed: readonly string[]): Promise<void> {
  if (calls.length === 0) return;
  const names = [...new Set(calls.map((c) => c.name))];
  const { rows } = await client.query<ProcRow>({
    text: `SELECT p.proname AS name, n.nspname AS schema, p.provolatile AS volatility, p.pronargs AS nargs
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proname = ANY($1::text[])`,
    values: [names],
  });
  for (const call of calls) {
    const candidates = rows.filter(
      (r) =>
        r.name === call.name && (call.schema === undefined || r.schema === call.schema) && (!call.attribute || r.nargs === 1),
    );
    for (const candidate of candidates) {
      if (candidate.volatility !== 'v') continue;
      if (SYSTEM_SCHEMAS.has(candidate.schema) ? isHarmlessVolatileBuiltin(candidate.name) : isAllowed(candidate, allowed))
        continue;
      const qualified = `${candidate.schema}.${candidate.name}`;
      throw new ToolError(`was refused: it calls ${qualified}(), a VOLATILE function, which may change data or server state.`, {
        argument: 'sql',
        hint: SYSTEM_SCHEMAS.has(candidate.schema)
          ? 'Read-only SQL may not call it.'
          : `If it only reads, the operator can allow it with --allow-function ${qualified}, or mark it STABLE.`,
      });
    }
  }
}

function isAllowed(candidate: ProcRow, allowed: readonly string[]): boolean {
  return allowed.includes(candidate.name) || allowed.includes(`${candidate.schema}.${candidate.name}`);
}
