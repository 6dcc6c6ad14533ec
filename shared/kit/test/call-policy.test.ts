import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connector } from '../src/define.js';
import { defineConnector, ToolError } from '../src/index.js';
import { call, closeConnected, connectDefinition, text } from './helpers.js';

/**
 * A connector's `around`: one policy over every call of its tools (a deadline over the whole
 * call, one run again after its service restarted), with the errors still worded by `mapError`.
 */

interface Services {
  /** The service "restarts" once: the first run of a call finds it gone. */
  restarts: number;
  runs: string[];
  dispose?(): Promise<void>;
}
const { tool } = connector<Services>();

class ServiceRestarted extends Error {}
class ServiceTimeout extends Error {
  override readonly name = 'TimeoutError';
}

const work = tool({
  name: 'demo_work',
  title: 'Work',
  description: 'Works; the first run after a restart fails.',
  toolset: 'demo',
  access: 'read',
  input: { wait: z.number().int().default(0).describe('Milliseconds to wait for the service') },
  output: { runs: z.number() },
  async handler({ wait }, ctx) {
    ctx.services.runs.push('run');
    if (ctx.services.restarts > 0) {
      ctx.services.restarts--;
      throw new ServiceRestarted('the service went away');
    }
    if (wait > 0) {
      // A service call that honours the signal it is given, as puppeteer's waits do.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, wait);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          ctx.services.runs.push('aborted');
          reject(new ServiceTimeout('waited too long'));
        });
      });
    }
    return { structured: { runs: ctx.services.runs.length }, text: 'done' };
  },
});

const slow = tool({
  name: 'demo_slow',
  title: 'Slow',
  description: 'The service times out on its own.',
  toolset: 'demo',
  access: 'read',
  input: {},
  output: {},
  async handler() {
    throw new ServiceTimeout('Navigation timeout of 30000 ms exceeded');
  },
});

/** The whole call answers within this, whatever the handler waits for. */
const DEADLINE_MS = 200;

const demo = defineConnector({
  name: 'demo',
  title: 'Demo',
  version: '1.0.0',
  description: 'Kit call policy tests',
  instructions: 'Demo.',
  options: {},
  toolsets: { demo: { title: 'Demo', description: 'demo', default: true } },
  tools: [work, slow],
  createServices: (): Services => ({ restarts: 0, runs: [] }),
  async around(call, run) {
    const overdue = AbortSignal.timeout(DEADLINE_MS);
    const signal = AbortSignal.any([call.signal, overdue]);
    try {
      return await run(signal);
    } catch (error) {
      if (overdue.aborted) throw new ToolError(`${call.tool} got no answer within ${DEADLINE_MS} ms.`);
      if (error instanceof ServiceRestarted) return run(signal);
      throw error;
    }
  },
  mapError: (error, { tool }) =>
    error instanceof ServiceTimeout ? new ToolError(`the service timed out during ${tool}: ${error.message}.`) : undefined,
});

afterEach(closeConnected);
const connect = () => connectDefinition(demo);

describe('a connector’s around', () => {
  it('runs a call once more after the service restarted', async () => {
    const { client, services } = await connect();
    services.restarts = 1;
    const r = await call(client, 'demo_work');
    expect(r.isError).toBeFalsy();
    expect(services.runs).toEqual(['run', 'run']);
  });

  it('gives the handler its signal, so a deadline over the whole call stops what the handler waits for', async () => {
    const { client, services } = await connect();
    const r = await call(client, 'demo_work', { wait: 10_000 });
    expect(text(r)).toBe(`demo_work got no answer within ${DEADLINE_MS} ms.`);
    expect(services.runs).toEqual(['run', 'aborted']);
  });

  it('leaves the wording of a service failure to mapError', async () => {
    const { client, services } = await connect();
    services.restarts = 2;
    const r = await call(client, 'demo_work');
    expect(r.isError).toBe(true);
    expect(text(r)).toBe("demo_work failed unexpectedly: the service went away. The server's stderr log has the details.");
  });
});

describe('a service’s own timeout', () => {
  it('goes through mapError rather than being reported as a cancellation by the client', async () => {
    const { client } = await connect();
    const r = await call(client, 'demo_slow');
    expect(text(r)).toBe('the service timed out during demo_slow: Navigation timeout of 30000 ms exceeded.');
  });
});
