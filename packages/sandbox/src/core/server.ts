/**
 * The loopback HTTP server. It mounts one or more services: one service is served at the root
 * (`http://127.0.0.1:N`, as its connector expects its API), several share one port under
 * `/<name>` each (`http://127.0.0.1:N/github`, `…/slack`), which is how a gateway runs them all
 * in one process. Each mount has its own control API at `<mount>/_sandbox/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleControl, isControlPath } from './control.js';
import type { ServiceHost } from './emulator.js';

/** Bodies above this are refused (413): no API the sandbox emulates takes more in one request. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

// biome-ignore lint/suspicious/noExplicitAny: one server mounts services of any state type
type Host = ServiceHost<any>;

export class SandboxServer {
  readonly #server: Server;
  readonly #mounts = new Map<string, Host>();
  readonly #sockets = new Set<Socket>();
  #origin = '';

  constructor() {
    this.#server = createServer((req, res) => {
      this.#dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`sandbox error: ${(error as Error).message}`);
        } else res.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    // Clients keep connections alive between calls; allow that without holding a test run open.
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Mounts a service at `prefix` ('' for the root, or `/github`). Must be called before `listen`. */
  mount(prefix: string, host: Host): void {
    if (prefix !== '' && !/^\/[a-z0-9-]+$/.test(prefix)) throw new Error(`mount prefix must be '' or /name (got "${prefix}")`);
    if (this.#mounts.has(prefix)) throw new Error(`something is already mounted at "${prefix || '/'}"`);
    if (this.#mounts.has('') || (prefix === '' && this.#mounts.size > 0))
      throw new Error('a service at the root cannot share the server: mount each under /<name> instead');
    this.#mounts.set(prefix, host);
    if (this.#origin) host.url = this.#origin + prefix;
  }

  /** Listens on loopback (default 127.0.0.1, port 0 = any free port); returns the origin. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#origin = `http://${hostname}:${address.port}`;
    for (const [prefix, service] of this.#mounts) service.url = this.#origin + prefix;
    return this.#origin;
  }

  get origin(): string {
    return this.#origin;
  }

  /** Stops listening and drops open connections (keep-alive ones too). */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const found = this.#find(url.pathname);
    if (!found) {
      const names = [...this.#mounts.keys()].map((p) => p || '/');
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: `nothing is mounted at ${url.pathname}; services are at ${names.join(', ')}` }));
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(JSON.stringify({ message: `request body over ${MAX_BODY_BYTES} bytes` }));
      return;
    }
    const call = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: found.path,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    if (isControlPath(found.path)) {
      const answer = await handleControl(found.host, call);
      send(res, answer.status, answer.headers, answer.body);
      return;
    }
    const outcome = await found.host.handle(call);
    if (outcome.kind === 'reset') {
      // Like a peer that vanished: no status line, the socket just closes (clients see ECONNRESET).
      req.socket.resetAndDestroy?.() ?? req.socket.destroy();
      return;
    }
    send(res, outcome.status, outcome.headers, outcome.body);
  }

  #find(pathname: string): { host: Host; path: string } | undefined {
    const root = this.#mounts.get('');
    if (root) return { host: root, path: pathname };
    const prefix = `/${pathname.split('/')[1] ?? ''}`;
    const host = this.#mounts.get(prefix);
    if (!host) return undefined;
    return { host, path: pathname.slice(prefix.length) || '/' };
  }
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | readonly string[]>,
  body: Buffer,
): void {
  const out: Record<string, string | number | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  // 204 and 304 have no body by definition; everything else says how long it is.
  if (status !== 204 && status !== 304) out['content-length'] = body.length;
  res.writeHead(status, out as Record<string, string | number | string[]>);
  res.end(status === 204 || status === 304 ? undefined : body);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
