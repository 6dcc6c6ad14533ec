import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, createServer, loadOrThrow } from '../src/index.js';
import { markStartupChecked } from '../src/startup.js';
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

  it('waits for a call in flight: a first call that outlasts the delay is not competed with', async () => {
    const events: string[] = [];
    const { client, connect } = serveWithWarmUp(async () => {
      events.push('warm-up');
    });
    await connect();
    // Sent at once and running past the 100 ms delay, as a first call that loads the server does.
    const result = await client.callTool({ name: 'echo_sleep', arguments: { ms: 300 } });
    events.push('answered');
    expect(result.isError).toBeFalsy();
    await vi.waitFor(() => expect(events).toEqual(['answered', 'warm-up']), { timeout: 2_000 });
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

describe('startupCheck', () => {
  /** The echo connector with a start-up check, and a way to serve it to several clients. */
  function withCheck(check: (options: unknown, log: { warn(m: string): void }) => Promise<void>, logs: string[] = []) {
    const def = { ...echoConnector, name: 'echocheck', startupCheck: check };
    const log = createLogger('patchbay-echocheck', 'debug', (line) => logs.push(line));
    const runtime = loadOrThrow(def, { log });
    return {
      runtime,
      async session() {
        const server = createServer(runtime);
        const client = new Client({ name: 'kit-test', version: '0' });
        const [a, b] = InMemoryTransport.createLinkedPair();
        await server.connect(b);
        await client.connect(a);
        return client;
      },
    };
  }

  it('runs once per runtime, in the background after the first initialize, with the options and the log', async () => {
    const logs: string[] = [];
    let runs = 0;
    const { runtime, session } = withCheck(async (_options, log) => {
      runs++;
      log.warn('the service cannot be reached');
    }, logs);
    expect(runs).toBe(0);
    const first = await session();
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 2_000 });
    expect(logs.join('')).toContain('patchbay-echocheck warn the service cannot be reached');
    // A second session (a stateless HTTP request builds a server each time) does not run it again.
    const second = await session();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toBe(1);
    runtime.startupCheck();
    expect(runs).toBe(1);
    await Promise.all([first.close(), second.close()]);
  });

  it('never fails the start: a check that throws is logged at debug level and the server serves', async () => {
    const logs: string[] = [];
    const { session } = withCheck(async () => {
      throw new Error('probe exploded');
    }, logs);
    const client = await session();
    await vi.waitFor(() => expect(logs.join('\n')).toMatch(/debug start-up check failed.*probe exploded/), { timeout: 2_000 });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('is skipped when the bin’s front already ran it in this process', async () => {
    let runs = 0;
    const { runtime } = withCheck(async () => {
      runs++;
    });
    markStartupChecked('echocheck');
    runtime.startupCheck();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(0);
  });
});
