import { ToolError } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import type { CalledFunction } from './guard.js';
import { isHarmlessVolatileBuiltin } from './policy.js';

interface ProcRow {
  name: string;
  schema: string;
  volatility: 'i' | 's' | 'v';
  nargs: number;
  /** The extension that owns the function, if one does. */
  extension: string | null;
  /** SECURITY DEFINER: it runs with its owner's privileges, not the reader's. */
  definer: boolean;
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/**
 * The catalog half of the function check, run inside the same transaction as the query. Every
 * function the statement names is looked up in every schema it could resolve to, and refused
 * unless the operator allowed it with --allow-function when it is:
 * - owned by an extension: extensions ship functions marked STABLE or IMMUTABLE that run SQL
 *   given as text (tablefunc's crosstab, xml2's xpath_table), so their volatility promises
 *   nothing; they are trusted no more than a user's function;
 * - SECURITY DEFINER: it runs with its owner's privileges, not those of the role reads run as;
 * - VOLATILE (may have side effects) and not a built-in known to only read or wait.
 * Built-in functions marked IMMUTABLE or STABLE keep that promise and are allowed.
 */
export async function checkFunctions(
  client: PoolClient,
  calls: CalledFunction[],
  allowed: readonly string[],
  /** Planning as the connection's role (EXPLAIN of a write): no function of yours is trusted. */
  asConnectionRole = false,
): Promise<void> {
  if (calls.length === 0) return;
  const names = [...new Set(calls.map((c) => c.name))];
  const { rows } = await client.query<ProcRow>({
    text: `SELECT p.proname AS name, n.nspname AS schema, p.provolatile AS volatility, p.pronargs AS nargs,
             (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
              WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e' LIMIT 1) AS extension,
             p.prosecdef AS definer
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
      const why = untrusted(candidate, asConnectionRole);
      if (!why) continue;
      // The operator may vouch for their own and extensions' functions, not for built-ins.
      const builtIn = SYSTEM_SCHEMAS.has(candidate.schema) && !candidate.extension && !candidate.definer;
      if (!builtIn && isAllowed(candidate, allowed)) continue;
      const qualified = `${candidate.schema}.${candidate.name}`;
      throw new ToolError(`was refused: it calls ${qualified}(), ${why}`, {
        argument: 'sql',
        hint: builtIn
          ? 'Read-only SQL may not call it.'
          : candidate.extension
            ? `If it only reads, the operator can allow it with --allow-function ${qualified} (or every function of the extension with --allow-function extension:${candidate.extension}).`
            : `If it only reads, the operator can allow it with --allow-function ${qualified}${candidate.definer ? '' : ', or mark it STABLE'}.`,
      });
    }
  }
}

/** Why a function is not trusted in read-only SQL, or undefined when it is. */
function untrusted(candidate: ProcRow, asConnectionRole: boolean): string | undefined {
  if (candidate.extension) {
    return `a function of the extension ${candidate.extension}, which this server does not trust to keep its volatility promise.`;
  }
  if (candidate.definer) return "a SECURITY DEFINER function, which runs with its owner's privileges.";
  if (asConnectionRole && !SYSTEM_SCHEMAS.has(candidate.schema)) {
    // Planning folds IMMUTABLE calls into constants: it would run with the connection role's privileges.
    return "a function outside the system catalogs, which planning a write would run with the connection role's privileges.";
  }
  if (candidate.volatility !== 'v') return undefined;
  if (SYSTEM_SCHEMAS.has(candidate.schema) && isHarmlessVolatileBuiltin(candidate.name)) return undefined;
  return 'a VOLATILE function, which may change data or server state.';
}

function isAllowed(candidate: ProcRow, allowed: readonly string[]): boolean {
  return (
    allowed.includes(candidate.name) ||
    allowed.includes(`${candidate.schema}.${candidate.name}`) ||
    (candidate.extension !== null && allowed.includes(`extension:${candidate.extension}`))
  );
}
