import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Shared by the PostgreSQL connector's tests (one server per run, from its global setup) and the
// bench, which uses the PostgreSQL the tests have when none is configured.

/**
 * A PostgreSQL server for tests: the one PATCHBAY_TEST_DATABASE_URL names, or else a throwaway
 * cluster made from the local PostgreSQL binaries (initdb + pg_ctl in a temp dir, on a free
 * loopback port, trust auth, superuser `postgres`), stopped and deleted afterwards. PostgreSQL
 * refuses to run as root, so as root the cluster runs as the `postgres` system user. Nothing here
 * depends on a test runner.
 */

const run = promisify(execFile);

export interface TestServer {
  /** A superuser URL (on the throwaway cluster) for creating test databases. */
  adminUrl: string;
  /** With `standby: true`: a superuser URL of the hot standby streaming from it. */
  standbyUrl?: string;
  origin: 'env' | 'throwaway';
  stop(): Promise<void>;
}

export type TestServerOutcome = { server: TestServer } | { skip: string };

export async function startTestServer(env: NodeJS.ProcessEnv = process.env): Promise<TestServerOutcome> {
  const given = env.PATCHBAY_TEST_DATABASE_URL;
  if (given) return { server: { adminUrl: given, origin: 'env', stop: async () => undefined } };
  try {
    return { server: await startThrowawayCluster() };
  } catch (error) {
    return {
      skip:
        'no PostgreSQL for the tests: PATCHBAY_TEST_DATABASE_URL is not set and a throwaway cluster could not be started ' +
        `(${error instanceof Error ? error.message : String(error)}). Set PATCHBAY_TEST_DATABASE_URL=postgres://user@host:port/db (a role that may CREATE DATABASE), or install PostgreSQL.`,
    };
  }
}

/** The directory holding initdb and pg_ctl: $PG_BIN, `pg_config --bindir`, or the newest /usr/lib/postgresql/N/bin. */
export async function findBinaries(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates: string[] = [];
  if (env.PG_BIN) candidates.push(env.PG_BIN);
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    candidates.push(stdout.trim());
  } catch {
    // no pg_config on PATH
  }
  for (const root of ['/usr/lib/postgresql', '/usr/local/lib/postgresql']) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(root, v, 'bin')));
  }
  candidates.push('/usr/local/pgsql/bin', '/opt/homebrew/bin', '/usr/local/bin', '/usr/bin');
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) throw new Error('initdb and pg_ctl were not found (set PG_BIN to their directory)');
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function systemUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `preload: false` leaves pg_stat_statements out of shared_preload_libraries (which it is in by
 * default, when the binaries have it): for tests of what a server without it says. `standby:
 * true` also starts a hot standby streaming from it through a physical replication slot
 * (`patchbay_standby`), made with pg_basebackup: for tests of what replication looks like.
 */
export async function startThrowawayCluster(options: { preload?: boolean; standby?: boolean } = {}): Promise<TestServer> {
  const bin = await findBinaries();
  const root = process.getuid?.() === 0;
  const owner = root ? await systemUser('postgres') : undefined;
  if (root && !owner) throw new Error('running as root and there is no "postgres" system user to run the cluster as');
  const runner = root ? await runuserCommand() : undefined;

  const dir = await mkdtemp(path.join(os.tmpdir(), 'patchbay-pg-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const exec = (file: string, args: string[]) =>
    runner
      ? run(runner[0] as string, [...runner.slice(1), path.join(bin, file), ...args], { cwd: dir })
      : run(path.join(bin, file), args, { cwd: dir });

  try {
    await exec('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  const preload =
    options.preload !== false && existsSync(path.join(path.dirname(bin), 'lib', 'pg_stat_statements.so'))
      ? 'pg_stat_statements'
      : '';
  /** Start a data directory on a free port; its port, or undefined (the log says why). */
  const start = async (directory: string, logFile: string, extra: string[]): Promise<number | undefined> => {
    // A port can be taken between choosing and binding; try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const settings = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses='127.0.0.1'",
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
        '-c shared_buffers=32MB',
        preload ? `-c shared_preload_libraries=${preload}` : '',
        ...extra,
      ].join(' ');
      try {
        await exec('pg_ctl', ['-D', directory, '-l', logFile, '-w', '-t', '60', '-o', settings, 'start']);
        return port;
      } catch {
        // see the log
      }
    }
    return undefined;
  };
  const failed = async (what: string, logFile: string) => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    return new Error(`${what} failed: ${text.split('\n').slice(-5).join(' ')}`);
  };
  const port = await start(data, log, []);
  if (port === undefined) throw await failed('pg_ctl start', log);

  let standby: { data: string; port: number } | undefined;
  if (options.standby) {
    const standbyData = path.join(dir, 'standby');
    const standbyLog = path.join(dir, 'standby.log');
    try {
      await exec('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-D',
        standbyData,
        '-R',
        '-X',
        'stream',
        '-C',
        '-S',
        'patchbay_standby',
      ]);
    } catch (error) {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw new Error(`pg_basebackup failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
    }
    const standbyPort = await start(standbyData, standbyLog, ['-c hot_standby=on']);
    if (standbyPort === undefined) throw await failed('starting the standby', standbyLog);
    standby = { data: standbyData, port: standbyPort };
  }
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    ...(standby ? { standbyUrl: `postgres://postgres@127.0.0.1:${standby.port}/postgres` } : {}),
    origin: 'throwaway',
    async stop() {
      if (standby) await exec('pg_ctl', ['-D', standby.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** How root runs a command as `postgres`: runuser (util-linux), else su. */
async function runuserCommand(): Promise<string[]> {
  for (const candidate of ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser']) {
    if (existsSync(candidate)) return [candidate, '-u', 'postgres', '--'];
  }
  throw new Error('runuser is not available to start the cluster as the postgres user');
}
