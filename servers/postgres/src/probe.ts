import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@patchbay/kit';
import type { ConnectionSpec } from './config.js';
import { CONNECT_TIMEOUT_MS, ConnectFailed, connectProblem, type Target, targetOf } from './connect-errors.js';

/**
 * The start-up check: log in to each database once, in the background after the client
 * initialized, and say on stderr — one line per connection — what will keep every call from
 * working, with the setting to change. A login and nothing else: no query, no transaction, no
 * read role (that is the first read's to set up), so the check changes nothing in the database.
 *
 * It speaks PostgreSQL's start-up protocol itself rather than loading pg: it runs in the bin's
 * front, before the full server is loaded, and pg would add ~10 MiB to an idle server's memory
 * for a login it does not need pg for. Authentication: trust, cleartext, MD5 and SCRAM-SHA-256
 * (what pg itself does); a URL that asks for TLS is checked up to the TCP connection only, and a
 * password only a .pgpass file holds is not checked — the first call checks the rest.
 */
export async function checkConnections(specs: readonly ConnectionSpec[], log: Logger): Promise<void> {
  await Promise.all(
    specs.map(async (spec) => {
      const where = `the database "${spec.name}" (${spec.display})`;
      try {
        const outcome = await login(targetOf(spec.url));
        log.debug(
          outcome === 'logged-in'
            ? `${where} accepts the login`
            : `${where} answers; the login is checked by the first call (${outcome})`,
        );
      } catch (error) {
        const problem = connectProblem(new ConnectFailed(spec, error), spec);
        const what = problem ? `${problem.what}. ${problem.fix}` : error instanceof Error ? error.message : String(error);
        log.warn(`cannot connect to ${where}: ${what}`);
      }
    }),
  );
}

/** node:crypto, loaded only when the server asks for a password: a trusted login stays as light as the check can be. */
let cryptoModule: typeof import('node:crypto') | undefined;
const crypto = () => {
  cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return cryptoModule;
};

type Outcome =
  | 'logged-in'
  | 'TLS'
  | 'an authentication method this check does not speak'
  | 'a password file this check does not read';

/** Log in and leave. Rejects with an error carrying pg's codes: the SQLSTATE, or the socket's errno. */
export function login(target: Target, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const socket: Socket = target.socket
      ? connect({ path: `${target.socket}/.s.PGSQL.${target.port}` })
      : connect({ host: target.host, port: target.port });
    // A check never keeps the process alive (a client that leaves ends the server at once).
    socket.unref();
    let settled = false;
    const finish = (error: Error | undefined, outcome?: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!error && !socket.destroyed) socket.end(message('X', Buffer.alloc(0)));
      socket.destroy();
      if (error) reject(error);
      else resolve(outcome as Outcome);
    };
    const timer = setTimeout(() => finish(coded(`no answer within ${Math.round(timeoutMs / 1000)} s`, 'ETIMEDOUT')), timeoutMs);
    timer.unref();
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('the server closed the connection during the login')));
    socket.on('connect', () => {
      if (target.ssl) return finish(undefined, 'TLS');
      socket.write(startup(target));
    });

    const scram: { nonce?: string; firstBare?: string; serverSignature?: Buffer } = {};
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 5) {
        const length = buffered.readInt32BE(1);
        if (buffered.length < 1 + length) return;
        const type = String.fromCharCode(buffered[0] as number);
        const body = buffered.subarray(5, 1 + length);
        buffered = buffered.subarray(1 + length);
        try {
          const outcome = receive(type, body);
          if (outcome) return finish(undefined, outcome);
        } catch (error) {
          return finish(error as Error);
        }
      }
    });

    /** One server message; an outcome when the login is over. */
    const receive = (type: string, body: Buffer): Outcome | undefined => {
      if (type === 'E') throw serverError(body);
      if (type === 'Z') return 'logged-in';
      if (type !== 'R') return undefined; // parameter status, key data, notices
      const method = body.readInt32BE(0);
      if (method === 0) return undefined; // authenticated: the server still checks the database
      if ((method === 3 || method === 5 || method === 10) && target.password === undefined) {
        // pg also reads a password file; this check does not, so it says nothing either way then.
        if (existsSync(process.env.PGPASSFILE ?? join(homedir(), '.pgpass'))) return 'a password file this check does not read';
        throw coded('the server asks for a password and none is given', 'NOPASSWORD');
      }
      const password = target.password as string;
      if (method === 3) {
        socket.write(message('p', cstring(password)));
      } else if (method === 5) {
        const inner = md5(password + target.user);
        socket.write(message('p', cstring(`md5${md5(Buffer.concat([Buffer.from(inner), body.subarray(4, 8)]))}`)));
      } else if (method === 10) {
        const mechanisms = body.subarray(4).toString('utf8').split('\0');
        if (!mechanisms.includes('SCRAM-SHA-256')) return 'an authentication method this check does not speak';
        scram.nonce = crypto().randomBytes(18).toString('base64');
        scram.firstBare = `n=*,r=${scram.nonce}`;
        const first = Buffer.from(`n,,${scram.firstBare}`);
        const length = Buffer.alloc(4);
        length.writeInt32BE(first.length);
        socket.write(message('p', Buffer.concat([cstring('SCRAM-SHA-256'), length, first])));
      } else if (method === 11) {
        const serverFirst = body.subarray(4).toString('utf8');
        const fields = Object.fromEntries(serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
        if (!fields.r?.startsWith(scram.nonce ?? '\0') || !fields.s || !fields.i)
          throw new Error('the server sent a malformed SCRAM message');
        const salted = crypto().pbkdf2Sync(password, Buffer.from(fields.s, 'base64'), Number(fields.i), 32, 'sha256');
        const withoutProof = `c=biws,r=${fields.r}`;
        const authMessage = `${scram.firstBare},${serverFirst},${withoutProof}`;
        const clientKey = hmac(salted, 'Client Key');
        const signature = hmac(crypto().createHash('sha256').update(clientKey).digest(), authMessage);
        const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number)));
        scram.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
        socket.write(message('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)));
      } else if (method === 12) {
        const verifier = Buffer.from(body.subarray(4).toString('utf8').replace(/^v=/, ''), 'base64');
        const expected = scram.serverSignature ?? Buffer.alloc(0);
        if (verifier.length !== expected.length || !crypto().timingSafeEqual(verifier, expected)) {
          throw new Error('the server could not prove it knows the password (SCRAM server signature mismatch)');
        }
      } else {
        return 'an authentication method this check does not speak';
      }
      return undefined;
    };
  });
}

function startup(target: Target): Buffer {
  const params = ['user', target.user, 'database', target.database, 'application_name', 'patchbay-postgres check'];
  const body = Buffer.concat([int32(196_608), ...params.map(cstring), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

/** The ErrorResponse's fields as an Error with pg's shape: `code` the SQLSTATE, the message. */
function serverError(body: Buffer): Error {
  const fields: Record<string, string> = {};
  for (let at = 0; at < body.length && body[at] !== 0; ) {
    const end = body.indexOf(0, at + 1);
    fields[String.fromCharCode(body[at] as number)] = body.subarray(at + 1, end).toString('utf8');
    at = end + 1;
  }
  return coded(fields.M ?? 'the server refused the login', fields.C);
}

function coded(text: string, code: string | undefined): Error {
  return Object.assign(new Error(text), code ? { code } : {});
}

function int32(n: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(n);
  return buffer;
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function md5(data: string | Buffer): string {
  return crypto().createHash('md5').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return crypto().createHmac('sha256', key).update(data).digest();
}
