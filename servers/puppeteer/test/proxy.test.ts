import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@patchbay/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NavigationPolicy } from '../src/browser/policy.js';
import { type GuardProxy, readConnect, readGreeting, startGuardProxy } from '../src/browser/proxy.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

/** Bytes from a socket until `enough` says they are enough (or the socket closes). */
async function readUntil(socket: Socket, enough: (bytes: Buffer) => boolean): Promise<Buffer> {
  let bytes = Buffer.alloc(0);
  while (!enough(bytes)) {
    const chunk = await Promise.race([once(socket, 'data').then(([c]) => c as Buffer), once(socket, 'close').then(() => null)]);
    if (!chunk) break;
    bytes = Buffer.concat([bytes, chunk]);
  }
  return bytes;
}

/** A SOCKS5 client's handshake for `host:port` (as a domain name, as Chromium sends it); the proxy's two replies. */
async function socksConnect(proxy: GuardProxy, host: string, port: number, greeting = Buffer.from([5, 1, 0])) {
  const { port: proxyPort } = new URL(proxy.url);
  const socket = connect({ host: '127.0.0.1', port: Number(proxyPort) });
  await once(socket, 'connect');
  socket.write(greeting);
  const chosen = await readUntil(socket, (b) => b.length >= 2);
  if (chosen[1] !== 0) return { socket, chosen, reply: undefined };
  const name = Buffer.from(host, 'latin1');
  const request = Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]);
  socket.write(request);
  const reply = await readUntil(socket, (b) => b.length >= 10);
  return { socket, chosen, reply };
}

describe('the guard proxy (SOCKS5)', () => {
  let echo: Server;
  let echoPort: number;
  let closedPort: number;
  let proxy: GuardProxy;
  const refused: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
    await once(echo, 'listening');
    echoPort = (echo.address() as AddressInfo).port;
    const spare = createServer().listen(0, '127.0.0.1');
    await once(spare, 'listening');
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    const policy = new NavigationPolicy(
      { allowSites: [], blockSites: ['blocked.example'], blockPrivateNetworks: false },
      async (host) => {
        const answers: Record<string, string[]> = { 'echo.example': ['127.0.0.1'], 'metadata.example': ['169.254.169.254'] };
        const found = answers[host];
        if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return found;
      },
    );
    proxy = await startGuardProxy(policy, quiet, {
      refused: (target, reason) => refused.push(`${target} ${reason}`),
      failed: (target, error) => failed.push(`${target} ${error}`),
    });
  });
  afterAll(async () => {
    await proxy.close();
    echo.close();
  });

  it('is a SOCKS5 proxy on loopback', () => {
    expect(proxy.url).toMatch(/^socks5:\/\/127\.0\.0\.1:\d+$/);
  });

  it('tunnels an allowed connection to the address the policy checked, bytes both ways', async () => {
    const { socket, reply } = await socksConnect(proxy, 'echo.example', echoPort);
    expect(reply?.[1]).toBe(0);
    socket.write('hello through the tunnel');
    const back = await readUntil(socket, (b) => b.length >= 24);
    expect(back.toString()).toBe('hello through the tunnel');
    socket.destroy();
  });

  it('refuses what the policy refuses, by name or by what the name resolves to, connecting nowhere', async () => {
    for (const [host, reason] of [
      ['169.254.169.254', 'cloud metadata address'],
      ['metadata.example', 'cloud metadata address'],
      ['blocked.example', 'blocked by the operator'],
    ] as const) {
      const { socket, reply } = await socksConnect(proxy, host, 80);
      expect(reply?.[1], host).toBe(2); // connection not allowed by ruleset
      expect(refused.at(-1), host).toContain(reason);
      socket.destroy();
    }
  });

  it('says why a connection failed: a closed port, a name that does not resolve', async () => {
    const closed = await socksConnect(proxy, '127.0.0.1', closedPort);
    expect(closed.reply?.[1]).toBe(5); // connection refused
    expect(failed).toContain(`127.0.0.1:${closedPort} ERR_CONNECTION_REFUSED`);
    const nowhere = await socksConnect(proxy, 'nowhere.example', 80);
    expect(nowhere.reply?.[1]).toBe(4); // host unreachable
    expect(failed).toContain('nowhere.example:80 ERR_NAME_NOT_RESOLVED');
  });

  it('takes no authentication method it does not offer, and no command but CONNECT', async () => {
    const { chosen } = await socksConnect(proxy, 'echo.example', echoPort, Buffer.from([5, 1, 2]));
    expect([...chosen]).toEqual([5, 0xff]);
    expect(readGreeting(Buffer.from([4, 1, 0]))).toBeNull();
    expect(readGreeting(Buffer.from([5, 2, 0]))).toBeUndefined();
    expect(readConnect(Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, 0, 80]))).toEqual({ reply: 7 }); // BIND
    expect(readConnect(Buffer.from([5, 1, 0, 9, 0]))).toEqual({ reply: 8 }); // unknown address type
  });

  it('reads IPv4 and IPv6 targets as the policy compares them', () => {
    const v4 = readConnect(Buffer.from([5, 1, 0, 1, 169, 254, 169, 254, 0, 80]));
    expect(v4).toMatchObject({ host: '169.254.169.254', port: 80 });
    const mapped = Buffer.alloc(22);
    mapped.set([5, 1, 0, 4]);
    mapped.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254], 4);
    mapped.writeUInt16BE(443, 20);
    expect(readConnect(mapped)).toMatchObject({ host: '::ffff:a9fe:a9fe', port: 443 });
  });
});
