import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { Logger } from '@patchbay/kit';
import type { NavigationPolicy } from './policy.js';

export interface GuardProxy {
  /** `socks5://127.0.0.1:<port>`, for Chromium's --proxy-server. */
  url: string;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;
/** A client that has not finished its request by then is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

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

/** SOCKS5 reply codes (RFC 1928 §6) for what went wrong. */
const REPLY = {
  succeeded: 0,
  failure: 1,
  notAllowed: 2,
  networkUnreachable: 3,
  hostUnreachable: 4,
  connectionRefused: 5,
  timedOut: 6,
  commandNotSupported: 7,
  addressNotSupported: 8,
} as const;

function replyFor(error: string): number {
  if (error === 'ERR_CONNECTION_REFUSED') return REPLY.connectionRefused;
  if (error === 'ERR_CONNECTION_TIMED_OUT') return REPLY.timedOut;
  if (error === 'ERR_ADDRESS_UNREACHABLE') return REPLY.networkUnreachable;
  if (error === 'ERR_NAME_NOT_RESOLVED') return REPLY.hostUnreachable;
  return REPLY.failure;
}

export interface ProxyEvents {
  /** The policy refused a connection. */
  refused(target: string, reason: string): void;
  /** A connection failed for a network reason (`host:port`, Chromium-style error name). */
  failed(target: string, error: string): void;
}

/** What a SOCKS5 client asked for: where to, and the bytes that came after its request. */
interface ConnectRequest {
  host: string;
  port: number;
  rest: Buffer;
}

/**
 * A SOCKS5 greeting (RFC 1928 §3) at the start of `buffer`: its length and whether it offers no
 * authentication (all this proxy takes: it listens on loopback for its own browser); undefined
 * while incomplete, null when it is not SOCKS5.
 */
export function readGreeting(buffer: Buffer): { length: number; noAuth: boolean } | null | undefined {
  if (buffer.length < 2) return undefined;
  if (buffer[0] !== 5) return null;
  const length = 2 + (buffer[1] as number);
  if (buffer.length < length) return undefined;
  return { length, noAuth: buffer.subarray(2, length).includes(0) };
}

/** The CONNECT request after the greeting (§4): its target, or a reply code; undefined while incomplete. */
export function readConnect(buffer: Buffer): ConnectRequest | { reply: number } | undefined {
  if (buffer.length < 5) return undefined;
  if (buffer[0] !== 5) return { reply: REPLY.failure };
  if (buffer[1] !== 1) return { reply: REPLY.commandNotSupported };
  const type = buffer[3];
  let host: string;
  let at: number;
  if (type === 1) {
    if (buffer.length < 10) return undefined;
    host = [...buffer.subarray(4, 8)].join('.');
    at = 8;
  } else if (type === 3) {
    const length = buffer[4] as number;
    if (buffer.length < 7 + length) return undefined;
    host = buffer.subarray(5, 5 + length).toString('latin1');
    at = 5 + length;
  } else if (type === 4) {
    if (buffer.length < 22) return undefined;
    const groups = [];
    for (let i = 4; i < 20; i += 2) groups.push(buffer.readUInt16BE(i).toString(16));
    // The URL parser writes it as everything else compares it: compressed, lower case.
    host = new URL(`http://[${groups.join(':')}]/`).hostname.replace(/^\[|\]$/g, '');
    at = 20;
  } else {
    return { reply: REPLY.addressNotSupported };
  }
  return { host, port: buffer.readUInt16BE(at), rest: buffer.subarray(at + 2) };
}

/** A reply to a CONNECT request; the bound address is not something a browser uses. */
const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);

/**
 * The second line of the navigation policy: Chromium sends every connection through this local
 * SOCKS5 proxy, which checks it like request interception does and then connects to the address
 * it checked. It covers what interception cannot see — WebSockets, service workers, a tab a page
 * opens before its guard is attached, a DNS answer that changes after the check — so a page
 * never gets a connection to a forbidden address, whatever route it takes.
 *
 * SOCKS, not an HTTP proxy: every connection (http, https, ws) is then a byte pump after a
 * two-message handshake, with no HTTP to parse and re-send for plain-http pages — an HTTP proxy in
 * this process cost each such navigation 10–20 ms. Chromium sends host names unresolved, so the
 * policy resolves them and the proxy connects to the address it checked. A refused or failed
 * connection reaches the page as a failed connection; the tools say why (`failed`, `refused`).
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

  const server = createServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    client.setTimeout(HANDSHAKE_TIMEOUT_MS, () => client.destroy());
    let buffer = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!greeted) {
        const greeting = readGreeting(buffer);
        if (greeting === undefined) return;
        if (greeting === null || !greeting.noAuth) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, 0]));
        greeted = true;
        buffer = buffer.subarray(greeting.length);
      }
      const request = readConnect(buffer);
      if (!request) return;
      // Nothing more is read until the tunnel is open (the pipe resumes the socket).
      client.off('data', onData);
      client.pause();
      client.setTimeout(0);
      if ('reply' in request) return void client.end(reply(request.reply));
      void open(client, request);
    };
    client.on('data', onData);
  });

  async function open(client: Socket, { host, port, rest }: ConnectRequest): Promise<void> {
    const target = `${host}:${port}`;
    const verdict = await policy.checkConnection(host, port);
    if (!verdict.allowed) {
      if (verdict.unresolved) events.failed(target, 'ERR_NAME_NOT_RESOLVED');
      else refuse(target, verdict.reason);
      client.end(reply(verdict.unresolved ? REPLY.hostUnreachable : REPLY.notAllowed));
      return;
    }
    const upstream = connect({ host: verdict.address, port, timeout: CONNECT_TIMEOUT_MS });
    track(upstream);
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    upstream.on('connect', () => {
      upstream.setTimeout(0);
      client.write(reply(REPLY.succeeded));
      if (rest.length) upstream.write(rest);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (error) => {
      if (upstream.connecting || !upstream.remoteAddress) {
        const failure = netError(error);
        events.failed(target, failure);
        if (client.writable) return void client.end(reply(replyFor(failure)));
      }
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `socks5://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
