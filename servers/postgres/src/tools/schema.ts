import {
  decodeCursor,
  defineTool,
  encodeCursor,
  formatBytes,
  formatTable,
  jsonSize,
  more,
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
import { switches } from '../config.js';
import { continuationLine } from '../continuation.js';
import { connectionInput, cursorInput, schemaInput, tableInput } from '../inputs.js';

const PAGE = 500;

interface OffsetCursor extends Record<string, unknown> {
  offset: number;
}
const isOffset = (v: Record<string, unknown>): v is OffsetCursor => Number.isInteger(v.offset) && (v.offset as number) >= 0;
const offsetOf = (cursor: string | undefined) => (cursor ? decodeCursor<OffsetCursor>(cursor, isOffset).offset : 0);

/**
 * Keep what fits the budget and build the `more` for the rest. `items` is one page plus one row
 * past it, so a full page knows more exist; `omitted` counts the rows read but not shown, exact
 * unless that extra row was read (then `atLeast`).
 */
function page<T>(ctx: ToolContext<PostgresServices>, items: T[], offset: number, unit: readonly [string, string], hint: string) {
  const atLeast = items.length > PAGE;
  const fitted = ctx.budget.take(items.slice(0, PAGE), { reserve: Math.min(1_024, Math.floor(ctx.budget.bytes / 4)) });
  // Always make progress: a page holds at least one item.
  if (fitted.items.length === 0 && items.length > 0) fitted.items.push(items[0] as T);
  const next = offset + fitted.items.length;
  const moreInfo = more(
    items.length - fitted.items.length,
    hint,
    items.length > fitted.items.length ? encodeCursor({ offset: next }) : undefined,
  );
  return { items: fitted.items, more: moreInfo, line: continuationLine(moreInfo, unit, atLeast) };
}

export const listConnectionsTool = defineTool({
  name: 'postgres_list_connections',
  title: 'List database connections',
  description: 'The connections to pick from with `connection`: access mode, address, role and PostgreSQL version.',
  toolset: 'schema',
  access: 'read',
  input: {},
  output: {
    connections: z.array(
      z.object({
        name: z.string(),
        mode: z.enum(['read-only', 'read-write']),
        url: z.string(),
        role: z.string().optional(),
        superuser: z.boolean().optional(),
        reads_as: z.string().optional(),
        version: z.string().optional(),
        error: z.string().optional(),
      }),
    ),
  },
  // With one connection there is nothing to pick: its role and version are a query away.
  enabled: switches.postgres_list_connections,
  async handler(_args, ctx: ToolContext<PostgresServices>) {
    const connections = await Promise.all(
      ctx.services.databases.map(async (db) => {
        const base = { name: db.name, mode: db.spec.mode, url: db.spec.display };
        try {
          const role = await db.role();
          const reads = await db.readsStatus();
          return {
            ...base,
            role: role.role,
            superuser: role.superuser,
            ...(reads.readsAs ? { reads_as: reads.readsAs } : {}),
            version: role.version,
          };
        } catch (error) {
          return { ...base, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
        }
      }),
    );
    const text = connections
      .map(
        (c) =>
          `${c.name} (${c.mode}) ${c.url}${'role' in c ? ` — role ${c.role}${c.superuser ? ' (superuser)' : ''}${'reads_as' in c && c.reads_as !== c.role ? `, reads as ${c.reads_as}` : ''}, PostgreSQL ${c.version}` : ''}${'error' in c ? ` — unreachable: ${c.error}` : ''}`,
      )
      .join('\n');
    return { structured: { connections }, text };
  },
});

export const listSchemasTool = defineTool({
  name: 'postgres_list_schemas',
  title: 'List schemas',
  description: 'Schemas with owner, table/view counts and comment.',
  toolset: 'catalog',
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
        tables: z.number(),
        views: z.number(),
        materialized_views: z.number(),
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
      ) + continuationLine(moreInfo, ['schema', 'schemas'], false);
    return { structured: { connection: db.name, schemas: fitted.items, ...(moreInfo ? { more: moreInfo } : {}) }, text };
  },
});

const KIND_CODES = { table: ['r', 'p'], view: ['v'], materialized_view: ['m'], foreign_table: ['f'] } as const;
const ALL_KINDS = Object.keys(KIND_CODES) as Array<keyof typeof KIND_CODES>;

export const listTablesTool = defineTool({
  name: 'postgres_list_tables',
  title: 'List tables and views',
  description: 'Tables, views and materialized views with estimated rows, size and comment, paged; every user schema or one.',
  toolset: 'schema',
  access: 'read',
  input: {
    schema: schemaInput.describe('Only this schema'),
    kinds: z
      .array(z.enum(['table', 'view', 'materialized_view', 'foreign_table']))
      .min(1)
      .optional()
      .describe('Only these kinds'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    tables: z.array(
      z.object({
        schema: z.string(),
        name: z.string(),
        kind: z.string(),
        rows: z.number().optional(),
        bytes: z.number().optional(),
        comment: z.string().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<PostgresServices>) {
    const db = ctx.services.database(args.connection);
    const offset = offsetOf(args.cursor);
    const kinds = [...new Set((args.kinds ?? ALL_KINDS).flatMap((k) => KIND_CODES[k]))];
    const { rows, schemas } = await db.read(ctx.signal, async (client) => {
      const rows = await listTables(client, {
        ...(args.schema ? { schema: args.schema } : {}),
        kinds,
        includeSystem: false,
        offset,
        limit: PAGE + 1,
      });
      // The schemas are how to narrow a long list, or where to look after an empty one.
      const schemas = !args.schema || rows.length === 0 ? await listSchemas(client, false) : [];
      return { rows, schemas };
    });
    const bySchema = schemas.map((s) => `${s.name} (${s.tables + s.views + s.materialized_views})`).join(', ');
    const {
      items,
      line,
      more: moreInfo,
    } = page(
      ctx,
      rows,
      offset,
      ['table', 'tables'],
      `Call postgres_list_tables again with the cursor for more, or pass schema to list one${bySchema ? `: ${bySchema}` : ''}.`,
    );
    const text =
      items.length === 0
        ? `No tables${args.schema ? ` in schema "${args.schema}"` : ''}.${bySchema ? ` Schemas (relations): ${bySchema}.` : ''}`
        : tableText(items) + line;
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
  rows: z.number().optional(),
  bytes: z.number().optional(),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      nullable: z.boolean(),
      default: z.string().optional(),
      identity: z.string().optional(),
      generated: z.string().optional(),
      comment: z.string().optional(),
    }),
  ),
  primary_key: z.array(z.string()).optional(),
  foreign_keys: z.array(z.object({ name: z.string(), definition: z.string() })),
  referenced_by: z.array(z.object({ name: z.string(), table: z.string(), definition: z.string() })),
  indexes: z.array(z.object({ name: z.string(), definition: z.string(), valid: z.boolean(), bytes: z.number() })),
  constraints: z.array(z.object({ name: z.string(), definition: z.string() })),
  triggers: z.array(z.string()),
  partition_key: z.string().optional(),
  partition_of: z.string().optional(),
  definition: z.string().optional(),
  more: moreSchema,
};

export const describeTableTool = defineTool({
  name: 'postgres_describe_table',
  title: 'Describe a table',
  description:
    'Columns, keys (both ways), indexes, constraints, triggers and view definition of one table or view in any schema.',
  toolset: 'schema',
  access: 'read',
  input: {
    table: tableInput,
    schema: schemaInput.describe('Schema, if not in table'),
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
      text: renderDescription(shown, formatBytes) + continuationLine(moreInfo, ['column', 'columns'], false),
    };
  },
});

export const searchSchemaTool = defineTool({
  name: 'postgres_search_schema',
  title: 'Search tables and columns',
  description: 'Find tables, views and columns whose name contains a text (case-insensitive) in every user schema.',
  toolset: 'schema',
  access: 'read',
  input: {
    text: z.string().min(1).max(128).describe('Part of a name, e.g. "email"'),
    what: z.enum(['all', 'tables', 'columns']).default('all').describe('Match table names, column names or both'),
    cursor: cursorInput,
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
    const {
      items,
      more: moreInfo,
      line: moreText,
    } = page(
      ctx,
      hits,
      offset,
      ['match', 'matches'],
      'Call postgres_search_schema again with the cursor for more, or search a longer text.',
    );
    const line = (h: SearchHit) =>
      h.column ? `column ${h.schema}.${h.table}.${h.column} ${h.type}` : `${h.kind} ${h.schema}.${h.table}`;
    const text = items.length === 0 ? `Nothing named like "${args.text}".` : items.map(line).join('\n') + moreText;
    return { structured: { connection: db.name, matches: items, ...(moreInfo ? { more: moreInfo } : {}) }, text };
  },
});

export const schemaTools = [listConnectionsTool, listSchemasTool, listTablesTool, describeTableTool, searchSchemaTool];
