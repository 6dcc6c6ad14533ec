import { defineConnector } from '@patchbay/kit';
import { createPostgresServices } from './client.js';
import { check, postgresOptions, startupCheck } from './config.js';
import { mapPostgresError } from './errors.js';
import { warmUp } from './modules.js';
import { explainSlowQueryPrompt, writeQueryPrompt } from './prompts/query.js';
import { tableSchemaResource } from './resources/tables.js';
import { catalogTools } from './tools/catalog.js';
import { explainTool } from './tools/explain.js';
import { healthTools } from './tools/health.js';
import { indexTools } from './tools/indexes.js';
import { queryTool } from './tools/query.js';
import { checkReplicationTool } from './tools/replication.js';
import { schemaTools } from './tools/schema.js';
import { executeTool } from './tools/write.js';

export type { PostgresServices } from './client.js';
// For a gateway's `doctor`: the checks this connector already makes, reused rather than rewritten.
export type { RoleInfo } from './database.js';
export { readOnlyRoleSql } from './database.js';

export const VERSION = process.env.PATCHBAY_VERSION ?? '0.0.0-dev';

export const postgresConnector = defineConnector({
  name: 'postgres',
  title: 'PostgreSQL',
  version: VERSION,
  description:
    'MCP server for PostgreSQL: read-only SQL that cannot be talked out of it, schema insight, plans and health checks',
  usage: 'patchbay-postgres [postgres://user@host:5432/db] [--connection name=url]... [--read-write name]... [options]',
  instructions:
    'Explore with postgres_list_tables, postgres_search_schema and postgres_describe_table; query with postgres_query ' +
    '(one read-only statement, values as $1… params, long results paged by cursor). Reads run in READ ONLY transactions ' +
    'with a statement timeout; changes only through postgres_execute on read-write connections.',
  helpFooter:
    'Examples:\n' +
    '  patchbay-postgres postgres://reader@localhost:5432/shop\n' +
    '  patchbay-postgres --connection prod=postgres://reader@db/prod --connection dev=postgres://me@localhost/dev --read-write dev\n' +
    'Connections are read-only unless named by --read-write. Passwords in URLs are masked in every log line and result.',
  options: postgresOptions,
  toolsets: {
    query: { title: 'Query', description: 'read-only SQL', default: true },
    schema: { title: 'Schema', description: 'tables, columns, keys and indexes; connections (when several)', default: true },
    catalog: {
      title: 'Catalog',
      description: 'schemas; views, functions, sequences, triggers, extensions; changed settings',
      default: false,
    },
    health: {
      title: 'Health and tuning',
      description: 'query plans, activity, locks, cache, indexes, vacuum, replication, top queries and index advice',
      default: false,
    },
    write: { title: 'Write', description: 'execute changes; offered only when a connection is --read-write', default: true },
  },
  tools: [
    queryTool,
    ...schemaTools,
    ...catalogTools,
    explainTool,
    ...healthTools,
    checkReplicationTool,
    ...indexTools,
    executeTool,
  ],
  resources: [tableSchemaResource],
  prompts: [writeQueryPrompt, explainSlowQueryPrompt],
  check,
  createServices: ({ options, log }) => createPostgresServices(options, log),
  mapError: mapPostgresError,
  // A database that cannot be reached is said on stderr at start, not first by a model's call.
  startupCheck,
  // The libraries a first call needs load while the client lists tools and the model thinks; the
  // database is still reached only by the first call.
  warmUp: () => warmUp(),
  // The parser's WebAssembly on V8's baseline compiler only (see loadParser).
  v8Flags: ['--liftoff-only'],
});
