import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { LogSink } from './log.js';
import type { Runtime } from './runtime.js';
import { createServer, type ServerInfo } from './server.js';

// biome-ignore lint/suspicious/noExplicitAny: runtimes of different connectors share one server
type AnyRuntime = Runtime<any, any>;

/** Why a session ended by itself: the client hung up (normal), or the transport gave up (a fault). */
export interface Ended {
  reason: string;
  fault: boolean;
}

/** A transport running: how to stop it, and a promise of why it ended on its own. */
export interface Serving {
  /** The HTTP endpoint URL (or the first of several), when serving HTTP. */
  readonly url?: string;
  /** Settles when the session ends by itself (the client closed stdin, or the transport failed). */
  readonly ended: Promise<Ended>;
  close(): Promise<void>;
}

/**
 * The largest stdio message the SDK's transport reads (its ReadBuffer default, 10 MiB). A bigger
 * line makes it give up on the session; the size is fixed here so the message can name it.
 */
export const STDIO_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

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
  const transport = new StdioServerTransport(input, output, { maxBufferSize: STDIO_MAX_MESSAGE_BYTES });
  let finish: (ended: Ended) => void = () => undefined;
  const ended = new Promise<Ended>((resolve) => {
    finish = resolve;
  });
  // The client closing our stdin is the normal way an MCP stdio session ends.
  const onEnd = () => finish({ reason: 'stdin closed', fault: false });
  // The transport closes itself only when it cannot go on reading (a line past the size limit);
  // the error it reported just before says why. Without this the session ended silently, exit 0.
  let transportFault: Error | undefined;
  server.server.onerror = (error) => {
    transportFault = error;
  };
  input.once('end', onEnd);
  input.once('close', onEnd);
  const sink: LogSink = (level, logger, data) => {
    if (server.isConnected()) server.server.sendLoggingMessage({ level, logger, data }).catch(() => undefined);
  };
  const removers = list.map((runtime) => (runtime.log as { addSink?: (s: LogSink) => () => void }).addSink?.(sink));
  server.server.onclose = () => {
    for (const remove of removers) remove?.();
    finish(
      transportFault
        ? { reason: describeTransportFault(transportFault), fault: true }
        : { reason: 'the stdio transport closed', fault: false },
    );
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

/** The SDK's words for a transport failure, in the operator's. */
function describeTransportFault(error: Error): string {
  if (/ReadBuffer exceeded maximum size/.test(error.message)) {
    return `a message from the client was larger than ${STDIO_MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the most one stdio message may be`;
  }
  return error.message;
}
