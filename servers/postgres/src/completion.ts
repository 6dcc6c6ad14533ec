import { listSchemas, listTables, RELATION_KINDS, type TableRow } from './catalog.js';
import type { PostgresServices } from './client.js';

/** Completion and resource listing are not tool calls: no client cancel reaches them, so they get a bound of their own. */
export const quick = () => AbortSignal.timeout(10_000);

/** At most what a client shows: MCP caps a completion at 100 values. */
const MAX = 100;

export async function completeConnection(value: string, services: PostgresServices): Promise<string[]> {
  return services.databases.map((d) => d.name).filter((n) => n.startsWith(value));
}

export async function completeSchema(
  value: string,
  connection: string | undefined,
  services: PostgresServices,
): Promise<string[]> {
  const schemas = await services.database(connection).read(quick(), (client) => listSchemas(client, false));
  return schemas
    .map((s) => s.name)
    .filter((n) => n.startsWith(value))
    .slice(0, MAX);
}

/** Tables (of one schema, or of every user schema) whose name starts with `prefix`. */
function tablesStartingWith(
  prefix: string,
  schema: string | undefined,
  connection: string | undefined,
  services: PostgresServices,
): Promise<TableRow[]> {
  return services.database(connection).read(quick(), (client) =>
    listTables(client, {
      ...(schema ? { schema } : {}),
      kinds: RELATION_KINDS,
      includeSystem: false,
      offset: 0,
      limit: MAX,
      prefix,
    }),
  );
}

/** Bare table names in one schema, for the resource template's `{table}`. */
export async function completeTableIn(
  value: string,
  schema: string | undefined,
  connection: string | undefined,
  services: PostgresServices,
): Promise<string[]> {
  return (await tablesStartingWith(value, schema, connection, services)).map((t) => t.name);
}

/** `schema.table` names: a table prefix in any schema, or `schema.prefix` in one. */
export async function completeQualifiedTable(
  value: string,
  connection: string | undefined,
  services: PostgresServices,
): Promise<string[]> {
  const dot = value.indexOf('.');
  const tables =
    dot === -1
      ? await tablesStartingWith(value, undefined, connection, services)
      : await tablesStartingWith(value.slice(dot + 1), value.slice(0, dot), connection, services);
  return tables.map((t) => `${t.schema}.${t.name}`);
}
