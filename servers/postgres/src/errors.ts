import { type FailedCall, redact, ToolError } from '@patchbay/kit';
import type { PostgresServices } from './client.js';
import { ConnectFailed, connectProblem } from './connect-errors.js';

interface PgError {
  code?: string;
  message: string;
  position?: string;
  hint?: string;
  detail?: string;
}

/** What the model can do about each class of database error. */
const ADVICE: Array<[RegExp, string]> = [
  [/^42P01$/, 'List tables with postgres_list_tables or find one with postgres_search_schema.'],
  [/^42703$/, 'See the columns with postgres_describe_table.'],
  [/^42883$/, 'Check the function name and argument types; cast arguments explicitly (e.g. $1::int).'],
  [/^42P18$|^42P08$/, 'Cast the parameter so its type is known, e.g. $1::text or $1::int.'],
  [/^08P01$/, 'Pass exactly one value in params for each $n placeholder.'],
  [/^42501$/, "The connection's role lacks this privilege; ask the operator."],
  [/^25006$/, 'This connection only reads; changes need a read-write connection and postgres_execute.'],
  [/^55P03$/, 'Another session holds a conflicting lock; try again later.'],
  [/^(40001|40P01)$/, 'Retry the call.'],
  [/^(22|23|42|2F|0A)/, 'Fix the SQL or the parameters and try again.'],
];

function isPgError(error: unknown): error is PgError {
  return (
    error instanceof Error && typeof (error as PgError).code === 'string' && /^[0-9A-Z]{5}$/.test((error as PgError).code ?? '')
  );
}

/**
 * The connector's one error table: what the database said, as a result the model (or the
 * operator) can act on — the SQLSTATE with its message, position and advice, naming the argument
 * at fault; a connection that could not be made, with what to change. Anything else is a fault.
 */
export function mapPostgresError(error: unknown, call: FailedCall<PostgresServices>): ToolError | undefined {
  if (error instanceof ConnectFailed) {
    const problem = connectProblem(error, error.spec);
    const as = error.role ? ` as the read role "${error.role}"` : '';
    return new ToolError(
      `could not connect to the database "${error.spec.name}" (${error.spec.display})${as}: ${problem?.what ?? redact(error.message)}.`,
      { hint: problem?.fix ?? 'The database may be down or the URL wrong; the operator can check the server log.' },
    );
  }
  const name = connectionName(call);
  const on = name ? ` on "${name}"` : '';
  if (isPgError(error)) {
    const code = error.code as string;
    const argument = argumentAtFault(error, call.args);
    if (code === '57014') {
      const timedOut = /statement timeout/.test(error.message);
      const timeout = call.services.options.statementTimeout;
      return new ToolError(
        timedOut
          ? `ran longer than the statement timeout (${timeout} ms) and was cancelled in the database.`
          : 'was cancelled in the database.',
        {
          ...(argument ? { argument } : {}),
          ...(timedOut
            ? {
                hint: 'Make the query cheaper (a WHERE on an indexed column, a LIMIT), or ask the operator to raise --statement-timeout.',
              }
            : {}),
        },
      );
    }
    const where = error.position ? ` (at character ${error.position})` : '';
    const serverHint = error.hint ? ` PostgreSQL hint: ${error.hint}` : '';
    const detail = error.detail ? ` Detail: ${error.detail}` : '';
    const advice = ADVICE.find(([pattern]) => pattern.test(code))?.[1];
    return new ToolError(`failed${on}: ${error.message}${where} [SQLSTATE ${code}].${detail}${serverHint}`, {
      ...(argument ? { argument } : {}),
      ...(advice ? { hint: advice } : {}),
    });
  }
  if (error instanceof Error && /Connection terminated|ECONNRESET|server closed the connection/i.test(error.message)) {
    return new ToolError(`lost the database session${on} while running: ${error.message}.`, {
      hint: 'The database may have restarted or ended the session; retry the call.',
    });
  }
  return undefined;
}

/** The SQL argument a database error belongs to: `statements[i].sql` for one of several, else `sql`. */
function argumentAtFault(error: unknown, args: Record<string, unknown>): string | undefined {
  const index = (error as { statementIndex?: unknown }).statementIndex;
  if (typeof index === 'number') return `statements[${index}].sql`;
  return typeof args.sql === 'string' ? 'sql' : undefined;
}

/** The connection the call used, as its handler chose it (a write's default is the read-write one). */
function connectionName({ tool, args, services }: FailedCall<PostgresServices>): string | undefined {
  const named = typeof args.connection === 'string' ? args.connection : undefined;
  try {
    return (tool === 'postgres_execute' ? services.writable(named) : services.database(named)).name;
  } catch {
    return undefined;
  }
}
