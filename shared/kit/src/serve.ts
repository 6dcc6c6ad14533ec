import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { LogSink } from './log.js';
import type { Runtime } from './runtime.js';
import { createServer, type ServerInfo } from './server.js';

// biome-ignore lint/suspicious/noExplicitAny: runtimes of different connectors share one server
type AnyRuntime = Runtime<any, any>;

/** A transport running: how to stop it, and a promise of why it ended on its own. */
export interface Serving {
  /** The HTTP endpoint URL (or the first of several), when serving HTTP. */
  readonly url?: string;
  /** Settles with the reason when the session ends by itself (the client closed stdin). */
  readonly ended: Promise<string>;
  close(): Promise<void>;
}

export interface StdioOptions {
  info?: ServerInfo;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * One MCP session over stdio for one or several runtimes. Nothing here exits the process: the
 * caller (a bin, a gateway) decides what the end of the session means.
 */
export async function serveStdio(runtimes: AnyRuntime | readonly AnyRuntime[], options: StdioOptions = {}): Promise<Serving> {
  const list = (Array.isArray(runtimes) ? runtimes : [runtimes]) as readonly AnyRuntime[];
  const server = createServer(list, options.info);
  const input = (options.input ?? process.stdin) as NodeJS.ReadStream;
  const output = (options.output ?? process.stdout) as NodeJS.WriteStream;
  const transport = new StdioServerTransport(input, output);
  let finish: (reason: string) => void = () => undefined;
  const ended = new Promise<string>((resolve) => {
    finish = resolve;
  });
  // The client closing our stdin is the normal way an MCP stdio session ends.
  const onEnd = () => finish('stdin closed');
  input.once('end', onEnd);
  input.once('close', onEnd);
  const sink: LogSink = (level, logger, data) => {
    if (server.isConnected()) server.server.sendLoggingMessage({ level, logger, data }).catch(() => undefined);
  };
  const removers = list.map((runtime) => (runtime.log as { addSink?: (s: LogSink) => () => void }).addSink?.(sink));
  server.server.onclose = () => {
    for (const remove of removers) remove?.();
    finish('transport closed');
  };
  await server.connect(transport);
  return {
    ended,
    async close() {
      input.off('end', onEnd);
      input.off('close', onEnd);
      await server.close().catch(() => undefined);
    },
  };
}
