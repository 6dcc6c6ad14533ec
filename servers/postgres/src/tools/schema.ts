import {
  decodeCursor,
  defineTool,
  encodeCursor,
  formatBytes,
  formatTable,
  jsonSize,
  more,
  moreLine,
  moreSchema,
  type ToolContext,
} from '@patchbay/kit';
import * as z from 'zod';
import {
  describeTable,
  listSchemas,
  listTables,
  renderDescription,
  resolveTable,
  type SearchHit,
  searchSchema,
  type TableRow,
} from '../catalog.js';
import type { PostgresServices } from '../client.js';
import { connectionInput, schemaInput, tableInput } from '../inputs.js';

const PAGE = 500;

interface OffsetCursor extends Record<string, unknown> {
  offset: number;
}
const isOffset = (v: Record<string, unknown>): v is OffsetCursor => Number.isInteger(v.offset) && (v.offset as number) >= 0;
const offsetOf = (cursor: string | undefined) => (cursor ? decodeCursor<OffsetCursor>(cursor, isOffset).offset : 0);

/** Keep what fits the budget and build the `more` for the rest. */
function page<T>(ctx: ToolContext<PostgresServices>, items: T[], offset: number, tool: string, unit: string) {
  const hasNext = items.length > PAGE;
  const fitted = ctx.budget.take(items.slice(0, PAGE), { reserve: Math.min(1_024, Math.floor(ctx.budget.bytes / 4)) });
  // Always make progress: a page holds at least one item.
  if (fitted.items.length === 0 && items.length > 0) {
    fitted.items.push(items[0] as T);
    fitted.omitted--;
  }
  const next = offset + fitted.items.length;
  const moreInfo =
    fitted.omitted > 0 || hasNext
      ? more(
          fitted.omitted,
          `Call ${tool} again with the cursor for more ${unit}, or narrow the request.`,
          encodeCursor({ offset: next }),
        )
      : undefined;
  return { items: fitted.items, more: moreInfo };
}

export const listConnectionsTool = defineTool({
  name: 'postgres_list_connections',
  title: 'List database connections',
  description:
    'The databases this server can reach: name (the `connection` argument of every tool), access mode, address without password, and the role and PostgreSQL version once connected.',
  toolset: 'schema',
  access: 'read',
  input: {},
  output: {
    connections: z.array(
      z.object({
        name: z.string(),
        mode: z.enum(['read-only', 'read-write']),
        url: z.string().describe('Address without password'),
        role: z.string().optional(),
        superuser: z.boolean().optional(),
        version: z.string().optional(),
        error: z.string().optional().describe('Why the connection could not be reached'),
      }),
    ),
  },
  async handler(_args, ctx: ToolContext<PostgresServices>) {
    const connections = await Promise.all(
      ctx.services.databases.map(async (db) => {
        const base = { name: db.name, mode: db.spec.mode, url: db.spec.display };
        try {
          const role = await db.role();
          return { ...base, role: role.role, superuser: role.superuser, version: role.version };
        } catch (error) {
          return { ...base, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
        }
      }),
    );
    const text = connections
      .map(
        (c) =>
          `${c.name} (${c.mode}) ${c.url}${'role' in c ? ` — role ${c.role}${c.superuser ? ' (superuser)' : ''}, PostgreSQL ${c.version}` : ''}${'error' in c ? ` — unreachable: ${c.error}` : ''}`,
      )
      .join('\n');
    return { structured: { connections }, text };
  },
});

export const listSchemasTool = defineTool({
  name: 'postgres_list_schemas',
  title: 'List schemas',
  description:
    'Schemas of the database with their owner, number of tables, views and materialized views, and comment. System schemas only on request.',
  toolset: 'schema',
  access: 'read',
  input: {
    include_system: z.boolean().default(false).describe('Include pg_catalog and information_schema'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    schemas: z.array(
      z.object({
        name: z.string(),
        owner: z.string(),
        tables: z.number().int(),
        views: z.number().int(),
        materialized_views: z.number().int(),
        comment: z.string().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const schemas = await db.read(ctx.signal, (client) => listSchemas(client, args.include_system));
    const fitted = ctx.budget.take(schemas);
    const moreInfo = more(fitted.omitted, 'Too many schemas for the output budget; use postgres_search_schema to find one.');
    const text =
      formatTable(
        ['schema', 'owner', 'tables', 'views', 'matviews', 'comment'],
        fitted.items.map((s) => [s.name, s.owner, s.tables, s.views, s.materialized_views, s.comment ?? '']),
      ) + moreLine(moreInfo, 'schemas');
    return { structured: { connection: db.name, schemas: fitted.items, ...(moreInfo ? { more: moreInfo } : {}) }, text };
  },
});

const KIND_CODES = { table: ['r', 'p'], view: ['v'], materialized_view: ['m'], foreign_table: ['f'] } as const;

export const listTablesTool = defineTool({
  name: 'postgres_list_tables',
  title: 'List tables and views',
  description:
    'Tables, views, materialized views and foreign tables with estimated row counts, total size on disk and comments; all user schemas, or one. Use postgres_describe_table for columns and keys.',
  toolset: 'schema',
  access: 'read',
  input: {
    schema: schemaInput.describe('Only this schema (default: every schema except the system ones)'),
    kinds: z
      .array(z.enum(['table', 'view', 'materialized_view', 'foreign_table']))
      .min(1)
      .default(['table', 'view', 'materialized_view', 'foreign_table'])
      .describe('Which kinds of relations to list'),
    cursor: z.string().optional().describe('`more.cursor` of the previous call, for the next page'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    tables: z.array(
      z.object({
        schema: z.string(),
        name: z.string(),
        kind: z.string(),
        rows: z.number().optional().describe('Estimated from statistics'),
        bytes: z.number().optional().describe('Total size including indexes and TOAST'),
        comment: z.string().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const offset = offsetOf(args.cursor);
    const kinds = [...new Set(args.kinds.flatMap((k) => KIND_CODES[k]))];
    const rows = await db.read(ctx.signal, (client) =>
      listTables(client, {
        ...(args.schema ? { schema: args.schema } : {}),
        kinds,
        includeSystem: false,
        offset,
        limit: PAGE + 1,
      }),
    );
    const { items, more: moreInfo } = page(ctx, rows, offset, 'postgres_list_tables', 'tables');
    const text =
      items.length === 0
        ? `No tables${args.schema ? ` in schema "${args.schema}"` : ''}. List schemas with postgres_list_schemas.`
        : tableText(items) + moreLine(moreInfo, 'tables');
    return { structured: { connection: db.name, tables: items, ...(moreInfo ? { more: moreInfo } : {}) }, text };
  },
});

function tableText(items: TableRow[]): string {
  return formatTable(
    ['table', 'kind', 'rows≈', 'size', 'comment'],
    items.map((t) => [
      `${t.schema}.${t.name}`,
      t.kind,
      t.rows ?? '',
      t.bytes !== undefined ? formatBytes(t.bytes) : '',
      t.comment ?? '',
    ]),
  );
}

const describeOutput = {
  connection: z.string(),
  schema: z.string(),
  name: z.string(),
  kind: z.string(),
  comment: z.string().optional(),
  rows: z.number().optional().describe('Estimated from statistics'),
  bytes: z.number().optional(),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      nullable: z.boolean(),
      default: z.string().optional(),
      identity: z.string().optional(),
      generated: z.string().optional().describe('Expression of a generated column'),
      comment: z.string().optional(),
    }),
  ),
  primary_key: z.array(z.string()).optional(),
  foreign_keys: z.array(
    z.object({
      name: z.string(),
      columns: z.array(z.string()),
      references: z.string(),
      referenced_columns: z.array(z.string()),
      on_delete: z.string().optional(),
      on_update: z.string().optional(),
    }),
  ),
  referenced_by: z.array(
    z.object({ name: z.string(), table: z.string(), columns: z.array(z.string()), referenced_columns: z.array(z.string()) }),
  ),
  indexes: z.array(
    z.object({
      name: z.string(),
      definition: z.string(),
      primary: z.boolean(),
      unique: z.boolean(),
      valid: z.boolean(),
      bytes: z.number(),
    }),
  ),
  constraints: z.array(z.object({ name: z.string(), type: z.string(), definition: z.string() })),
  triggers: z.array(z.object({ name: z.string(), definition: z.string() })),
  partition_key: z.string().optional(),
  partition_of: z.string().optional(),
  definition: z.string().optional().describe('The query of a view or materialized view'),
  more: moreSchema,
};

export const describeTableTool = defineTool({
  name: 'postgres_describe_table',
  title: 'Describe a table',
  description:
    'Everything about one table, view or materialized view in any schema: columns with types, nullability, defaults and comments; primary key; foreign keys both ways; indexes; check/unique constraints; triggers; view definition; size and row estimate.',
  toolset: 'schema',
  access: 'read',
  input: {
    table: tableInput,
    schema: schemaInput.describe('Schema of the table, when not given as schema.table'),
    connection: connectionInput,
  },
  output: describeOutput,
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const description = await db.read(ctx.signal, async (client) =>
      describeTable(client, await resolveTable(client, args.table, args.schema)),
    );
    // A very wide table: keep the columns that fit, in order, and say how many are left out.
    const fixed = jsonSize({ ...description, columns: [] });
    const fitted = ctx.budget.take(description.columns, { reserve: fixed + 512 });
    const moreInfo = more(
      fitted.omitted,
      `Query the rest with postgres_query: SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position OFFSET ${fitted.items.length}, params ${JSON.stringify([description.schema, description.name])}.`,
    );
    const shown = { ...description, columns: fitted.items };
    return {
      structured: { connection: db.name, ...shown, ...(moreInfo ? { more: moreInfo } : {}) },
      text: renderDescription(shown, formatBytes) + moreLine(moreInfo, 'columns'),
    };
  },
});

export const searchSchemaTool = defineTool({
  name: 'postgres_search_schema',
  title: 'Search tables and columns',
  description:
    'Find tables, views and columns whose name contains a text (case-insensitive), across all user schemas. Tables come first, then columns with their types.',
  toolset: 'schema',
  access: 'read',
  input: {
    text: z.string().min(1).max(128).describe('Part of a table or column name, e.g. "customer" or "email"'),
    what: z.enum(['all', 'tables', 'columns']).default('all').describe('Search table names, column names, or both'),
    cursor: z.string().optional().describe('`more.cursor` of the previous call, for the next page'),
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    matches: z.array(
      z.object({
        schema: z.string(),
        table: z.string(),
        kind: z.string(),
        column: z.string().optional(),
        type: z.string().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const offset = offsetOf(args.cursor);
    const hits = await db.read(ctx.signal, (client) =>
      searchSchema(client, args.text, { includeSystem: false, offset, limit: PAGE + 1, what: args.what }),
    );
    const { items, more: moreInfo } = page(ctx, hits, offset, 'postgres_search_schema', 'matches');
    const line = (h: SearchHit) =>
      h.column ? `column ${h.schema}.${h.table}.${h.column} ${h.type}` : `${h.kind} ${h.schema}.${h.table}`;
    const text =
      items.length === 0 ? `Nothing named like "${args.text}".` : items.map(line).join('\n') + moreLine(moreInfo, 'matches');
    return { structured: { connection: db.name, matches: items, ...(moreInfo ? { more: moreInfo } : {}) }, text };
  },
});

export const schemaTools = [listConnectionsTool, listSchemasTool, listTablesTool, describeTableTool, searchSchemaTool];
