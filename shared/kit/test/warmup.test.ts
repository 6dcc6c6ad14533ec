import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, createServer, loadOrThrow } from '../src/index.js';
// @ts-expect-error plain JS fixture
import { echoConnector } from './fixtures/echo.mjs';

/** The echo connector with a warm-up, served to an in-memory client that has not connected yet. */
function serveWithWarmUp(warmUp: () => Promise<void>, logs: string[] = []) {
  const def = { ...echoConnector, warmUp };
  const log = createLogger('patchbay-echo', 'debug', (line) => logs.push(line));
  const server = createServer(loadOrThrow(def, { log }));
  const client = new Client({ name: 'kit-test', version: '0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  return {
    client,
    async connect() {
      await server.connect(b);
      await client.connect(a);
    },
  };
}

describe('warmUp', () => {
  it('runs in the background once the client has initialized, not when the server is built', async () => {
    let runs = 0;
    const { client, connect } = serveWithWarmUp(async () => {
      runs++;
    });
    expect(runs).toBe(0);
    await connect();
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 2_000 });
    await client.close();
  });

  it('logs a failed warm-up at debug level and keeps serving', async () => {
    const logs: string[] = [];
    const { client, connect } = serveWithWarmUp(async () => {
      throw new Error('no parser today');
    }, logs);
    await connect();
    await vi.waitFor(() => expect(logs.join('\n')).toMatch(/debug warm-up failed.*no parser today/), { timeout: 2_000 });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });
});
