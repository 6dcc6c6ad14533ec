import { fileURLToPath } from 'node:url';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  ListRootsResultSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import { byteLength, jsonSize, OutputBudget } from './budget.js';
import type { OptionsSpec } from './config.js';
import type { ConnectorDefinition, Disposable, KitSettings } from './connector.js';
import { type AnyTool, annotationsFor, type ResourceContents, type ToolContext } from './define.js';
import { isAbortError, isToolError } from './errors.js';
import type { Logger } from './log.js';
import { redact } from './redact.js';
import { selectTools } from './selection.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How long after the client's initialized notification a connector's warm-up starts. */
const WARM_UP_DELAY_MS = 100;

export interface ServerRuntime<S> {
  settings: KitSettings;
  services: S;
  log: Logger;
  /** Aborted when the process shuts down, so in-flight handlers stop too. */
  shutdown?: AbortSignal;
}

/**
 * Build the MCP server for one connector. Pure assembly, no I/O: the same function serves stdio,
 * each stateless HTTP request, and the in-memory test client.
 */
export function createServer<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  runtime: ServerRuntime<S>,
): McpServer {
  const server = new McpServer(
    { name: `patchbay-${def.name}`, title: `Patchbay ${def.title}`, version: def.version },
    {
      instructions: def.instructions,
      capabilities: { logging: {} },
    },
  );
  const budget = new OutputBudget(runtime.settings.outputBudget);
  const { warmUp } = def;
  if (warmUp) {
    // A moment after the initialized notification, so it does not hold up the requests a client
    // sends right after it (tools/list, prompts/list…).
    server.server.oninitialized = () => {
      setTimeout(() => {
        warmUp(runtime.services).catch((error: unknown) => runtime.log.debug('warm-up failed', { error }));
      }, WARM_UP_DELAY_MS).unref();
    };
  }

  for (const tool of selectTools(def, runtime.settings, runtime.services)) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: annotationsFor(tool),
      },
      ((args: Record<string, unknown>, extra: Extra) => callTool(server, tool, args, extra, runtime, budget)) as never,
    );
  }

  const resourceContext = (extra: Extra) => ({
    services: runtime.services,
    budget,
    signal: combine(extra.signal, runtime.shutdown),
  });
  for (const resource of def.resources ?? []) {
    if (resource.enabled && !resource.enabled(runtime.services)) continue;
    const meta = {
      title: resource.title,
      description: resource.description,
      ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
    };
    if (resource.kind === 'resource') {
      server.registerResource(resource.name, resource.uri, meta, async (uri, extra) =>
        readResource(resource.name, () => resource.read(uri, resourceContext(extra)), budget, runtime.log),
      );
    } else {
      const complete = Object.fromEntries(
        Object.entries(resource.complete ?? {}).map(([variable, fn]) => [
          variable,
          (value: string, context?: { arguments?: Record<string, string> }) =>
            fn(value, context?.arguments ?? {}, runtime.services).catch(() => []),
        ]),
      );
      const template = new ResourceTemplate(resource.uriTemplate, {
        list: resource.list ? async () => ({ resources: await resource.list!(runtime.services).catch(() => []) }) : undefined,
        complete,
      });
      server.registerResource(resource.name, template, meta, async (uri, variables, extra) =>
        readResource(resource.name, () => resource.read(uri, flatten(variables), resourceContext(extra)), budget, runtime.log),
      );
    }
  }

  for (const prompt of def.prompts ?? []) {
    if (prompt.enabled && !prompt.enabled(runtime.services)) continue;
    const argsSchema = Object.fromEntries(
      Object.entries(prompt.args).map(([key, schema]) => {
        const completer = prompt.complete?.[key];
        return [
          key,
          completer
            ? // completable() marks the schema it is given; a fresh clone per server keeps a second
              // createServer() (one per stateless HTTP request) from redefining that mark.
              completable((schema as z.ZodString).clone(), (value: string, context?: { arguments?: Record<string, string> }) =>
                completer(value ?? '', context?.arguments ?? {}, runtime.services).catch(() => []),
              )
            : schema,
        ];
      }),
    );
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema } as never,
      (async (args: Record<string, string | undefined>, extra: Extra) => {
        try {
          const rendered = await prompt.render(args, resourceContext(extra));
          return {
            ...(rendered.description ? { description: rendered.description } : {}),
            messages: rendered.messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: m.text } })),
          };
        } catch (error) {
          throw asProtocolError(prompt.name, error, runtime.log);
        }
      }) as never,
    );
  }

  return server;
}

async function callTool<S>(
  server: McpServer,
  tool: AnyTool<S>,
  args: Record<string, unknown>,
  extra: Extra,
  runtime: ServerRuntime<S>,
  budget: OutputBudget,
): Promise<CallToolResult> {
  const signal = combine(extra.signal, runtime.shutdown);
  const progressToken = extra._meta?.progressToken;
  const ctx: ToolContext<S> = {
    services: runtime.services,
    signal,
    budget,
    log: runtime.log,
    async progress(progress, total, message) {
      if (progressToken === undefined) return;
      await extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
        })
        .catch(() => undefined);
    },
    roots: () => listRoots(server, extra),
  };
  const started = performance.now();
  try {
    const reply = await tool.handler(args, ctx);
    return enforceBudget(tool.name, reply, budget);
  } catch (error) {
    if (isToolError(error)) return errorResult(redact(error.render()));
    if (signal.aborted || isAbortError(error)) {
      return errorResult(`${tool.name} was cancelled before it finished; nothing after the cancellation point was done.`);
    }
    runtime.log.error(`${tool.name} failed`, { error, ms: Math.round(performance.now() - started) });
    const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return errorResult(redact(`${tool.name} failed unexpectedly: ${first}. The server's stderr log has the details.`));
  }
}

/**
 * The kit's last line of defence for the budget. Handlers already fit their data; here text that
 * is still too long is cut at a line break with a note, and structured content that is still too
 * big (which no cut can keep schema-valid) is refused with advice rather than sent.
 */
export function enforceBudget(
  name: string,
  reply: { structured: unknown; text: string; content?: CallToolResult['content'] },
  budget: OutputBudget,
): CallToolResult {
  const structuredBytes = jsonSize(reply.structured);
  if (structuredBytes > budget.bytes * 1.1) {
    return errorResult(
      `${name} produced ${formatBytes(structuredBytes)} of data, over the output budget of ${formatBytes(budget.bytes)}. ` +
        'Ask for less (a narrower filter, a smaller limit, a path) or raise --output-budget.',
    );
  }
  let text = reply.text;
  if (byteLength(text) > budget.bytes) {
    const cut = budget.cutText(text);
    text = `${cut.text}\n… ${cut.omittedLines} more lines (${formatBytes(cut.omittedBytes)}) cut to fit the output budget. Narrow the request to see them.`;
  }
  return {
    content: [{ type: 'text', text }, ...(reply.content ?? [])],
    structuredContent: reply.structured as Record<string, unknown>,
  };
}

export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

async function readResource(
  name: string,
  read: () => Promise<ResourceContents[]>,
  budget: OutputBudget,
  log: Logger,
): Promise<{
  contents: Array<{ uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string }>;
}> {
  let contents: ResourceContents[];
  try {
    contents = await read();
  } catch (error) {
    throw asProtocolError(name, error, log);
  }
  return {
    contents: contents.map((c) => {
      const base = { uri: c.uri, ...(c.mimeType ? { mimeType: c.mimeType } : {}) };
      if (c.blob !== undefined) return { ...base, blob: c.blob };
      const text = c.text ?? '';
      if (byteLength(text) <= budget.bytes) return { ...base, text };
      const cut = budget.cutText(text);
      return { ...base, text: `${cut.text}\n… ${formatBytes(cut.omittedBytes)} more cut to fit the output budget.` };
    }),
  };
}

/** Resource and prompt errors travel as protocol errors; the message is still made readable. */
function asProtocolError(name: string, error: unknown, log: Logger): Error {
  if (isToolError(error)) return new Error(redact(error.render()));
  log.error(`${name} failed`, { error });
  const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new Error(redact(`${name} failed: ${first}`));
}

async function listRoots(server: McpServer, extra: Extra): Promise<string[]> {
  if (!server.server.getClientCapabilities()?.roots) return [];
  try {
    const result = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: 5_000 });
    return result.roots.filter((r) => r.uri.startsWith('file://')).map((r) => fileURLToPath(r.uri));
  } catch {
    return [];
  }
}

function combine(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b ? AbortSignal.any([a, b]) : a;
}

function flatten(variables: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
