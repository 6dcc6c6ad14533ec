import type { OptionsSpec } from './config.js';
import type { ConnectorDefinition, Disposable } from './connector.js';
import { parseListenAddress, unguardedHttpProblem } from './options.js';
import { redact } from './redact.js';
import { load, type Runtime } from './runtime.js';
import { type Serving, serveStdio } from './serve.js';
import { createServer } from './server.js';
import { exitOnStop } from './shutdown.js';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 1_500;

/**
 * The whole bin of a connector: options → services → stdio or Streamable HTTP → clean exit.
 * `src/index.ts` of every connector is one call to this. It is the only place in the kit that
 * prints to stdout, sets exit codes or listens for signals: `load`, `createServer`/`mount` and
 * `serveStdio`/`startHttp` compose in a gateway without taking over its process.
 */
export async function runConnector<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** The streams the bin's front hands over (the conversation so far replayed first); default stdio. */
  io?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
): Promise<void> {
  const bin = `patchbay-${def.name}`;
  const result = load(def, { argv, env });
  switch (result.status) {
    case 'help':
    case 'version':
      process.stdout.write(result.text);
      return;
    case 'missing-credentials':
      // One line per missing credential, so it cannot be missed.
      for (const line of result.missing) process.stderr.write(`${bin}: ${redact(line)}\n`);
      process.exit(2);
      return;
    case 'invalid':
      for (const line of result.problems) process.stderr.write(`${bin}: ${redact(line)}\n`);
      process.stderr.write(`Run ${bin} --help for every option.\n`);
      process.exit(2);
      return;
  }
  // Not a problem of `load`: a gateway loads its connectors with its own environment and guards
  // its one port itself (a token or OAuth); this is the bin's own listener.
  const unguarded = unguardedHttpProblem(result.runtime.settings.http, result.runtime.settings.httpToken);
  if (unguarded) {
    process.stderr.write(`${bin}: ${unguarded}\n`);
    process.exit(2);
    return;
  }
  // The front printed them already when it hands a conversation over (io).
  if (!io) {
    const { def: loaded, options, settings } = result.runtime;
    for (const line of loaded.notices?.(options, settings) ?? []) process.stderr.write(`${bin}: ${redact(line)}\n`);
  }
  try {
    await serve(result.runtime, bin, io);
  } catch (error) {
    // Anything that stops the start (a service that cannot be made) is one redacted line, not a
    // stack trace that may quote a secret.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${bin}: could not start: ${redact(message)}\n`);
    process.exit(1);
  }
}

async function serve<O extends OptionsSpec, S extends Disposable>(
  runtime: Runtime<O, S>,
  bin: string,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } | undefined,
): Promise<void> {
  const { log, settings } = runtime;

  let serving: Serving | undefined;
  // Stop calls in flight (their git, database or browser work with them), dispose services, exit.
  const stop = exitOnStop(log, SHUTDOWN_GRACE_MS, (reason) => [serving?.close(), runtime.close(reason)]);

  if (settings.http !== undefined) {
    serving = await serveOneOverHttp(runtime, bin).catch((error: unknown) => {
      // A port in use or not allowed is the operator's to fix: one line, exit 2, no stack.
      if (error instanceof Error && error.name === 'ListenError') {
        process.stderr.write(`${bin}: ${error.message}\n`);
        void stop('could not listen', 2);
        return undefined;
      }
      throw error;
    });
    return;
  }
  serving = await serveStdio(runtime, io ?? {});
  void serving.ended.then((ended) => {
    if (ended.fault) log.error(`the session ended: ${ended.reason}`);
    return stop(ended.reason, ended.fault ? 1 : 0);
  });
}

async function serveOneOverHttp<O extends OptionsSpec, S extends Disposable>(
  runtime: Runtime<O, S>,
  bin: string,
): Promise<Serving> {
  const { settings, log, def } = runtime;
  const address = parseListenAddress(settings.http as string)!;
  // Loaded only in HTTP mode: stdio servers never pay for the HTTP stack at startup.
  const { startHttp } = await import('./transport/http.js');
  const running = await startHttp({
    ...address,
    token: settings.httpToken,
    allowedHosts: settings.allowedHosts,
    allowedOrigins: settings.allowedOrigins,
    endpoints: [{ path: '/mcp', newServer: () => createServer(runtime) }],
    health: () => ({ name: bin, version: def.version }),
    log,
  });
  log.info(`listening on ${running.url}`);
  // Over HTTP no client may initialize for a while: the start-up check runs now.
  runtime.startupCheck();
  return { url: running.url, ended: new Promise(() => undefined), close: running.close };
}
