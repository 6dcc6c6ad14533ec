import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../log.js';

/** One MCP endpoint of an HTTP server: its path and how to build a server per request. */
export interface Endpoint {
  /** `/mcp`, or `/<connector>/mcp` in a gateway. */
  path: string;
  /**
   * Builds a fresh MCP server for one request: the transport is stateless. It gets the caller
   * `authenticate` returned, so a gateway can build a narrower server for a narrower caller (a
   * read-only scope gets a server without the write tools).
   */
  newServer: (auth?: Authenticated) => McpServer;
  /**
   * Why the endpoint cannot serve right now (a connector that failed to start): answered as 503
   * with this reason, while the other endpoints go on.
   */
  unavailable?: () => string | undefined;
}

/** The caller a request authenticated as, handed to tools as `ctx.auth`. */
export type Authenticated = AuthInfo;

/**
 * Decide whether a request may call an endpoint. Return the caller, or a refusal the transport
 * sends as is (401 with a `WWW-Authenticate` challenge, 403…). The default checks `token`.
 */
export type Authenticate = (
  req: IncomingMessage,
  endpoint: Endpoint,
) => Promise<
  { ok: true; auth?: Authenticated } | { ok: false; status: number; headers?: Record<string, string>; message: string }
>;

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token every request must carry, when set (ignored when `authenticate` is given). */
  token?: string | undefined;
  authenticate?: Authenticate;
  /** Extra Host header names accepted besides loopback and the bound host. */
  allowedHosts?: readonly string[];
  /** Extra browser origins accepted besides loopback. */
  allowedOrigins?: readonly string[];
  /** Largest request body, bytes. */
  maxBodyBytes?: number;
  /** The MCP endpoints. A single connector has one, at `/mcp`. */
  endpoints: readonly Endpoint[];
  /** What `/healthz` answers (name, version; a gateway adds each connector's state). */
  health: () => Record<string, unknown>;
  /**
   * Other routes (a gateway's index page, `/.well-known/…`): return true when the request was
   * answered. Runs after the Host/Origin checks, before the endpoints.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
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

/** The one-line reason a port cannot be listened on, for an operator (not a stack trace). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Streamable HTTP, stateless: every POST gets its own server and transport, so any instance
 * behind a load balancer can answer any request. Host and Origin are checked against DNS
 * rebinding; an optional bearer token guards everything but the health endpoint.
 */
export async function startHttp(options: HttpOptions): Promise<RunningHttp> {
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const hosts = new Set([...LOOPBACK, options.host, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  const origins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase().replace(/\/$/, '')));
  const endpoints = new Map(options.endpoints.map((e) => [e.path.replace(/\/$/, ''), e]));
  const authenticate: Authenticate = options.authenticate ?? (async (req) => staticToken(req, options.token));

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
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...options.health() }));
      return;
    }
    if (options.routes && (await options.routes(req, res, url))) return;
    const endpoint = endpoints.get(url.pathname.replace(/\/$/, ''));
    if (!endpoint) {
      const paths = [...endpoints.keys()];
      sendJsonRpcError(res, 404, -32000, `Not found. The MCP endpoint${paths.length > 1 ? 's are' : ' is'} ${paths.join(', ')}.`);
      return;
    }
    const verdict = await authenticate(req, endpoint);
    if (!verdict.ok) {
      for (const [name, value] of Object.entries(verdict.headers ?? {})) res.setHeader(name, value);
      sendJsonRpcError(res, verdict.status, verdict.status === 401 ? -32001 : -32000, verdict.message);
      return;
    }
    const down = endpoint.unavailable?.();
    if (down) {
      res.setHeader('retry-after', '30');
      sendJsonRpcError(res, 503, -32000, `Unavailable: ${down}`);
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
    if (verdict.auth) (req as IncomingMessage & { auth?: AuthInfo }).auth = verdict.auth;
    const mcp = endpoint.newServer(verdict.auth);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close().catch(() => undefined);
      mcp.close().catch(() => undefined);
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, parsed);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      server.on('error', (error) => options.log.error('HTTP server error', { error }));
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

/** The default authentication: none, or the operator's one shared bearer token. */
function staticToken(req: IncomingMessage, token: string | undefined): Awaited<ReturnType<Authenticate>> {
  if (!token) return { ok: true };
  if (bearerMatches(req.headers.authorization, token)) return { ok: true, auth: { token, clientId: 'http-token', scopes: [] } };
  return {
    ok: false,
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="patchbay"' },
    message: 'Unauthorized: send "Authorization: Bearer <token>" with the token the server was started with.',
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

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(
        `${where} is already in use by another program. Choose another port with --http (or PATCHBAY_HTTP).`,
      );
    case 'EACCES':
      return new ListenError(
        `not allowed to listen on ${where} (ports below 1024 need privileges). Choose a port above 1024 with --http.`,
      );
    case 'EADDRNOTAVAIL':
      return new ListenError(
        `${host} is not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its addresses with --http.`,
      );
    default:
      return error;
  }
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
