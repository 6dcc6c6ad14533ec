import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  type ConnectorDefinition,
  createLogger,
  createServer,
  type Disposable,
  loadOrThrow,
  type OptionsSpec,
} from '@patchbay/kit';

export interface Connected<S = unknown> {
  client: Client;
  services: S;
  close(): Promise<void>;
}

export interface InMemoryOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
  /** Directories the client offers as MCP roots. */
  roots?: string[];
  /** Collect stderr log lines here instead of printing them. */
  logs?: string[];
}

/** A real SDK Client talking to `createServer()` over an in-memory transport pair. */
export async function connectInMemory<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  options: InMemoryOptions = {},
): Promise<Connected<S>> {
  const logs = options.logs;
  const log = createLogger(`patchbay-${def.name}`, 'debug', (line) => {
    if (logs) logs.push(line);
  });
  const runtime = loadOrThrow(def, { argv: options.argv ?? [], env: options.env ?? {}, log });
  const { services } = runtime;
  const server = createServer(runtime);
  const client = newClient(options.roots);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    services,
    async close() {
      await client.close();
      await server.close();
      await runtime.close();
    },
  };
}

function newClient(roots?: string[]): Client {
  const client = new Client(
    { name: 'patchbay-test-client', version: '0.0.0' },
    { capabilities: roots ? { roots: { listChanged: false } } : {} },
  );
  if (roots) {
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: roots.map((r) => ({ uri: pathToFileURL(r).href, name: r })),
    }));
  }
  return client;
}

export interface SpawnedStdio extends Connected<undefined> {
  stderr: () => string;
  pid: number | undefined;
}

/** Spawn a built bin and talk to it over stdio, as Claude Desktop would. */
export async function connectStdio(
  bin: string,
  args: string[] = [],
  options: { env?: Record<string, string>; roots?: string[]; cwd?: string } = {},
): Promise<SpawnedStdio> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...args],
    env: { ...(process.env as Record<string, string>), ...options.env },
    stderr: 'pipe',
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = newClient(options.roots);
  await client.connect(transport);
  return {
    client,
    services: undefined,
    stderr: () => stderr,
    pid: transport.pid ?? undefined,
    close: () => client.close(),
  };
}

export interface HttpServerProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Start a built bin with `--http 127.0.0.1:0` and wait for it to say where it listens. */
export async function startHttpBin(
  bin: string,
  args: string[] = [],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [bin, '--http', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line within the timeout; stderr:\n${stderr}`)),
      options.timeoutMs ?? 15_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A real SDK Client over Streamable HTTP. */
export async function connectHttp(url: string, options: { token?: string } = {}): Promise<Connected<undefined>> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(options.token ? { requestInit: { headers: { authorization: `Bearer ${options.token}` } } } : {}),
  });
  const client = newClient();
  await client.connect(transport);
  return { client, services: undefined, close: () => client.close() };
}

export type Transport = 'stdio' | 'http';

/**
 * The built bin behind a real client over either transport, for tests that run the same session
 * over stdio and over Streamable HTTP (`describe.each(['stdio', 'http'])`). `close` ends the
 * client and, over HTTP, the server process.
 */
export async function connectBin(
  transport: Transport,
  bin: string,
  args: string[] = [],
  options: { env?: Record<string, string> } = {},
): Promise<{ client: Client; close(): Promise<void> }> {
  if (transport === 'stdio') {
    const server = await connectStdio(bin, args, options);
    return { client: server.client, close: server.close };
  }
  const http = await startHttpBin(bin, args, options);
  const connected = await connectHttp(http.url);
  return {
    client: connected.client,
    async close() {
      await connected.close();
      await http.stop();
    },
  };
}

/**
 * Import a connector package's library entry in a fresh Node process, as a gateway would, and
 * return what it printed: `<name> <tool count>` of the definition it exports, and nothing else.
 * Importing must start nothing: the process exits by itself (no server reads stdin), within 10 s.
 */
export async function importEntry(
  packageDir: string,
  packageName: string,
  exportName: string,
): Promise<{ stdout: string; stderr: string }> {
  const script = `const d = (await import(${JSON.stringify(packageName)}))[${JSON.stringify(exportName)}]; console.log(d.name, d.tools.length);`;
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 });
}

/**
 * Run a Node script to completion, as a user runs a bin: its exit code and everything it printed.
 * `input`, when given, is written to stdin at once (then left open, as a client would); without it
 * stdin is closed.
 */
export function runNode(
  script: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    /** Close stdin after `input`, as a client that has said all it will. */
    end?: boolean;
    /** Close stdin once stdout matches this, as a client that got the answer it waited for. */
    endWhen?: RegExp;
    /** Node's own options, before the script (`--require` a hook). */
    nodeArgs?: readonly string[];
  } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.endWhen?.test(stdout)) child.stdin?.end();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined && child.stdin) {
      // The process may exit before reading it all (a bad option): that is an answer, not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.write(options.input);
      if (options.end) child.stdin.end();
    }
  });
}
