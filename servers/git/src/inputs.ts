import * as z from 'zod';

/** The `repository` argument every tool takes. */
export const repositoryInput = z
  .string()
  .optional()
  .describe('Path of the repository (or any folder inside it). May be left out when exactly one repository is allowed');
