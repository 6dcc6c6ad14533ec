import { cursorInput, formatBytes, limitInput, moreSchema, pastLimit } from '@patchbay/kit';
import * as z from 'zod';
import {
  describeTable,
  descriptionParts,
  listSchemas,
  listTables,
  resolveTable,
  type SchemaRow,
  type SearchHit,
  searchSchema,
  type TableRow,
} from '../catalog.js';
import { switches } from '../config.js';
import { connectProblem } from '../connect-errors.js';
import { connectionInput, schemaInput, tableInput } from '../inputs.js';
import { tool } from '../kit.js';

export const listConnectionsTool = tool({
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
  async handler(_args, ctx) {
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
          const problem = connectProblem(error, db.spec);
          return { ...base, error: problem ? `cannot connect: ${problem.what}` : firstLine(error) };
        }
      }),
    );
    const text = connections
      .map(
        (c) =>
          `${c.name} (${c.mode}) ${c.url}${'role' in c ? ` — role ${c.role}${c.superuser ? ' (superuser)' : ''}${'reads_as' in c && c.reads_as !== c.role ? `, reads as ${c.reads_as}` : ''}, PostgreSQL ${c.version}` : ''}${'error' in c ? ` — ${c.error}` : ''}`,
      )
      .join('\n');
    return { structured: { connections }, text };
  },
});

export const listSchemasTool = tool({
  name: 'postgres_list_schemas',
  title: 'List schemas',
  description: 'Schemas with owner, table/view counts and comment.',
  toolset: 'catalog',
  access: 'read',
  input: {
    include_system: z.boolean().default(false).describe('Include pg_catalog and information_schema'),
    cursor: cursorInput,
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
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const schemas = (await db.read(ctx.signal, (client) => listSchemas(client, args.include_system))).slice(ctx.position.offset);
    return ctx.page({
      key: 'schemas',
      fields: { connection: db.name },
      items: schemas,
      table: {
        columns: ['schema', 'owner', 'tables', 'views', 'matviews', 'comment'],
        cells: (s: SchemaRow) => [s.name, s.owner, s.tables, s.views, s.materialized_views, s.comment ?? ''],
      },
      empty: 'No schemas.',
      unit: ['schema', 'schemas'],
      hint: 'Or find a table with postgres_search_schema.',
    });
  },
});

const KIND_CODES = { table: ['r', 'p'], view: ['v'], materialized_view: ['m'], foreign_table: ['f'] } as const;
const ALL_KINDS = Object.keys(KIND_CODES) as Array<keyof typeof KIND_CODES>;

export const listTablesTool = tool({
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
    limit: limitInput(500, 1000, 'tables'),
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
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const kinds = [...new Set((args.kinds ?? ALL_KINDS).flatMap((k) => KIND_CODES[k]))];
    const { rows, schemas } = await db.read(ctx.signal, async (client) => {
      // One past the limit, to know whether more exist.
      const rows = await listTables(client, {
        ...(args.schema ? { schema: args.schema } : {}),
        kinds,
        includeSystem: false,
        offset: ctx.position.offset,
        limit: args.limit + 1,
      });
      // The schemas are how to narrow a long list, or where to look after an empty one.
      const schemas = !args.schema || rows.length === 0 ? await listSchemas(client, false) : [];
      return { rows, schemas };
    });
    const bySchema = schemas.map((s) => `${s.name} (${s.tables + s.views + s.materialized_views})`).join(', ');
    return ctx.page({
      key: 'tables',
      fields: { connection: db.name },
      ...pastLimit(rows, 'limit', args.limit),
      table: {
        columns: ['table', 'kind', 'rows≈', 'size', 'comment'],
        cells: (t: TableRow) => [
          `${t.schema}.${t.name}`,
          t.kind,
          t.rows ?? '',
          t.bytes !== undefined ? formatBytes(t.bytes) : '',
          t.comment ?? '',
        ],
      },
      empty: `No tables${args.schema ? ` in schema "${args.schema}"` : ''}.${bySchema ? ` Schemas (relations): ${bySchema}.` : ''}`,
      unit: ['table', 'tables'],
      ...(args.schema ? {} : { hint: `Or pass schema to list one${bySchema ? `: ${bySchema}` : ''}.` }),
    });
  },
});

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

export const describeTableTool = tool({
  name: 'postgres_describe_table',
  title: 'Describe a table',
  description:
    'Columns, keys (both ways), indexes, constraints, triggers and view definition of one table or view in any schema.',
  toolset: 'schema',
  access: 'read',
  input: {
    table: tableInput,
    schema: schemaInput.describe('Schema, if not in table'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: describeOutput,
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const { columns, ...description } = await db.read(ctx.signal, async (client) =>
      describeTable(client, await resolveTable(client, args.table, args.schema)),
    );
    // A very wide table is paged by its columns; the rest of the description comes with each page.
    const parts = descriptionParts({ ...description, columns }, formatBytes);
    return ctx.page({
      key: 'columns',
      fields: { connection: db.name, ...description },
      items: columns.slice(ctx.position.offset),
      head: parts.head,
      line: parts.column,
      tail: parts.tail,
      unit: ['column', 'columns'],
    });
  },
});

export const searchSchemaTool = tool({
  name: 'postgres_search_schema',
  title: 'Search tables and columns',
  description: 'Find tables, views and columns whose name contains a text (case-insensitive) in every user schema.',
  toolset: 'schema',
  access: 'read',
  input: {
    text: z.string().min(1).max(128).describe('Part of a name, e.g. "email"'),
    what: z.enum(['all', 'tables', 'columns']).default('all').describe('Match table names, column names or both'),
    limit: limitInput(500, 1000, 'matches'),
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
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    // One past the limit, to know whether more exist.
    const hits = await db.read(ctx.signal, (client) =>
      searchSchema(client, args.text, {
        includeSystem: false,
        offset: ctx.position.offset,
        limit: args.limit + 1,
        what: args.what,
      }),
    );
    return ctx.page({
      key: 'matches',
      fields: { connection: db.name },
      ...pastLimit(hits, 'limit', args.limit),
      line: (h: SearchHit) =>
        h.column ? `column ${h.schema}.${h.table}.${h.column} ${h.type}` : `${h.kind} ${h.schema}.${h.table}`,
      empty: `Nothing named like "${args.text}".`,
      unit: ['match', 'matches'],
      hint: 'Or search a longer text.',
    });
  },
});

export const schemaTools = [listConnectionsTool, listSchemasTool, listTablesTool, describeTableTool, searchSchemaTool];

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
