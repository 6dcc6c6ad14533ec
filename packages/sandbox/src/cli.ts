#!/usr/bin/env node
/**
 * patchbay-sandbox <service...> [--port N] [--host H] [--seed NAME] [--quiet] [--detach]
 *
 * stdout carries only `NAME=value` lines (one per environment variable that points the service's
 * connector here), so copying them into a client's `env` block, or `eval` with `--detach`, works;
 * everything else goes to stderr. Runs until SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DETACHED_ENV, READY_SENTINEL, runDetached } from './detach.js';
import { startSandbox } from './sandbox.js';
import { serviceNames } from './services.js';

const HELP = `Usage: patchbay-sandbox <service> [<service>…] [options]

Runs a local emulator of a service's API on loopback HTTP, seeded with made-up data, and prints
the environment variables that point that service's Patchbay connector at it:

  $ patchbay-sandbox github --port 4010
  GITHUB_API_URL=http://127.0.0.1:4010
  GITHUB_TOKEN=ghp_…

In a shell, run it in the background and take the variables into the environment:

  $ set -a; eval "$(patchbay-sandbox github --detach)"; set +a
  $ kill $PATCHBAY_SANDBOX_PID      # when done

Services: ${serviceNames().join(', ') || '(none registered)'}
With several services they share one port, each under /<service>.

Options:
  --port <n>     port to listen on (default: any free port)
  --host <addr>  interface to listen on (default: 127.0.0.1)
  --seed <name>  data set to start from (default: demo)
  --quiet        do not log each request to stderr
  --detach       run in the background: print the lines (and PATCHBAY_SANDBOX_PID), then exit
  -h, --help     show this help
  --version      show the version

Control API (for tests): <url>/_sandbox/{reset,log,faults,routes}; see the package README.
Stops on Ctrl-C (SIGINT) or SIGTERM.
`;

function fail(message: string): never {
  process.stderr.write(`patchbay-sandbox: ${message}\nRun patchbay-sandbox --help for usage.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  if (positionals.length === 0) fail(`name a service to emulate (one of: ${serviceNames().join(', ')})`);
  if (values.detach) {
    // The same arguments, minus --detach, in a background process; usage errors surface here first.
    const rest = process.argv.slice(2).filter((a) => a !== '--detach');
    for (const name of positionals)
      if (!serviceNames().includes(name)) fail(`unknown service "${name}" (one of: ${serviceNames().join(', ')})`);
    process.exit(await runDetached(rest));
  }
  for (const name of positionals)
    if (!serviceNames().includes(name)) fail(`unknown service "${name}" (one of: ${serviceNames().join(', ')})`);
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number 0-65535 (got "${values.port}")`);
  }
  const common = { port, verbose: !values.quiet, ...(values.host ? { host: values.host } : {}) };
  const seed = values.seed ?? 'demo';

  let env: Record<string, string>;
  let close: () => Promise<void>;
  let where: string;
  try {
    if (positionals.length === 1) {
      const sandbox = await startSandbox({ service: positionals[0]!, seed, ...common });
      ({ env, close } = sandbox);
      where = `${positionals[0]} at ${sandbox.url}`;
    } else {
      const group = await startSandbox({ services: positionals, seed, ...common });
      ({ env, close } = group);
      where = positionals.map((name) => `${name} at ${group.services[name]!.url}`).join(', ');
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') fail(`port ${port} is in use; pick another with --port, or omit it for any free port`);
    fail(e.message);
  }
  const stop = (signal: string) => {
    process.stderr.write(`patchbay-sandbox: ${signal}, stopping\n`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Handlers first: a supervisor may signal as soon as it has read the lines.
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // Printed once the handlers are in place: a script that stops the sandbox as soon as it reads
  // the lines still gets a clean shutdown (temporary files removed).
  for (const [name, value] of Object.entries(env)) process.stdout.write(`${name}=${value}\n`);
  if (process.env[DETACHED_ENV] === '1') process.stdout.write(`${READY_SENTINEL}\n`);
  process.stderr.write(`patchbay-sandbox: ${where} (seed ${seed}); control API under /_sandbox; Ctrl-C to stop\n`);
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      detach: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

await main();
