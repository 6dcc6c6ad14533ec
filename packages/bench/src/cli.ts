import path from 'node:path';
import { CONNECTOR_IDS, type ConnectorId } from './catalogue.js';

export interface CliOptions {
  only: ConnectorId[];
  runs: number;
  /** Also rewrite the results section of packages/bench/README.md with this run. */
  updateReadme: boolean;
  /** Also measure the gateway (`patchbay serve`) against the separate bins. */
  gateway: boolean;
  /**
   * Another checkout of the repository, already built: its connectors' bins are measured beside
   * this checkout's (start-up, idle memory, first result), for a before and after.
   */
  baseline?: string;
  /** The Node binary that runs the floor and every server (default: the one running the bench). */
  node?: string;
  help: boolean;
}

export const DEFAULT_RUNS = 5;
export const MAX_RUNS = 50;

export const USAGE = `pnpm bench [-- options]

Measures every Patchbay connector that is built against the server users would pick instead,
plus a floor (a bare node process), and prints a Markdown table.

Options:
  --only <names>     Connectors to measure, comma-separated or repeated: ${CONNECTOR_IDS.join(', ')},
                     and gateway (patchbay serve against the separate bins; requests per second)
                     (default: all; the floor is always measured)
  --runs <n>         Sessions per server, interleaved (default: ${DEFAULT_RUNS}, at most ${MAX_RUNS})
  --baseline <dir>   Another checkout of this repository, built: its servers/<name>/dist/index.cjs (or .js)
                     bins are measured beside this checkout's, interleaved, in a "Before and
                     after" section (start-up, tools/list, idle memory, first result)
  --node <path>      Run the floor and every server with this node binary (default: the one
                     running the bench)
  --update-readme    Write this run's table into packages/bench/README.md
  --help             Show this text

Environment:
  PATCHBAY_BENCH_DATABASE_URL   PostgreSQL to seed and query (default: database patchbay_bench
                                on postgres://postgres@127.0.0.1:5432, created if missing)
  PUPPETEER_EXECUTABLE_PATH     Chromium for both browser servers (default: /usr/bin/chromium)`;

export class UsageError extends Error {}

/** Parse the bench's arguments; a bare `--` (as pnpm may pass it through) is ignored. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { only: [], runs: DEFAULT_RUNS, updateReadme: false, gateway: false, help: false };
  let onlyGiven = false;
  const args = [...argv];
  while (args.length > 0) {
    const raw = args.shift() as string;
    if (raw === '--') continue;
    const [flag, inline] =
      raw.startsWith('--') && raw.includes('=')
        ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
        : [raw, undefined];
    const value = () => {
      const v = inline ?? args.shift();
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--only': {
        for (const name of value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          onlyGiven = true;
          if (name === 'gateway') {
            options.gateway = true;
            continue;
          }
          if (!(CONNECTOR_IDS as readonly string[]).includes(name)) {
            throw new UsageError(`--only: "${name}" is not a connector; choose from ${CONNECTOR_IDS.join(', ')}`);
          }
          if (!options.only.includes(name as ConnectorId)) options.only.push(name as ConnectorId);
        }
        break;
      }
      case '--runs': {
        const text = value();
        const runs = Number(text);
        if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
          throw new UsageError(`--runs: "${text}" must be a whole number from 1 to ${MAX_RUNS}`);
        options.runs = runs;
        break;
      }
      case '--baseline':
        options.baseline = path.resolve(value());
        break;
      case '--node':
        options.node = path.resolve(value());
        break;
      case '--update-readme':
        options.updateReadme = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown argument "${raw}"; see --help`);
    }
  }
  if (!onlyGiven) {
    options.only = [...CONNECTOR_IDS];
    options.gateway = true;
  }
  // Keep the catalogue's order whatever order they were given in.
  options.only = CONNECTOR_IDS.filter((id) => options.only.includes(id));
  return options;
}
