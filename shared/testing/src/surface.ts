import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/**
 * The tool surface a model sees, normalised for a snapshot: a change to any name, description,
 * schema or annotation shows up as a diff in review.
 */
export async function toolSurface(client: Client): Promise<string> {
  const { tools } = await client.listTools();
  const sorted = [...tools].sort((a, b) => a.name.localeCompare(b.name));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Byte size of the `tools/list` result as sent on the wire. */
export async function toolListBytes(client: Client): Promise<number> {
  const result = await client.listTools();
  return Buffer.byteLength(JSON.stringify(result));
}
