import * as z from 'zod';

/** The `connection` argument every tool takes. */
export const connectionInput = z
  .string()
  .optional()
  .describe('Name of the connection to use (see postgres_list_connections); default: the first one');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Values for $1, $2… — sent separately from the SQL, never spliced into it. */
export const paramsInput = z
  .array(z.union([scalar, z.array(scalar)]))
  .max(1_000)
  .default([])
  .describe('Values for $1, $2, … in order (arrays become PostgreSQL arrays); never put values into the SQL text');

export const cellSchema = scalar;

export const columnSchema = z.object({
  name: z.string(),
  type: z.string().describe('PostgreSQL type, e.g. integer, text, timestamp with time zone'),
});

/** `schema.table`, `"Mixed Case".table`, or a bare name. */
export const tableInput = z
  .string()
  .min(1)
  .max(300)
  .describe('Table, view or materialized view: name or schema.name (quote mixed-case names: "MyTable")');

export const schemaInput = z.string().min(1).max(128).optional();
