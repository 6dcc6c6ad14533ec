import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { type TempDir, tempDir } from '@patchbay/testing';

const run = promisify(execFile);

/**
 * Network pieces for the clone and remote security tests: real HTTPS servers serving a bare
 * repository over git's "dumb" HTTP protocol (static files), servers that only record who
 * connected, and a DNS whose answers change between calls — the resolver is the one part of the
 * network a test cannot own, so the connector takes it as a seam.
 */

/** A certificate for the given names, and a key, made by openssl in a temp folder. */
export interface TestCertificate {
  key: string;
  cert: string;
  /** The certificate's path: the operator's git config trusts it (http.sslCAInfo). */
  certPath: string;
  dir: TempDir;
}

export async function testCertificate(names: string[]): Promise<TestCertificate> {
  const dir = await tempDir('patchbay-tls-');
  const keyPath = path.join(dir.path, 'key.pem');
  const certPath = path.join(dir.path, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), certPath, dir };
}

export interface RecordingServer {
  host: string;
  port: number;
  /** "GET /path" for HTTP, or the first bytes received for raw TCP. */
  hits: string[];
  close(): Promise<void>;
}

export interface HttpOptions {
  host: string;
  port?: number;
  tls?: TestCertificate;
  /** Serve this bare repository's files (run `git update-server-info` in it first). */
  root?: string;
  /** Answer every request with 302 to this base URL plus the request path. */
  redirectTo?: string;
}

/** An HTTP(S) server that records every request; with `root`, a dumb-protocol git server. */
export async function gitHttpServer(options: HttpOptions): Promise<RecordingServer> {
  const hits: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    hits.push(`${req.method} ${req.url}`);
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (options.redirectTo) {
      res.writeHead(302, { location: `${options.redirectTo}${req.url}` }).end();
      return;
    }
    const root = options.root;
    const file = root ? path.join(root, pathname.replace(/^\/[^/]+\.git\//, '/')) : '';
    if (!root || !file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  return listen(server, options.host, options.port, hits);
}

/** A TCP server that records the first bytes of each connection (an ssh client's banner), then hangs up. */
export async function recordingTcpServer(host: string, port?: number): Promise<RecordingServer> {
  const hits: string[] = [];
  const server = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      hits.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
      socket.destroy();
    });
  });
  return listen(server, host, port, hits);
}

async function listen(server: Server, host: string, port: number | undefined, hits: string[]): Promise<RecordingServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * The same kind of server twice on one port: the address the check approves (127.0.0.2) and the
 * one a rebinding DNS answer would send git to instead (127.0.0.1, "this machine").
 */
export async function pairOnOnePort<T extends RecordingServer>(
  start: (host: string, port?: number) => Promise<T>,
): Promise<{ checked: T; rebound: T }> {
  for (let attempt = 0; ; attempt++) {
    const checked = await start('127.0.0.2');
    try {
      return { checked, rebound: await start('127.0.0.1', checked.port) };
    } catch (error) {
      await checked.close();
      if (attempt >= 5) throw error;
    }
  }
}

/** A resolver whose answers for a name change from call to call (the last answer repeats), as a rebinding DNS does. */
export function changingDns(answers: Record<string, string[][]>): ((host: string) => Promise<string[]>) & {
  calls: string[];
} {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    const sequence = answers[host.toLowerCase()];
    if (!sequence?.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const seen = calls.filter((c) => c.toLowerCase() === host.toLowerCase()).length;
    return sequence[Math.min(seen, sequence.length) - 1] as string[];
  };
  return Object.assign(lookup, { calls });
}
