import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ConnectorDefinition, Disposable, OptionsSpec } from '../src/index.js';
import { createLogger, createServer, loadOrThrow } from '../src/index.js';
// @ts-expect-error plain JS fixture
import { echoConnector } from './fixtures/echo.mjs';

export const ECHO_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/echo.mjs');

/** The echo fixture connector over an in-memory pair (the kit cannot use @patchbay/testing: it depends on the kit). */
export async function connectEcho(argv: string[] = [], logs: string[] = []) {
  const log = createLogger('patchbay-echo', 'debug', (line) => logs.push(line));
  const server = createServer(loadOrThrow(echoConnector, { argv, log }));
  const client = new Client({ name: 'kit-test', version: '0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  await client.connect(a);
  return { client, close: () => client.close() };
}

const connected: Client[] = [];

/**
 * A test connector over an in-memory pair, with its services to look at; `closeConnected` (in an
 * `afterEach`) closes every client this made.
 */
export async function connectDefinition<O extends OptionsSpec, S extends Disposable>(
  definition: ConnectorDefinition<O, S>,
  argv: string[] = [],
): Promise<{ client: Client; services: S }> {
  const runtime = loadOrThrow(definition, { argv, log: createLogger('demo', 'error', () => undefined) });
  const server = createServer(runtime);
  const client = new Client({ name: 'kit-test', version: '0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  await client.connect(a);
  connected.push(client);
  return { client, services: runtime.services };
}

export async function closeConnected(): Promise<void> {
  await Promise.all(connected.splice(0).map((c) => c.close()));
}

export type Result = {
  structuredContent?: Record<string, unknown>;
  content: Array<{ type: string; text?: string }>;
  isError?: boolean;
};
export const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result;
export const text = (r: Result) => r.content.map((c) => c.text ?? '').join('');
/** The structured content of a result that must have one. */
export const sc = (r: Result): Record<string, unknown> => {
  if (!r.structuredContent) throw new Error(`no structured content: ${text(r)}`);
  return r.structuredContent;
};
