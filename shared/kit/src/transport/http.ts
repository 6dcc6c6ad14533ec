import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../log.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token every request must carry, when set. */
  token?: string | undefined;
  /** Extra Host header names accepted besides loopback and the bound host. */
  allowedHosts?: readonly string[];
  /** Extra browser origins accepted besides loopback. */
  allowedOrigins?: readonly string[];
  /** Largest request body, bytes. */
  maxBodyBytes?: number;
  /** Builds a fresh MCP server for each request: the transport is stateless. */
  newServer: () => McpServer;
  info: { name: string; version: string };
  log: Logger;
}

export interface RunningHttp {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const MCP_PATH = '/mcp';

/**
 * Streamable HTTP, stateless: every POST gets its own server and transport, so any instance
 * behind a load balancer can answer any request. Host and Origin are checked against DNS
 * rebinding; an optional bearer token guards everything but the health endpoint.
 */
export async function startHttp(options: HttpOptions): Promise<RunningHttp> {
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const hosts = new Set([...LOOPBACK, options.host, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  const origins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase().replace(/\/$/, '')));

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error('HTTP request failed', { error });
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const hostname = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0];
    if (!hostname || !hosts.has(hostname)) {
      sendJsonRpcError(
        res,
        403,
        -32000,
        `Host "${hostHeader}" is not allowed. Start the server with --allowed-hosts to accept it.`,
      );
      return;
    }
    const origin = req.headers.origin;
    if (origin && !originAllowed(origin, origins)) {
      sendJsonRpcError(
        res,
        403,
        -32000,
        `Origin "${origin}" is not allowed. Start the server with --allowed-origins to accept it.`,
      );
      return;
    }
    if (url.pathname === '/healthz' || url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...options.info }));
      return;
    }
    if (url.pathname !== MCP_PATH) {
      sendJsonRpcError(res, 404, -32000, `Not found. The MCP endpoint is ${MCP_PATH}.`);
      return;
    }
    if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer realm="patchbay"');
      sendJsonRpcError(
        res,
        401,
        -32001,
        'Unauthorized: send "Authorization: Bearer <token>" with the token the server was started with.',
      );
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream to resume and no session to delete.
      res.setHeader('allow', 'POST');
      sendJsonRpcError(res, 405, -32000, 'Method not allowed: this server is stateless; send JSON-RPC with POST.');
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      sendJsonRpcError(res, 413, -32600, `Request body over ${maxBody} bytes.`);
      req.resume();
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === 'too-large') {
      sendJsonRpcError(res, 413, -32600, `Request body over ${maxBody} bytes.`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      sendJsonRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON.');
      return;
    }
    const mcp = options.newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close().catch(() => undefined);
      mcp.close().catch(() => undefined);
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, parsed);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${MCP_PATH}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function originAllowed(origin: string, allowed: Set<string>): boolean {
  const normalized = origin.toLowerCase().replace(/\/$/, '');
  if (allowed.has(normalized) || allowed.has('*')) return true;
  try {
    return LOOPBACK.has(new URL(normalized).hostname);
  } catch {
    return false;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve('too-large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
