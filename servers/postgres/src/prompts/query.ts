import { byteLength, formatBytes, type OutputBudget } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import * as z from 'zod';
import { catalogRows, describeTable, HIDDEN_SCHEMAS, renderDescription, resolveTable, SYSTEM_SCHEMAS } from '../catalog.js';
import { completeConnection, completeQualifiedTable } from '../completion.js';
import { prompt } from '../kit.js';
import { explain } from '../tools/explain.js';

const STOP = new Set([
  'the',
  'and',
  'for',
  'with',
  'from',
  'that',
  'what',
  'which',
  'who',
  'how',
  'many',
  'much',
  'are',
  'was',
  'were',
  'have',
  'has',
  'per',
  'each',
  'all',
  'top',
  'last',
  'first',
  'show',
  'list',
  'give',
  'find',
  'get',
  'average',
  'total',
  'number',
  'count',
  'most',
  'least',
  'than',
  'more',
  'less',
  'into',
  'their',
  'there',
  'this',
  'these',
  'those',
  'between',
  'over',
  'under',
  'by',
  'did',
  'does',
  'not',
]);

/** Words of a question that could name a table or column, singular. */
export function keywords(question: string): string[] {
  const words = question.toLowerCase().match(/[a-z][a-z0-9_]{2,}/g) ?? [];
  const stems = words
    .filter((w) => !STOP.has(w))
    .map((w) => (w.length > 4 && w.endsWith('s') ? w.replace(/(ies|s)$/, (m) => (m === 'ies' ? 'y' : '')) : w));
  return [...new Set(stems)].slice(0, 20);
}

/** Tables whose name or columns mention the question's words, best first; the largest tables when none do. */
async function relevantTables(client: PoolClient, question: string): Promise<Array<{ schema: string; name: string }>> {
  const words = keywords(question);
  const hits = await catalogRows<{ schema: string; name: string }>(
    client,
    `WITH words AS (SELECT unnest($1::text[]) AS word),
     scored AS (
       SELECT n.nspname AS schema, c.relname AS name,
         3 * (SELECT count(*) FROM words w WHERE c.relname ILIKE '%' || w.word || '%')
         + (SELECT count(*) FROM pg_catalog.pg_attribute a CROSS JOIN words w
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname ILIKE '%' || w.word || '%') AS score
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS}))
     SELECT schema, name FROM scored WHERE score > 0 ORDER BY score DESC, schema, name LIMIT 8`,
    [words],
  );
  if (hits.length > 0) return hits;
  return catalogRows(
    client,
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND ${HIDDEN_SCHEMAS} AND NOT (${SYSTEM_SCHEMAS})
     ORDER BY c.reltuples DESC, 1, 2 LIMIT 8`,
  );
}

/** Descriptions of the tables, as many as fit half the budget: the rest is the question, the plan and the instructions. */
async function describeAll(
  client: PoolClient,
  tables: Array<{ schema?: string; name: string }>,
  budget: OutputBudget,
): Promise<string> {
  const parts: string[] = [];
  let used = 0;
  for (const table of tables) {
    let text: string;
    try {
      const resolved = await resolveTable(client, `"${table.name.replace(/"/g, '""')}"`, table.schema);
      text = renderDescription(await describeTable(client, resolved), formatBytes);
    } catch {
      continue; // a CTE name or a table that vanished: nothing to describe
    }
    if (used + byteLength(text) > budget.bytes / 2) break;
    parts.push(text);
    used += byteLength(text);
  }
  return parts.join('\n\n');
}

export const writeQueryPrompt = prompt({
  name: 'postgres_write_query',
  title: 'Write a query for a question',
  description: 'Write and run a read-only SQL query that answers a question, with the schema of the relevant tables attached.',
  args: {
    question: z.string().describe('The question the query should answer'),
    table: z.string().optional().describe("A table to use (schema.name); tables named like the question's words are added"),
    connection: z.string().optional().describe('Connection name (default: the first)'),
  },
  complete: {
    table: (value, context, services) => completeQualifiedTable(value, context.connection, services),
    connection: (value, _context, services) => completeConnection(value, services),
  },
  async render(args, ctx) {
    const services = ctx.services;
    const db = services.database(args.connection);
    const role = await db.role();
    const schema = await db.read(ctx.signal, async (client) => {
      const chosen = args.table ? [await resolveTable(client, args.table, undefined)] : [];
      const found = (await relevantTables(client, args.question)).filter(
        (t) => !chosen.some((c) => c.schema === t.schema && c.name === t.name),
      );
      return describeAll(client, [...chosen, ...found], ctx.budget);
    });
    return {
      description: `Query for: ${args.question}`,
      messages: [
        {
          role: 'user',
          text:
            `Write one read-only PostgreSQL ${role.version} query for the database "${db.name}" that answers:\n\n${args.question}\n\n` +
            'Use the tables and columns below (find others with postgres_search_schema). Join on the foreign keys shown, qualify tables ' +
            'with their schema, and pass values as $1, $2… params. Run it with postgres_query' +
            `${services.databases.length > 1 ? ` (connection "${db.name}")` : ''} and answer from its rows.\n\n` +
            `Schema:\n${schema || '(no tables found)'}`,
        },
      ],
    };
  },
});

export const explainSlowQueryPrompt = prompt({
  name: 'postgres_explain_slow_query',
  title: 'Explain a slow query',
  description:
    'Explain why a query is slow from its plan and the schema of its tables, and propose fixes (indexes, rewrites, statistics).',
  args: {
    sql: z.string().describe('The slow query'),
    analyze: z
      .enum(['true', 'false'])
      .optional()
      .describe('"true" runs the query to get actual times (reads only); default false'),
    connection: z.string().optional().describe('Connection name (default: the first)'),
  },
  complete: {
    analyze: async (value) => ['false', 'true'].filter((v) => v.startsWith(value)),
    connection: (value, _context, services) => completeConnection(value, services),
  },
  async render(args, ctx) {
    const services = ctx.services;
    const db = services.database(args.connection);
    const analyze = args.analyze === 'true';
    const role = await db.role();
    const plan = await explain(db, args.sql, [], analyze, ctx.signal);
    const tables = await db.read(ctx.signal, (client) => describeAll(client, plan.analysis.relations, ctx.budget));
    return {
      description: 'Explain a slow query',
      messages: [
        {
          role: 'user',
          text:
            `This query is slow on PostgreSQL ${role.version} (database "${db.name}"). From the plan and the tables below, explain where ` +
            'the time goes (sequential scans of large tables, misestimated row counts, sorts or hashes spilling to disk, nested loops over many rows) ' +
            'and propose concrete fixes: CREATE INDEX statements, query rewrites, or ANALYZE. Check the plan of a rewrite (EXPLAIN through postgres_query) before recommending it.\n\n' +
            `Query:\n\`\`\`sql\n${args.sql}\n\`\`\`\n\nPlan${analyze ? ' (EXPLAIN ANALYZE)' : ' (estimates; EXPLAIN without ANALYZE)'}:\n\`\`\`\n${plan.tree}\n\`\`\`\n\n` +
            `Tables:\n${tables || '(none found)'}`,
        },
      ],
    };
  },
});
