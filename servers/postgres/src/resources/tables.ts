import { defineResourceTemplate, formatBytes } from '@patchbay/kit';
import { describeTable, listSchemas, listTables, renderDescription, resolveTable } from '../catalog.js';
import type { PostgresServices } from '../client.js';

const ALL_KINDS = ['r', 'p', 'v', 'm', 'f'];
const LIST_LIMIT = 500;
/** Completion and listing are not tool calls: no client cancel, so a bound of their own. */
const quick = () => AbortSignal.timeout(10_000);

export const tableSchemaResource = defineResourceTemplate<PostgresServices>({
  name: 'table-schema',
  title: 'Table schema',
  description: 'Columns, keys, foreign keys, indexes and constraints of one table, view or materialized view.',
  uriTemplate: 'postgres://{connection}/{schema}/{table}/schema',
  mimeType: 'text/plain',
  async list(services) {
    const lists = await Promise.all(
      services.databases.map(async (db) => {
        const tables = await db
          .read(quick(), (client) => listTables(client, { kinds: ALL_KINDS, includeSystem: false, offset: 0, limit: LIST_LIMIT }))
          .catch(() => []);
        return tables.map((t) => ({
          uri: `postgres://${encodeURIComponent(db.name)}/${encodeURIComponent(t.schema)}/${encodeURIComponent(t.name)}/schema`,
          name: `${db.name}: ${t.schema}.${t.name}`,
          title: `${t.kind} ${t.schema}.${t.name}`,
          mimeType: 'text/plain',
        }));
      }),
    );
    return lists.flat();
  },
  complete: {
    connection: async (value, _context, services) => services.databases.map((d) => d.name).filter((n) => n.startsWith(value)),
    schema: async (value, context, services) => {
      const db = services.database(context.connection);
      const schemas = await db.read(quick(), (client) => listSchemas(client, false));
      return schemas.map((s) => s.name).filter((n) => n.startsWith(value));
    },
    table: async (value, context, services) => {
      const db = services.database(context.connection);
      const schema = context.schema;
      const tables = await db.read(quick(), (client) =>
        listTables(client, {
          ...(schema ? { schema } : {}),
          kinds: ALL_KINDS,
          includeSystem: false,
          offset: 0,
          limit: LIST_LIMIT,
        }),
      );
      return tables.map((t) => t.name).filter((n) => n.startsWith(value));
    },
  },
  async read(uri, variables, ctx) {
    const db = ctx.services.database(decodeURIComponent(variables.connection ?? ''));
    const schema = decodeURIComponent(variables.schema ?? '');
    const table = decodeURIComponent(variables.table ?? '');
    const description = await db.read(ctx.signal, async (client) =>
      describeTable(client, await resolveTable(client, `"${table.replace(/"/g, '""')}"`, schema)),
    );
    return [{ uri: uri.href, mimeType: 'text/plain', text: renderDescription(description, formatBytes) }];
  },
});
