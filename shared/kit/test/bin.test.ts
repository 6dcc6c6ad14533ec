import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_BIN } from './helpers.js';

function runSync(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [ECHO_BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', input: '' });
}

function waitExit(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - started })));
}

describe('the bin', () => {
  it('prints --help to stdout and exits 0', () => {
    const r = runSync(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('patchbay-echo — A connector for testing the kit');
    expect(r.stdout).toContain('--read-only');
  });

  it('prints --version', () => {
    expect(runSync(['--version']).stdout).toBe('patchbay-echo 1.2.3\n');
  });

  it('reports a missing credential in one line naming the variable, exit 2', () => {
    const r = runSync(['--need-token']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'patchbay-echo: ECHO_TOKEN is not set. Create one at https://example.com/tokens and set it in the environment (or in the client\'s "env" block).',
    ]);
  });

  it('reports every bad option at once, exit 2', () => {
    const r = runSync(['--output-budget', '12', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown option --bogus');
    expect(r.stderr).toContain('--output-budget');
  });

  it('refuses to listen beyond loopback without a bearer token, naming what to set, exit 2', () => {
    for (const r of [runSync(['--http', '0.0.0.0:0']), runSync([], { PATCHBAY_HTTP: '0.0.0.0:0' })]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^patchbay-echo: --http 0\.0\.0\.0:0 listens beyond this machine without a bearer token/);
      expect(r.stderr).toContain('--http-token (or PATCHBAY_HTTP_TOKEN)');
    }
  });

  it('listens beyond loopback once a bearer token is set', async () => {
    const child = spawn(process.execPath, [ECHO_BIN, '--http', '0.0.0.0:0'], {
      env: { ...process.env, PATCHBAY_HTTP_TOKEN: 'test-token-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = waitExit(child);
    const listening = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /listening on (\S+)/.exec(err);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', () => reject(new Error(err)));
    });
    expect(listening).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
    const port = new URL(listening).port;
    const unauthorized = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}' });
    expect(unauthorized.status).toBe(401);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('prints the connector’s start-up notices on stderr, one line each, and starts all the same', () => {
    const r = runSync(['--note', 'no repository named']);
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('patchbay-echo: note: no repository named');
    expect(runSync([]).stderr).not.toContain('note:');
  });

  it('exits cleanly when the client closes stdin, disposing services', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [ECHO_BIN], stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const client = new Client({ name: 't', version: '0' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo_say', arguments: { text: 'hello' } });
    expect(result.structuredContent).toEqual({ text: 'hello' });
    await client.close();
    expect(stderr).toContain('disposed');
  });

  it('exits within 2 s on SIGTERM, and on stdin closing, with code 0', async () => {
    for (const how of ['SIGTERM', 'stdin'] as const) {
      const child = spawn(process.execPath, [ECHO_BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      // Wait for the answer to initialize: a signal before the handlers exist would test nothing.
      await new Promise<void>((resolve) => {
        child.stdout.on('data', () => resolve());
        child.stdin.write(
          `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`,
        );
      });
      const exited = waitExit(child);
      if (how === 'SIGTERM') child.kill('SIGTERM');
      else child.stdin.end();
      const { code, ms } = await exited;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(2_000);
      expect(stderr).toContain('disposed');
    }
  });

  it('writes nothing but protocol messages to stdout', async () => {
    const child = spawn(process.execPath, [ECHO_BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo_say', arguments: { text: 'log me' } } });
    await new Promise((r) => setTimeout(r, 500));
    child.stdin.end();
    await waitExit(child);
    const lines = stdout.trim().split('\n');
    for (const line of lines) expect(JSON.parse(line).jsonrpc).toBe('2.0');
    expect(lines.some((l) => l.includes('"id":2'))).toBe(true);
  });
});

describe('the bin, when something goes wrong', () => {
  it('masks secrets in startup problems it prints', () => {
    const r = runSync(['postgres://admin:hunter2@db/app', '--output-budget', 'host=db password=hunter2 user=app']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('patchbay-echo: Unexpected argument "postgres://admin:***@db/app"');
    expect(r.stderr).toContain('patchbay-echo: --output-budget must be a number (got "host=db password=*** user=app")');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('reports a port in use in one line naming the port and the flag, exit 2, not a stack trace', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const r = runSync(['--http', `127.0.0.1:${port}`]);
      expect(r.status).toBe(2);
      // The line, then the fixture's own "disposed" from the clean shutdown.
      expect(r.stderr.split('\n')[0]).toBe(
        `patchbay-echo: 127.0.0.1:${port} is already in use by another program. Choose another port with --http (or PATCHBAY_HTTP).`,
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      busy.close();
    }
  });

  it('ends the session with the reason on stderr and exit 1 when a stdio message passes 10 MiB, disposing services', async () => {
    const child = spawn(process.execPath, [ECHO_BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // The server stops reading in the middle of the line: the rest of the write fails, as it would for a client.
    child.stdin.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => resolve());
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`,
      );
    });
    const exited = waitExit(child);
    child.stdin.write(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n`);
    const { code } = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/patchbay-echo error the session ended: a message from the client was larger than 10 MiB/);
    expect(stderr).toContain('disposed');
  });
});

describe('Streamable HTTP', () => {
  let child: ChildProcess;
  let url: string;
  const token = 'test-token-0123456789';
  beforeAll(async () => {
    child = spawn(process.execPath, [ECHO_BIN, '--http', '127.0.0.1:0', '--http-token', token], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /listening on (\S+)/.exec(err);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', () => reject(new Error(err)));
    });
  });
  afterAll(async () => {
    const exited = waitExit(child);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
  });

  it('serves a real client with the bearer token, statelessly', async () => {
    const client = new Client({ name: 't', version: '0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    const result = await client.callTool({ name: 'echo_say', arguments: { text: 'over http' } });
    expect(result.structuredContent).toEqual({ text: 'over http' });
    const { tools } = await client.listTools();
    expect(tools.length).toBe(5);
    await client.close();
  });

  it('answers the health endpoint without a token', async () => {
    const r = await fetch(url.replace('/mcp', '/healthz'));
    expect(r.status).toBe(200);
    // Exactly this, as the READMEs document: nothing about options, tools or the token.
    expect(await r.json()).toEqual({ status: 'ok', name: 'patchbay-echo', version: '1.2.3' });
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect((await post({}, init)).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' }, init)).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    // fetch will not let us set Host; use a raw request.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const u = new URL(url);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { host: 'evil.example:80', authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.end(init);
    });
    expect(status).toBe(403);
  });

  it('refuses a foreign Origin with 403', async () => {
    expect((await post({ authorization: `Bearer ${token}`, origin: 'https://evil.example' }, init)).status).toBe(403);
  });

  it('refuses an oversized body with 413', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    expect((await post({ authorization: `Bearer ${token}` }, big)).status).toBe(413);
  });

  it('answers GET on the endpoint with 405: there are no sessions', async () => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    expect(r.status).toBe(405);
  });
});
