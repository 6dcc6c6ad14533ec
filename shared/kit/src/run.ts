import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { OptionsSpec } from './config.js';
import type { ConnectorDefinition, Disposable } from './connector.js';
import { ConfigError } from './errors.js';
import { createLogger, type Level } from './log.js';
import { parseListenAddress } from './options.js';
import { helpText, prepare } from './prepare.js';
import { redact } from './redact.js';
import { createServer } from './server.js';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 1_500;
/**
 * The largest stdio message the SDK's transport reads (its ReadBuffer default, 10 MiB). A bigger
 * line makes it give up on the session; the size is fixed here so the message can name it.
 */
const STDIO_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * The whole bin of a connector: options → services → stdio or Streamable HTTP → clean exit.
 * `src/index.ts` of every connector is one call to this.
 */
export async function runConnector<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const bin = `patchbay-${def.name}`;
  let prepared: ReturnType<typeof prepare<O, S>>;
  try {
    prepared = prepare(def, argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const missing = error.problems.filter((p) => p.startsWith('missing:'));
    // A missing credential is reported alone, in one line, so it cannot be missed.
    const lines = missing.length ? missing.map((p) => p.slice('missing:'.length).trim()) : error.problems;
    // A problem can quote what the operator typed — a connection string, a URL with a password.
    for (const line of lines) process.stderr.write(`${bin}: ${redact(line)}\n`);
    if (!missing.length) process.stderr.write(`Run ${bin} --help for every option.\n`);
    process.exit(2);
  }
  if (prepared.help) {
    process.stdout.write(helpText(def));
    return;
  }
  if (prepared.version) {
    process.stdout.write(`${bin} ${def.version}\n`);
    return;
  }

  try {
    await serve(def, bin, prepared);
  } catch (error) {
    // Anything that stops the start (a port in use, a service that cannot be made) is one
    // redacted line, not a stack trace that may quote a secret.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${bin}: could not start: ${redact(message)}\n`);
    process.exit(1);
  }
}

async function serve<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  bin: string,
  prepared: ReturnType<typeof prepare<O, S>>,
): Promise<void> {
  const { options, settings } = prepared;
  const log = createLogger(bin, settings.logLevel as Level);
  const services = def.createServices({ options, settings, log });
  const shutdownController = new AbortController();
  const runtime = { settings, services, log, shutdown: shutdownController.signal };

  let closeTransport: () => Promise<void> = async () => undefined;
  let stopping = false;
  /** Stop calls in flight (their git, database or browser work with them), dispose services, exit. */
  const stop = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.debug('shutting down', { reason });
    shutdownController.abort(new Error(`server shutting down: ${reason}`));
    const force = setTimeout(() => process.exit(exitCode), SHUTDOWN_GRACE_MS + 400);
    force.unref();
    await Promise.race([
      Promise.allSettled([closeTransport(), services.dispose?.()]),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
    ]);
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  if (settings.http !== undefined) {
    const address = parseListenAddress(settings.http)!;
    // Loaded only in HTTP mode: stdio servers never pay for the HTTP stack at startup.
    const { startHttp } = await import('./transport/http.js');
    const running = await startHttp({
      ...address,
      token: settings.httpToken,
      allowedHosts: settings.allowedHosts,
      allowedOrigins: settings.allowedOrigins,
      newServer: () => createServer(def, runtime),
      info: { name: bin, version: def.version },
      log,
    });
    closeTransport = running.close;
    if (!['127.0.0.1', 'localhost', '::1'].includes(address.host) && !settings.httpToken) {
      log.warn('listening beyond loopback without --http-token: anyone who can reach this port can use every tool');
    }
    log.info(`listening on ${running.url}`);
    return;
  }

  const server = createServer(def, runtime);
  const transport = new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: STDIO_MAX_MESSAGE_BYTES });
  closeTransport = () => server.close();
  // The transport closes itself only when it cannot go on reading (a line past the size limit);
  // the error it reported just before says why. Without this the session ended silently, exit 0.
  let transportFault: Error | undefined;
  server.server.onerror = (error) => {
    transportFault = error;
    log.debug('transport error', { error: error.message });
  };
  // The client closing our stdin is the normal way an MCP stdio session ends.
  process.stdin.once('end', () => void stop('stdin closed'));
  process.stdin.once('close', () => void stop('stdin closed'));
  const removeSink = log.addSink((level, logger, data) => {
    if (server.isConnected()) server.server.sendLoggingMessage({ level, logger, data }).catch(() => undefined);
  });
  server.server.onclose = () => {
    removeSink();
    if (stopping) return;
    const reason = transportFault ? describeTransportFault(transportFault) : 'the stdio transport closed';
    log.error(`the session ended: ${reason}`);
    void stop('transport closed', 1);
  };
  await server.connect(transport);
}

/** The SDK's words for a transport failure, in the operator's. */
function describeTransportFault(error: Error): string {
  if (/ReadBuffer exceeded maximum size/.test(error.message)) {
    return `a message from the client was larger than ${STDIO_MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the most one stdio message may be`;
  }
  return error.message;
}
