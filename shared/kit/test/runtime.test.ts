import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connector, createLogger, createServer, defineConnector, load, loadOrThrow, option } from '../src/index.js';
import { startHttp } from '../src/transport/http.js';

const quiet = createLogger('test', 'error', () => undefined);

function makeConnector(name: string) {
  const { tool } = connector<{ closed: string[]; dispose?(): Promise<void> }>();
  return defineConnector({
    name,
    title: name.toUpperCase(),
    version: '1.0.0',
    description: `${name} connector`,
    instructions: `Use ${name}.`,
    options: {
      token: option.string({
        env: [`${name.toUpperCase()}_TOKEN`],
        secret: true,
        description: 'Token',
        credential: { group: 'auth' },
      }),
      userToken: option.string({
        env: [`${name.toUpperCase()}_USER_TOKEN`],
        secret: true,
        description: 'User token',
        credential: { group: 'auth' },
      }),
      depth: option.number({ description: 'How deep', default: 1 }),
    },
    toolsets: { main: { title: 'Main', description: 'main', default: true } },
    tools: [
      tool({
        name: `${name}_whoami`,
        title: 'Who am I',
        description: 'Says who called.',
        toolset: 'main',
        access: 'read',
        input: {},
        output: { subject: z.string().optional(), connector: z.string(), depth: z.number() },
        async handler(_args, ctx) {
          return {
            structured: { connector: name, depth: 0, ...(ctx.auth?.subject ? { subject: ctx.auth.subject } : {}) },
            text: `${name}: ${ctx.auth?.subject ?? 'anonymous'}`,
          };
        },
      }),
    ],
    createServices: () => ({ closed: [] }),
  });
}

const alpha = makeConnector('alpha');
const beta = makeConnector('beta');

describe('load', () => {
  it('reports a credential group none of which is set in one line naming every variable', () => {
    const result = load(alpha, { env: {} });
    expect(result).toEqual({
      status: 'missing-credentials',
      missing: [`ALPHA_TOKEN or ALPHA_USER_TOKEN are not set. Set one in the environment (or in the client's "env" block).`],
    });
    expect(load(alpha, { env: { ALPHA_USER_TOKEN: 'u-123456' } }).status).toBe('ready');
  });

  it('suggests the flag that was meant', () => {
    const result = load(alpha, { argv: ['--read-onyl'], env: { ALPHA_TOKEN: 't-123456' } });
    expect(result).toEqual({ status: 'invalid', problems: ['Unknown option --read-onyl. Did you mean --read-only?'] });
  });

  it('layers a config file between the environment and the flags, and names unknown keys', () => {
    const env = { ALPHA_TOKEN: 't-123456' };
    const fromConfig = loadOrThrow(alpha, { env, config: { values: { depth: 3, 'read-only': true }, where: 'alpha' } });
    expect(fromConfig.options.depth).toBe(3);
    expect(fromConfig.settings.readOnly).toBe(true);
    const flagWins = loadOrThrow(alpha, { env, argv: ['--depth', '5'], config: { values: { depth: 3 }, where: 'alpha' } });
    expect(flagWins.options.depth).toBe(5);
    expect(load(alpha, { env, config: { values: { detph: 3 }, where: 'alpha' } })).toEqual({
      status: 'invalid',
      problems: ['alpha.detph is not an option. Did you mean alpha.depth?'],
    });
  });

  it('closes a runtime once: its shutdown signal aborts and a second close is the same promise', async () => {
    const runtime = loadOrThrow(alpha, { env: { ALPHA_TOKEN: 't-123456' }, log: quiet });
    const first = runtime.close('test');
    expect(runtime.shutdown.aborted).toBe(true);
    expect(runtime.close()).toBe(first);
    await first;
  });
});

describe('several connectors in one process', () => {
  it('mounts two runtimes on one server: one tools list, each call to its own connector', async () => {
    const env = { ALPHA_TOKEN: 't-123456', BETA_TOKEN: 'b-123456' };
    const server = createServer([loadOrThrow(alpha, { env, log: quiet }), loadOrThrow(beta, { env, log: quiet })], {
      name: 'patchbay',
      version: '1.0.0',
    });
    const client = new Client({ name: 't', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    await client.connect(a);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['alpha_whoami', 'beta_whoami']);
    expect(client.getInstructions()).toContain('## ALPHA\nUse alpha.');
    const r = (await client.callTool({ name: 'beta_whoami', arguments: {} })) as unknown as {
      structuredContent: { connector: string };
    };
    expect(r.structuredContent.connector).toBe('beta');
    await client.close();
  });

  it('serves each connector at its own path, answers 503 with the reason for one that is down, and passes the caller to tools', async () => {
    const env = { ALPHA_TOKEN: 't-123456', BETA_TOKEN: 'b-123456' };
    const ra = loadOrThrow(alpha, { env, log: quiet });
    const rb = loadOrThrow(beta, { env, log: quiet });
    let betaDown: string | undefined;
    const running = await startHttp({
      host: '127.0.0.1',
      port: 0,
      endpoints: [
        { path: '/alpha/mcp', newServer: () => createServer(ra) },
        { path: '/beta/mcp', newServer: () => createServer(rb), unavailable: () => betaDown },
      ],
      authenticate: async (req) =>
        req.headers.authorization === 'Bearer good'
          ? { ok: true, auth: { token: 'good', clientId: 'c', scopes: ['read'], extra: { subject: 'ada' } } }
          : { ok: false, status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, message: 'no' },
      health: () => ({ connectors: 2 }),
      log: quiet,
    });
    const base = running.url.replace(/\/mcp$/, '');
    try {
      const client = new Client({ name: 't', version: '0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/alpha/mcp`), {
          requestInit: { headers: { authorization: 'Bearer good' } },
        }),
      );
      const r = (await client.callTool({ name: 'alpha_whoami', arguments: {} })) as unknown as {
        structuredContent: { subject?: string };
      };
      expect(r.structuredContent.subject).toBe('ada');
      await client.close();

      const refused = await fetch(`${base}/alpha/mcp`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');

      betaDown = 'Chromium was not found';
      const down = await fetch(`${base}/beta/mcp`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer good',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { message: string } }).error.message).toBe('Unavailable: Chromium was not found');

      const health = await fetch(`${base}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', connectors: 2 });
    } finally {
      await running.close();
    }
  });

  it('says in one line which port is taken instead of throwing EADDRINUSE', async () => {
    const runtime = loadOrThrow(alpha, { env: { ALPHA_TOKEN: 't-123456' }, log: quiet });
    const options = {
      host: '127.0.0.1',
      endpoints: [{ path: '/mcp', newServer: () => createServer(runtime) }],
      health: () => ({}),
      log: quiet,
    };
    const first = await startHttp({ ...options, port: 0 });
    try {
      await expect(startHttp({ ...options, port: first.port })).rejects.toMatchObject({
        name: 'ListenError',
        message: `127.0.0.1:${first.port} is already in use by another program. Choose another port with --http (or PATCHBAY_HTTP).`,
      });
    } finally {
      await first.close();
    }
  });
});
