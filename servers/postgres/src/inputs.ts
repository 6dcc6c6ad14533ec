import * as z from 'zod';

/**
 * The fields many tools share, declared once with short descriptions: every byte of a schema is
 * sent with every tools/list, so the words are the fewest a model needs.
 */

/** The `connection` argument every tool takes. */
export const connectionInput = z.string().optional().describe('Connection name (default: the first)');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Values for $1, $2… — sent separately from the SQL, never spliced into it. */
export const paramsInput = z
  .array(z.union([scalar, z.array(scalar)]))
  .max(1_000)
  .default([])
  .describe('Values for $1, $2…; never inline values in sql');

/** One statement with placeholders. */
export const sqlInput = z.string().min(1).max(100_000).describe('One statement; values as $1, $2…');

export const cellSchema = scalar;

export const columnSchema = z.object({ name: z.string(), type: z.string() });

/** `schema.table`, `"Mixed Case".table`, or a bare name. */
export const tableInput = z.string().min(1).max(300).describe('name or schema.name; quote mixed case: "MyTable"');

export const schemaInput = z.string().min(1).max(128).optional();
