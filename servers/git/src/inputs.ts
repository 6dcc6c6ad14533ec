import * as z from 'zod';

/** The `repository` argument every tool takes. */
export const repositoryInput = z
  .string()
  .optional()
  .describe('Path of the repository (or any folder inside it). May be left out when exactly one repository is allowed');

/** Paths relative to the repository top, used as literal paths (a folder includes everything below it). */
export const pathsInput = (what: string) =>
  z.array(z.string().min(1).max(4096)).max(100).optional().describe(`${what} (relative to the repository; a folder includes everything below it)`);

export const cursorInput = z.string().max(2048).optional().describe('The `more.cursor` of the previous result, to continue where it stopped');
