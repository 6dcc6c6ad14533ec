import { formatBytes } from '@patchbay/kit';
import { describeTable, listTables, RELATION_KINDS, renderDescription, resolveTable } from '../catalog.js';
import { completeConnection, completeSchema, completeTableIn, quick } from '../completion.js';
import { template } from '../kit.js';

const LIST_LIMIT = 500;

export const tableSchemaResource = template({
  name: 'postgres_table_schema',
  title: 'Table schema',
  description: 'Columns, keys, foreign keys, indexes and constraints of one table, view or materialized view.',
  uriTemplate: 'postgres://{connection}/{schema}/{table}/schema',
  mimeType: 'text/plain',
  async list(services) {
    const lists = await Promise.all(
      services.databases.map(async (db) => {
        const tables = await db
          .read(quick(), (client) =>
            listTables(client, { kinds: RELATION_KINDS, includeSystem: false, offset: 0, limit: LIST_LIMIT }),
          )
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
    connection: (value, _context, services) => completeConnection(value, services),
    schema: (value, context, services) => completeSchema(value, context.connection, services),
    table: (value, context, services) => completeTableIn(value, context.schema, context.connection, services),
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
