import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Logger } from '@patchbay/kit';
import type { NavigationPolicy } from './policy.js';

/** Headers that describe one hop, not the request; never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface GuardProxy {
  /** `http://127.0.0.1:<port>`, for Chromium's --proxy-server. */
  url: string;
  close(): Promise<void>;
}

/** Set on the proxy's own error responses, so tools can tell them from a site's. */
export const PROXY_ERROR_HEADER = 'x-patchbay-proxy-error';
const CONNECT_TIMEOUT_MS = 30_000;

/** Socket errors in the words Chromium would use without a proxy. */
function netError(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  const map: Record<string, string> = {
    ECONNREFUSED: 'ERR_CONNECTION_REFUSED',
    ECONNRESET: 'ERR_CONNECTION_RESET',
    ENOTFOUND: 'ERR_NAME_NOT_RESOLVED',
    EAI_AGAIN: 'ERR_NAME_NOT_RESOLVED',
    ETIMEDOUT: 'ERR_CONNECTION_TIMED_OUT',
    EHOSTUNREACH: 'ERR_ADDRESS_UNREACHABLE',
    ENETUNREACH: 'ERR_ADDRESS_UNREACHABLE',
  };
  return map[code] ?? 'ERR_CONNECTION_FAILED';
}

export interface ProxyEvents {
  /** The policy refused a connection. */
  refused(target: string, reason: string): void;
  /** A connection failed for a network reason (`host:port`, Chromium-style error name). */
  failed(target: string, error: string): void;
}

/**
 * The second line of the navigation policy: Chromium sends every connection through this local
 * proxy, which checks it like request interception does and then connects to the address it
 * checked. It covers what interception cannot see — WebSockets, service workers, a tab a page
 * opens before its guard is attached, a DNS answer that changes after the check — so a page
 * never gets a connection to a forbidden address, whatever route it takes.
 */
export async function startGuardProxy(policy: NavigationPolicy, log: Logger, events: ProxyEvents): Promise<GuardProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const refuse = (target: string, reason: string) => {
    log.info('connection refused by the guard proxy', { target, reason });
    events.refused(target, reason);
  };

  const server = createServer((req, res) => {
    void forward(req, res).catch((error: unknown) => {
      log.debug('proxy request failed', { error });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Only absolute http:// URLs can be proxied.');
      return;
    }
    if (url.protocol !== 'http:') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Only http:// URLs can be proxied.');
      return;
    }
    const port = Number(url.port || 80);
    const target = `${url.hostname.replace(/^\[|\]$/g, '')}:${port}`;
    const fail = (error: string) => {
      events.failed(target, error);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', [PROXY_ERROR_HEADER]: error });
      res.end(error);
    };
    const verdict = await policy.checkConnection(url.hostname, port);
    if (!verdict.allowed) {
      if (verdict.unresolved) return fail('ERR_NAME_NOT_RESOLVED');
      refuse(url.href, verdict.reason);
      res
        .writeHead(403, { 'content-type': 'text/plain', [PROXY_ERROR_HEADER]: 'ERR_BLOCKED_BY_CLIENT' })
        .end(`Refused by patchbay-puppeteer: ${verdict.reason}.`);
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const upstream = httpRequest({
      host: verdict.address,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
    });
    upstream.on('response', (response) => {
      upstream.setTimeout(0);
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        // A site cannot pretend to be the proxy.
        if (value !== undefined && !HOP_BY_HOP.has(name) && name !== PROXY_ERROR_HEADER) out[name] = value;
      }
      res.writeHead(response.statusCode ?? 502, response.statusMessage, out);
      response.pipe(res);
    });
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (error) => fail(netError(error)));
    req.pipe(upstream);
  }

  // HTTPS and WebSockets arrive as CONNECT host:port; the tunnel opens only to a checked address.
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '');
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = (match[1] as string).replace(/^\[|\]$/g, '');
    const port = Number(match[2]);
    const target = `${host}:${port}`;
    void policy.checkConnection(host, port).then((verdict) => {
      if (!verdict.allowed) {
        if (verdict.unresolved) events.failed(target, 'ERR_NAME_NOT_RESOLVED');
        else refuse(target, verdict.reason);
        client.end(`HTTP/1.1 ${verdict.unresolved ? '502 Bad Gateway' : '403 Forbidden'}\r\ncontent-type: text/plain\r\n\r\n`);
        return;
      }
      const upstream = connect({ host: verdict.address, port, timeout: CONNECT_TIMEOUT_MS });
      track(upstream);
      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      upstream.on('connect', () => {
        upstream.setTimeout(0);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', (error) => {
        if (!upstream.remoteAddress || upstream.connecting) events.failed(target, netError(error));
        if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
    });
  });
  server.on('connection', track);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
