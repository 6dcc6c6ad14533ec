import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
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
