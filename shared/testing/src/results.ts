import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface ToolOutcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  raw: CallToolResult;
}

/** Call a tool and flatten the result into what tests look at. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolOutcome> {
  const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = raw.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { isError: raw.isError === true, text, structured: raw.structuredContent as Record<string, unknown> | undefined, raw };
}

/** Call a tool that must succeed; throws with the error text otherwise. */
export async function callOk<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolOutcome & { data: T }> {
  const outcome = await call(client, name, args);
  if (outcome.isError) throw new Error(`${name} returned an error: ${outcome.text}`);
  if (!outcome.structured) throw new Error(`${name} returned no structured content`);
  return { ...outcome, data: outcome.structured as T };
}

/** Call a tool that must fail with an `isError` result; returns its text. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const outcome = await call(client, name, args);
  if (!outcome.isError) throw new Error(`${name} was expected to fail but returned: ${outcome.text.slice(0, 500)}`);
  return outcome.text;
}
