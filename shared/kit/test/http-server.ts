import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the test server saw it. */
export interface Hit {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Date.now() when the request (with its body) had arrived. */
  at: number;
}

/** Answers one request; `n` counts the requests to this path, from 1. */
export type Route = (hit: Hit, res: ServerResponse, n: number) => void;

/**
 * A real HTTP server on loopback for the HTTP helpers' tests: each test adds routes by path and
 * reads back what arrived. Unknown paths answer 404. `reset` drops the connection without an answer.
 */
export async function startTestServer() {
  const routes = new Map<string, Route>();
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      hits.push(hit);
      const path = hit.url.split('?')[0] as string;
      const route = routes.get(path);
      const n = hits.filter((h) => h.url.split('?')[0] === path).length;
      if (route) route(hit, res, n);
      else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    route(path: string, handler: Route) {
      routes.set(path, handler);
    },
    /** What arrived at `path` (any query), in order. */
    hits(path: string): Hit[] {
      return hits.filter((h) => h.url.split('?')[0] === path);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Drop the connection without answering: the client sees a reset socket. */
export function reset(res: ServerResponse): void {
  res.socket?.destroy();
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
