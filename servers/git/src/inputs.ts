import * as z from 'zod';

/** The `repository` argument every tool takes. */
export const repositoryInput = z
  .string()
  .optional()
  .describe('Repository path (or a folder in it); optional when only one is allowed');

/** Paths relative to the repository top, used as literal paths (a folder includes everything below it). */
export const pathsInput = (what: string) =>
  z
    .array(z.string().min(1).max(4096))
    .max(100)
    .optional()
    .describe(`${what}, relative to the repository (a folder includes all below it)`);
