import * as z from 'zod';

/**
 * The input every paged tool takes, the same everywhere: the model learns it once. A tool that
 * declares it gets `ctx.position` read from it and its replies' cursors made for it.
 */
export const cursorInput = z.string().max(4096).optional().describe('more.cursor of the previous result, to continue');

/**
 * Marks the kit's cursor input, so the kit recognises it even when the connector's definition was
 * bundled with its own copy of the kit (a gateway importing a connector's library entry).
 */
export const CURSOR_INPUT = Symbol.for('patchbay.cursorInput');
Object.defineProperty(cursorInput, CURSOR_INPUT, { value: true });

/** Whether a tool's `cursor` input is the kit's, whichever copy of the kit made it. */
export function isCursorInput(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Record<symbol, unknown>)[CURSOR_INPUT] === true;
}

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
