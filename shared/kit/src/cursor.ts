import { ToolError } from './errors.js';

/**
 * Opaque continuation tokens. A cursor carries only what the next call needs (an offset, a last
 * key); it is plain base64url JSON because nothing in it is secret, and it is validated on the
 * way back in like any other argument.
 */
export function encodeCursor(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(
  cursor: string,
  isValid: (value: Record<string, unknown>) => value is T,
  argument = 'cursor',
): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && isValid(value as Record<string, unknown>)) {
    return value as T;
  }
  throw new ToolError('is not a cursor this tool returned.', {
    argument,
    hint: 'Pass the `more.cursor` value from the previous result unchanged, or leave it out to start from the beginning.',
  });
}
