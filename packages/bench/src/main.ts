#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, USAGE, UsageError } from './cli.js';
import { type GatewayResult, runGatewayBench } from './gateway.js';
import { describeThisMachine } from './machine.js';
import type { BenchResult, BenchSetup } from './model.js';
import { PACKAGE_DIR, patchbayBin, RESULTS_DIR } from './paths.js';
import { gatewaySection } from './report/gateway.js';
import { renderMarkdown } from './report/markdown.js';
import { benchChart } from './report/svg.js';
import { updateReadme, writeResults } from './report/write.js';
import { runBench } from './run.js';
import { TOKEN_ENCODING } from './tokens.js';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('the bench reads memory from /proc and runs on Linux only\n');
    return 2;
  }

  let setup: BenchSetup;
  try {
    setup = checkSetup(options);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const date = new Date().toISOString();
  const chromium = findChromium(process.env);
  const scratch = await mkdtemp(path.join(tmpdir(), 'patchbay-bench-'));
  log(`measuring ${[...options.only, ...(options.gateway ? ['gateway'] : [])].join(', ')} with ${options.runs} run(s) each`);
  try {
    const { floor, connectors, postgresVersion } = await runBench({
      only: options.only,
      runs: options.runs,
      chromium,
      scratch,
      ...(setup.node ? { node: setup.node } : {}),
      ...(setup.baseline ? { baseline: setup.baseline.dir } : {}),
      progress: log,
    });
    let gateway: GatewayResult | undefined;
    if (options.gateway) gateway = await runGatewayBench({ runs: options.runs, progress: log });
    const result: BenchResult = {
      date,
      machine: describeThisMachine({
        loadAtStart,
        ...(options.only.includes('puppeteer') ? { chromium } : {}),
        ...(postgresVersion ? { postgres: postgresVersion } : {}),
      }),
      tokenizer: TOKEN_ENCODING,
      runs: options.runs,
      only: options.only,
      durationMs: Math.round(performance.now() - started),
      floor,
      connectors,
      ...(gateway ? { gateway } : {}),
      ...(setup.node || setup.baseline ? { setup } : {}),
    };
    const markdown = gateway ? `${renderMarkdown(result)}\n${gatewaySection(gateway).join('\n')}\n` : renderMarkdown(result);
    const files = await writeResults(RESULTS_DIR, result, benchChart(result));
    process.stdout.write(markdown);
    log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')} in ${(result.durationMs / 1000).toFixed(0)} s`);
    if (options.updateReadme) {
      await updateReadme(path.join(PACKAGE_DIR, 'README.md'), markdown);
      log('updated README.md');
    }
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** --node must run and say its version; --baseline must be a checkout with servers built in it. */
function checkSetup(options: ReturnType<typeof parseArgs>): BenchSetup {
  const setup: BenchSetup = {};
  if (options.node) {
    const version = run(options.node, ['--version']);
    if (!version?.startsWith('v'))
      throw new UsageError(`--node: ${options.node} did not run as node (node --version failed); give the path of a node binary`);
    setup.node = { path: options.node, version };
  }
  if (options.baseline) {
    const dir = options.baseline;
    if (!existsSync(path.join(dir, 'servers')))
      throw new UsageError(
        `--baseline: ${dir} has no servers/ folder; give a checkout of this repository, built with pnpm -r build`,
      );
    const built = options.only.filter((id) => existsSync(patchbayBin(id, dir)));
    if (built.length === 0)
      throw new UsageError(
        `--baseline: ${dir} has no built bin for ${options.only.join(', ')}; run pnpm install && pnpm -r build there`,
      );
    const commit = run('git', ['-C', dir, 'rev-parse', '--short', 'HEAD']);
    setup.baseline = { dir, ...(commit ? { commit } : {}) };
  }
  return setup;
}

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The Chromium both browser servers drive: PUPPETEER_EXECUTABLE_PATH, else where Linux packages put it. */
function findChromium(env: NodeJS.ProcessEnv): string {
  if (env.PUPPETEER_EXECUTABLE_PATH) return env.PUPPETEER_EXECUTABLE_PATH;
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

process.exitCode = await main();
