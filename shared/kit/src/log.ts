import { redact } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MCP_LEVEL: Record<Level, 'debug' | 'info' | 'warning' | 'error'> = {
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
};

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Where a log line also goes besides stderr: the MCP client's logging notifications. */
export type LogSink = (level: 'debug' | 'info' | 'warning' | 'error', logger: string, data: string) => void;

/**
 * Logs go to stderr, always: in stdio mode stdout is the protocol. Every line is redacted.
 * One line per event, `name level message key=value…`, so it greps well.
 */
export function createLogger(
  name: string,
  level: Level = 'info',
  write: (line: string) => void = defaultWrite,
): Logger & {
  setLevel(level: Level): void;
  addSink(sink: LogSink): () => void;
} {
  let threshold = ORDER[level];
  const sinks = new Set<LogSink>();
  const emit = (lvl: Level, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${formatField(v)}`)
          .join('')
      : '';
    const line = redact(`${message}${extra}`);
    write(`${name} ${lvl} ${line}\n`);
    for (const sink of sinks) {
      try {
        sink(MCP_LEVEL[lvl], name, line);
      } catch {
        // A client that went away must not break logging.
      }
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    setLevel(l) {
      threshold = ORDER[l];
    },
    addSink(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
  };
}

function formatField(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.stack ?? value.message);
  if (typeof value === 'string') return /[\s"]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

function defaultWrite(line: string): void {
  process.stderr.write(line);
}
