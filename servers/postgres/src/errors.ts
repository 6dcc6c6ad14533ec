import { ToolError } from '@patchbay/kit';

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
 * A database error becomes a ToolError the model can act on: SQLSTATE, message, position, the
 * server's own hint and ours. Errors that are not the database's (a bug) are passed on as faults.
 */
export function databaseError(error: unknown, db: { name: string }, statementTimeout?: number): unknown {
  if (error instanceof ToolError) return error;
  if (isPgError(error)) {
    const code = error.code as string;
    if (code === '57014') {
      const timedOut = /statement timeout/.test(error.message);
      return new ToolError(
        timedOut
          ? `ran longer than the statement timeout${statementTimeout ? ` (${statementTimeout} ms)` : ''} and was cancelled in the database.`
          : 'was cancelled in the database.',
        {
          argument: 'sql',
          hint: timedOut
            ? 'Make the query cheaper (a WHERE on an indexed column, a LIMIT), or ask the operator to raise --statement-timeout.'
            : undefined,
        },
      );
    }
    const where = error.position ? ` (at character ${error.position})` : '';
    const serverHint = error.hint ? ` PostgreSQL hint: ${error.hint}` : '';
    const detail = error.detail ? ` Detail: ${error.detail}` : '';
    const advice = ADVICE.find(([pattern]) => pattern.test(code))?.[1];
    return new ToolError(`failed on "${db.name}": ${error.message}${where} [SQLSTATE ${code}].${detail}${serverHint}`, {
      argument: 'sql',
      ...(advice ? { hint: advice } : {}),
    });
  }
  if (error instanceof Error && /Connection terminated|ECONNRESET|server closed the connection/i.test(error.message)) {
    return new ToolError(`lost the database session of "${db.name}" while running: ${error.message}.`, {
      hint: 'The database may have restarted or ended the session; retry the call.',
    });
  }
  return error;
}
