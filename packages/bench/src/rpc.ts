import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';

/** How to start a server: a command line, its environment additions and working directory. */
export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** One JSON-RPC response as it arrived on stdout. */
export interface Reply {
  /** Milliseconds from writing the request to reading the complete response line. */
  ms: number;
  /** performance.now() when the response line was complete. */
  at: number;
  /** Bytes of the response line on the wire (without the newline). */
  bytes: number;
  /** The response line itself. */
  text: string;
  message: { result?: unknown; error?: { code: number; message: string } };
}

/** The protocol version we offer; servers answer with the one they speak. */
export const PROTOCOL_VERSION = '2025-06-18';

/**
 * A server on stdio spoken to line by line, without the SDK: the bench times the exact moment a
 * response line is complete, and the SDK's parsing and validation would be noise in those figures.
 */
export class StdioSession {
  readonly child: ChildProcessWithoutNullStreams;
  readonly startedAt: number;
  private nextId = 1;
  private readonly pending = new Map<number, { sentAt: number; resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private chunks: Buffer[] = [];
  private stderrTail = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(launch: Launch) {
    this.startedAt = performance.now();
    this.child = spawn(launch.command, launch.args, {
      // What an MCP client gives a server (the SDK's stdio client: HOME, LOGNAME, PATH, SHELL, TERM,
      // USER) plus the server's own settings; the bench's own environment (PG*, GIT_*…) stays out.
      env: { ...getDefaultEnvironment(), ...launch.env },
      cwd: launch.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    // A server that exits early must fail its pending requests, not hang the bench.
    this.child.stdin.on('error', () => {});
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        for (const [, p] of this.pending)
          p.reject(new Error(`server exited (${signal ?? code}) before answering; stderr: ${this.stderr().trim().slice(-600)}`));
        this.pending.clear();
        resolve();
      });
    });
    this.child.once('error', (error) => {
      for (const [, p] of this.pending) p.reject(error);
      this.pending.clear();
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the server process did not start');
    return this.child.pid;
  }

  /** The last few KB the server wrote to stderr, for error reports. */
  stderr(): string {
    return this.stderrTail;
  }

  /** Send `initialize` and measure from spawn (not from the write) to the response line. */
  async initialize(timeoutMs = 30_000): Promise<Reply & { sinceSpawnMs: number }> {
    const reply = await this.request(
      'initialize',
      { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'patchbay-bench', version: '0.1.0' } },
      timeoutMs,
    );
    const sinceSpawnMs = reply.at - this.startedAt;
    this.notify('notifications/initialized');
    return { ...reply, sinceSpawnMs };
  }

  request(method: string, params: Record<string, unknown> | undefined, timeoutMs: number): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.exited)
        return reject(
          new Error(
            `server already exited (${this.exited.signal ?? this.exited.code}); stderr: ${this.stderr().trim().slice(-600)}`,
          ),
        );
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const sentAt = performance.now();
      this.pending.set(id, {
        sentAt,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })}\n`);
    });
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.exited) return;
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })}\n`);
  }

  private onStdout(chunk: Buffer): void {
    const receivedAt = performance.now();
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      this.chunks.push(chunk.subarray(start, newline));
      const line = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      this.chunks = [];
      this.onLine(line, receivedAt);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
  }

  private onLine(raw: Buffer, receivedAt: number): void {
    const line = raw.length > 0 && raw[raw.length - 1] === 13 ? raw.subarray(0, -1) : raw;
    if (line.length === 0) return;
    const text = line.toString('utf8');
    let message: { id?: number | string; method?: string; result?: unknown; error?: { code: number; message: string } };
    try {
      message = JSON.parse(text);
    } catch {
      // Not protocol: a server printing to stdout. Keep it for the error report.
      this.stderrTail = `${this.stderrTail}\n[stdout] ${text.slice(0, 200)}`.slice(-4000);
      return;
    }
    if (message.method !== undefined) {
      // A request from the server (ping, roots/list…): answer so it never waits on us.
      if (message.id !== undefined) {
        const answer =
          message.method === 'ping' ? { result: {} } : { error: { code: -32601, message: 'not supported by the bench client' } };
        this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, ...answer })}\n`);
      }
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    pending.resolve({ ms: receivedAt - pending.sentAt, at: receivedAt, bytes: line.length, text, message });
  }

  /** Close stdin (how clients end a stdio server), then escalate to signals if it lingers. */
  async close(graceMs = 3_000): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    if (await this.exitWithin(graceMs)) return;
    this.child.kill('SIGTERM');
    if (await this.exitWithin(2_000)) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  private exitWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exitPromise.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
