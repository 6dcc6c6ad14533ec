import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLinkHeader, retryingFetch } from '../src/index.js';

describe('retryingFetch', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (hits.get(req.url ?? '') ?? 0) + 1;
      hits.set(req.url ?? '', n);
      if (req.url === '/rate-limited' && n === 1) return res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      if (req.url === '/flaky' && n < 3) return res.writeHead(503).end();
      if (req.url === '/broken') return res.writeHead(500).end();
      if (req.url === '/long-wait') return res.writeHead(429, { 'retry-after': '3600' }).end();
      if (req.url === '/missing') return res.writeHead(404).end();
      res.writeHead(200).end(`ok after ${n}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const f = retryingFetch(fetch, { baseDelayMs: 5 });

  it('retries a 429 after Retry-After', async () => {
    const r = await f(`${base}/rate-limited`);
    expect(await r.text()).toBe('ok after 2');
  });

  it('retries transient 5xx with backoff', async () => {
    expect(await (await f(`${base}/flaky`)).text()).toBe('ok after 3');
  });

  it('gives up after the retry budget and returns the last response', async () => {
    const r = await f(`${base}/broken`);
    expect(r.status).toBe(500);
    expect(hits.get('/broken')).toBe(4);
  });

  it('does not wait longer than the policy allows', async () => {
    expect((await f(`${base}/long-wait`)).status).toBe(429);
    expect(hits.get('/long-wait')).toBe(1);
  });

  it('does not retry a client error', async () => {
    expect((await f(`${base}/missing`)).status).toBe(404);
    expect(hits.get('/missing')).toBe(1);
  });
});

describe('parseLinkHeader', () => {
  it('reads rel links', () => {
    expect(parseLinkHeader('<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=9>; rel="last"')).toEqual({
      next: 'https://api.example/x?page=2',
      last: 'https://api.example/x?page=9',
    });
  });
});
