/**
 * The gateway (`patchbay serve`) against the separate bins, started the same way (Streamable HTTP
 * on a free loopback port, the same repository, database URL and GitHub, Slack and Drive
 * services), interleaved: spawn → ready with every connector mounted, and idle memory. Then the
 * gateway on its embedded defaults (what `pnpm start` runs: an embedded PostgreSQL and the three
 * emulators in its own process), and requests per second for cheap read calls with 1 and 16
 * concurrent clients, with the p50 and p99 latency.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandbox } from '@patchbay/sandbox';
import { processTree, treeRssKb } from './memory.js';
import { REPO_ROOT } from './paths.js';
import { type Summary, summarize } from './stats.js';

export const GATEWAY_CONNECTORS = ['git', 'postgres', 'puppeteer', 'github', 'slack', 'gdrive'] as const;

export interface LoadFigure {
  call: string;
  concurrency: number;
  seconds: number;
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface GatewayResult {
  connectors: string[];
  runs: number;
  /** spawn → every connector ready (ms) */
  startup: { gateway?: Summary; bins?: Summary; embedded?: Summary };
  /** idle RSS of the process tree(s), KiB */
  idle: { gateway?: Summary; bins?: Summary; embedded?: Summary };
  load: LoadFigure[];
  commands: { gateway: string; bins: string[]; embedded: string };
  /** What both sides of the comparison were pointed at, besides the repository. */
  services?: string;
  failures: string[];
}

const CLI = path.join(REPO_ROOT, 'packages/cli/dist/cli.js');
const bin = (name: string) => path.join(REPO_ROOT, 'servers', name, 'dist/index.cjs');
/** Both sides get the same database URL; nothing connects to it before a call. */
const DATABASE_URL = 'postgres://bench@127.0.0.1:1/bench';
const READY_TIMEOUT_MS = 60_000;
const SETTLE_MS = 300;

interface Started {
  children: ChildProcess[];
  readyMs: number;
  base?: string;
}

function launch(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms: ${stderr.slice(-500)}`)),
      READY_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = ready.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match: match[1] ?? '' });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready: ${stderr.slice(-500)}`));
    });
  });
}

const GATEWAY_READY = /patchbay info ready url=(http:\/\/\S+?)\/?(\s|$)/;
const BIN_READY = /listening on (http:\/\/\S+)/;

const gatewayArgs = [
  CLI,
  'serve',
  ...GATEWAY_CONNECTORS,
  '--http',
  '127.0.0.1:0',
  '--git.repository',
  REPO_ROOT,
  '--git.read-only',
];
const binArgs = (name: string) => [
  bin(name),
  '--http',
  '127.0.0.1:0',
  ...(name === 'git' ? ['--repository', REPO_ROOT, '--read-only'] : []),
];
const embeddedArgs = [CLI, 'serve', '--http', '127.0.0.1:0'];

/**
 * Every variable that would point a connector at a real service, emptied for the embedded side
 * (the kit reads an empty variable as unset), so it runs on its own defaults whatever the shell holds.
 */
const NO_SERVICES = Object.fromEntries(
  [
    'DATABASE_URL',
    'GIT_REPOSITORIES',
    'GITHUB_TOKEN',
    'GITHUB_PERSONAL_ACCESS_TOKEN',
    'GITHUB_API_URL',
    'SLACK_BOT_TOKEN',
    'SLACK_USER_TOKEN',
    'SLACK_API_URL',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GDRIVE_OAUTH_REFRESH_TOKEN',
    'GDRIVE_CREDENTIALS_PATH',
  ].map((name) => [name, '']),
);

/**
 * The services both sides talk to: GitHub, Slack and Drive emulators started here, in the bench's
 * own process (outside both sides' process trees, so neither is charged for them), each on its
 * own port, and an account folder of the bench's for Drive. Nothing calls them before a request.
 */
async function sharedServices(): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const sandboxes = await Promise.all(
    (['github', 'slack', 'gdrive'] as const).map((service) => startSandbox({ service, seed: 'demo', logger: false })),
  );
  const accounts = await mkdtemp(path.join(tmpdir(), 'patchbay-bench-gdrive-'));
  return {
    env: {
      DATABASE_URL,
      ...Object.assign({}, ...sandboxes.map((s) => s.env)),
      PATCHBAY_GDRIVE_CONFIG_DIR: accounts,
    },
    async close() {
      await Promise.all(sandboxes.map((s) => s.close()));
      await rm(accounts, { recursive: true, force: true });
    },
  };
}

async function startGateway(args: string[], env: Record<string, string>): Promise<Started> {
  const t0 = performance.now();
  const { child, match } = await launch(args, env, GATEWAY_READY);
  return { children: [child], readyMs: performance.now() - t0, base: match };
}

async function startBins(env: Record<string, string>): Promise<Started> {
  const t0 = performance.now();
  const started = await Promise.allSettled(GATEWAY_CONNECTORS.map((name) => launch(binArgs(name), env, BIN_READY)));
  const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.child] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop({ children, readyMs: 0 });
    throw (failed as PromiseRejectedResult).reason;
  }
  return { children, readyMs: performance.now() - t0 };
}

async function idleKb(started: Started): Promise<number> {
  await sleep(SETTLE_MS);
  return treeRssKb(started.children.flatMap((c) => processTree(c.pid as number)));
}

async function stop(started: Started): Promise<void> {
  await Promise.all(
    started.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** `concurrency` clients calling one tool back to back for `seconds`, over keep-alive HTTP. */
export async function loadTest(
  url: string,
  call: { name: string; arguments: Record<string, unknown> },
  concurrency: number,
  seconds: number,
): Promise<Omit<LoadFigure, 'call'>> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: call });
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const one = async () => {
    const t0 = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      const text = await response.text();
      if (!response.ok || !text.includes('"result"') || text.includes('"isError":true')) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    concurrency,
    seconds: Math.round(elapsed * 10) / 10,
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

export async function runGatewayBench(options: { runs: number; progress: (line: string) => void }): Promise<GatewayResult> {
  const { runs } = options;
  const result: GatewayResult = {
    connectors: [...GATEWAY_CONNECTORS],
    runs,
    startup: {},
    idle: {},
    load: [],
    commands: {
      gateway: `node ${path.relative(REPO_ROOT, CLI)} ${gatewayArgs.slice(1).join(' ').replaceAll(REPO_ROOT, '<repo>')}`,
      bins: GATEWAY_CONNECTORS.map(
        (name) =>
          `node ${path.relative(REPO_ROOT, bin(name))} ${binArgs(name).slice(1).join(' ').replaceAll(REPO_ROOT, '<repo>')}`,
      ),
      embedded: `node ${path.relative(REPO_ROOT, CLI)} serve --http 127.0.0.1:0   (pnpm start; no credential variables set)`,
    },
    services:
      `DATABASE_URL=${DATABASE_URL} (nothing connects before a call), and the variables of the sandbox's GitHub, Slack and Drive ` +
      'emulators (GITHUB_API_URL and GITHUB_TOKEN, SLACK_API_URL and the Slack tokens, GDRIVE_API_URL and the Drive OAuth ' +
      'client and refresh token), which the bench runs in its own process, one port each',
    failures: [],
  };
  const services = await sharedServices();
  try {
    return await measure(result, services.env, options);
  } finally {
    await services.close();
  }
}

async function measure(
  result: GatewayResult,
  sameEnv: Record<string, string>,
  options: { runs: number; progress: (line: string) => void },
): Promise<GatewayResult> {
  const { runs, progress } = options;
  const samples = { gateway: [] as number[], bins: [] as number[], embedded: [] as number[] };
  const memory = { gateway: [] as number[], bins: [] as number[], embedded: [] as number[] };
  const sides: Array<[keyof typeof samples, () => Promise<Started>]> = [
    ['gateway', () => startGateway(gatewayArgs, sameEnv)],
    ['bins', () => startBins(sameEnv)],
    ['embedded', () => startGateway(embeddedArgs, NO_SERVICES)],
  ];
  // One unmeasured start of each: a cold file cache (and the demo database's first seeding) is
  // not what a user sees from the second start on.
  for (const [name, start] of sides) {
    try {
      await stop(await start());
    } catch (error) {
      result.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (let run = 1; run <= runs; run++) {
    progress(`gateway: run ${run}/${runs}`);
    for (const [name, start] of sides) {
      let started: Started | undefined;
      try {
        started = await start();
        samples[name].push(started.readyMs);
        memory[name].push(await idleKb(started));
      } catch (error) {
        result.failures.push(`${name} run ${run}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        if (started) await stop(started);
      }
    }
  }
  for (const name of ['gateway', 'bins', 'embedded'] as const) {
    const s = summarize(samples[name]);
    const m = summarize(memory[name]);
    if (s) result.startup[name] = s;
    if (m) result.idle[name] = m;
  }

  progress('gateway: requests per second');
  let started: Started | undefined;
  try {
    started = await startGateway(embeddedArgs, NO_SERVICES);
    const base = started.base as string;
    const calls = [
      {
        label: 'postgres_query `SELECT 1` (embedded PostgreSQL)',
        url: `${base}/postgres/mcp`,
        call: { name: 'postgres_query', arguments: { sql: 'SELECT 1' } },
      },
      { label: 'git_status (this checkout; spawns git)', url: `${base}/git/mcp`, call: { name: 'git_status', arguments: {} } },
      {
        label: 'github_get_me (the GitHub emulator, in the gateway’s process)',
        url: `${base}/github/mcp`,
        call: { name: 'github_get_me', arguments: {} },
      },
    ];
    for (const { label, url, call } of calls) {
      await loadTest(url, call, 4, 1); // warm-up
      for (const concurrency of [1, 16]) {
        result.load.push({ call: label, ...(await loadTest(url, call, concurrency, 4)) });
      }
    }
  } catch (error) {
    result.failures.push(`load: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (started) await stop(started);
  }
  return result;
}
