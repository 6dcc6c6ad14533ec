import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '@patchbay/testing';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/**
 * The seeded demo database is kept between test runs here (seeding takes seconds, loading about
 * one), away from the user's own cache.
 */
export const TEST_CACHE = path.join(tmpdir(), 'patchbay-cli-test-cache');

/**
 * Every variable that would point a connector at a real service instead of its embedded default,
 * emptied (the kit reads an empty variable as unset), so the machine running the tests cannot
 * turn a demo into someone's account.
 */
export const NO_REAL_SERVICES = {
  DATABASE_URL: '',
  GIT_REPOSITORIES: '',
  GITHUB_TOKEN: '',
  GITHUB_PERSONAL_ACCESS_TOKEN: '',
  SLACK_BOT_TOKEN: '',
  SLACK_USER_TOKEN: '',
  GOOGLE_APPLICATION_CREDENTIALS: '',
  GDRIVE_OAUTH_REFRESH_TOKEN: '',
  GDRIVE_CREDENTIALS_PATH: '',
  // Where Drive finds accounts stored by `patchbay-gdrive auth`: a folder that holds none.
  XDG_CONFIG_HOME: path.join(tmpdir(), 'patchbay-cli-test-config'),
};

export interface GatewayProcess {
  /** `http://127.0.0.1:<port>` */
  base: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGINT (Ctrl-C), and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Run the built `patchbay serve` on a free loopback port and wait for its ready line. */
export async function startGateway(
  args: string[] = [],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within the timeout; stderr:\n${stderr}`)),
      options.timeoutMs ?? 60_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /patchbay info ready url=(http:\/\/\S+?)\/?(\s|$)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stderr:\n${stderr}`));
    });
  });
  // The banner goes to stdout just before the ready line goes to stderr; the pipes race.
  for (let waited = 0; !stdout.includes('Ctrl-C stops it.') && waited < 5_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    base,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: (signal = 'SIGINT') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** Run the built CLI to completion. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode(CLI, args, { cwd: options.cwd ?? process.cwd(), env: { XDG_CACHE_HOME: TEST_CACHE, ...options.env } });
}

/** Every process descended from `pid` (Linux /proc), to prove nothing is left behind. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it is gone for our purposes.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
