import * as z from 'zod';

/**
 * The input every paged tool takes, the same everywhere: the model learns it once. A tool that
 * declares it gets `ctx.position` read from it and its replies' cursors made for it.
 */
export const cursorInput = z.string().max(4096).optional().describe('more.cursor of the previous result, to continue');

/** A "most items" argument with one shape across tools: whole, 1…max, with a default. */
export function limitInput(defaultValue: number, max: number, what = 'items') {
  return z
    .number()
    .int()
    .min(1)
    .max(max)
    .default(defaultValue)
    .describe(`Most ${what} to return (1–${max}; more come with a cursor)`);
}
