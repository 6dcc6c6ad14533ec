import { fileURLToPath } from 'node:url';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type * as z from 'zod';
import { byteLength, jsonSize, OutputBudget } from './budget.js';
import type { OptionsSpec } from './config.js';
import type { Disposable } from './connector.js';
import type { AnyTool, CallerAuth, ReadContext, ResourceContents, ToolContext } from './define.js';
import { isAbortError, isToolError, type ToolError } from './errors.js';
import { isCursorInput } from './inputs.js';
import type { Logger } from './log.js';
import { redact, redactKnown } from './redact.js';
import { argumentsKey, openCursor, START } from './reply/cursor.js';
import { buildPage, type PageCall, type PageInput, type SectionsInput } from './reply/page.js';
import { paginate } from './reply/paginate.js';
import { buildTextPage } from './reply/text.js';
import type { Runtime } from './runtime.js';
import { isChosen } from './selection.js';
import { closest } from './suggest.js';
import { checkArguments, outputObjectOf, toolListEntry } from './tool-schema.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
// biome-ignore lint/suspicious/noExplicitAny: runtimes of different connectors share one server
type AnyRuntime = Runtime<any, any>;

/** How long after the client's initialized notification a connector's warm-up starts. */
const WARM_UP_DELAY_MS = 100;

export interface ServerInfo {
  name: string;
  title?: string;
  version: string;
  instructions?: string;
}

/**
 * Build one MCP server for one or several loaded connectors. Pure assembly, no I/O: the same
 * function serves stdio, each stateless HTTP request, a gateway's mount and the in-memory test
 * client. Several runtimes on one server (a gateway over stdio) share its tools list; their names
 * are prefixed already, so they cannot clash.
 */
export function createServer(runtimes: AnyRuntime | readonly AnyRuntime[], info?: ServerInfo): McpServer {
  const list = Array.isArray(runtimes) ? (runtimes as readonly AnyRuntime[]) : [runtimes as AnyRuntime];
  const first = list[0];
  if (!first) throw new Error('createServer needs at least one runtime');
  const only = list.length === 1 ? first.def : undefined;
  const server = new McpServer(
    info ?? { name: `patchbay-${first.def.name}`, title: `Patchbay ${first.def.title}`, version: first.def.version },
    {
      instructions:
        info?.instructions ??
        (only ? only.instructions : list.map((r) => `## ${r.def.title}\n${r.def.instructions}`).join('\n\n')),
      capabilities: { logging: {} },
      jsonSchemaValidator: sharedValidator,
    },
  );
  for (const runtime of list) mount(server, runtime);
  return server;
}

/** Tools of every runtime mounted on a server, by name. */
const toolTables = new WeakMap<McpServer, Map<string, { tool: AnyTool<unknown>; runtime: AnyRuntime }>>();
/** Every runtime mounted on a server, including one whose tools are all switched off. */
const mountedRuntimes = new WeakMap<McpServer, Set<AnyRuntime>>();

/**
 * Put one connector's tools, resources and prompts on a server. Tools go through the kit's own
 * `tools/list` (computed once per runtime) and `tools/call` (unknown arguments named, cursor
 * read, errors mapped); resources and prompts through the SDK's registration.
 */
export function mount(server: McpServer, runtime: AnyRuntime): void {
  let table = toolTables.get(server);
  let runtimes = mountedRuntimes.get(server);
  if (!table || !runtimes) {
    table = new Map();
    runtimes = new Set();
    toolTables.set(server, table);
    mountedRuntimes.set(server, runtimes);
    installToolHandlers(server, table, runtimes);
  }
  runtimes.add(runtime);
  for (const tool of runtime.tools) {
    if (table.has(tool.name)) throw new Error(`Tool ${tool.name} is mounted twice on one server`);
    table.set(tool.name, { tool, runtime });
  }
  const { warmUp, startupCheck } = runtime.def;
  if (warmUp || startupCheck) {
    const previous = server.server.oninitialized;
    // A moment after the initialized notification, so it does not hold up the requests a client
    // sends right after it (tools/list, prompts/list…).
    server.server.oninitialized = () => {
      previous?.();
      setTimeout(
        () =>
          whenIdle(runtime, () => {
            runtime.startupCheck();
            warmUp?.(runtime.services).catch((error: unknown) => runtime.log.debug('warm-up failed', { error }));
          }),
        WARM_UP_DELAY_MS,
      ).unref();
    };
  }
  mountResources(server, runtime);
  mountPrompts(server, runtime);
}

/**
 * Tool calls running on each runtime, and what waits for none to be: background work (the
 * start-up check, the warm-up) would compete with a call for the same CPU and the same service —
 * a first call that loads the whole server (handed over by the bin's front) outlasts the delay.
 */
const busy = new WeakMap<AnyRuntime, { calls: number; idle: Array<() => void> }>();

function whenIdle(runtime: AnyRuntime, work: () => void): void {
  const state = busy.get(runtime);
  if (state?.calls) state.idle.push(work);
  else work();
}

/** Count a call in; the returned function counts it out, running what waited once none is left. */
function callStarted(runtime: AnyRuntime): () => void {
  let state = busy.get(runtime);
  if (!state) {
    state = { calls: 0, idle: [] };
    busy.set(runtime, state);
  }
  const counted = state;
  counted.calls++;
  return () => {
    counted.calls--;
    if (counted.calls > 0) return;
    // After the reply is on its way, not before it.
    const waiting = counted.idle.splice(0);
    if (waiting.length)
      setImmediate(() => {
        for (const work of waiting) work();
      });
  };
}

/** The tools/list entries of a runtime, computed on first use and kept: the list never changes. */
const toolLists = new WeakMap<AnyRuntime, Tool[]>();
export function toolList(runtime: AnyRuntime): Tool[] {
  let tools = toolLists.get(runtime);
  if (!tools) {
    tools = runtime.tools.map((tool: AnyTool<unknown>) => toolListEntry(tool));
    toolLists.set(runtime, tools);
  }
  return tools;
}

function installToolHandlers(
  server: McpServer,
  table: Map<string, { tool: AnyTool<unknown>; runtime: AnyRuntime }>,
  runtimes: ReadonlySet<AnyRuntime>,
): void {
  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...runtimes].flatMap((runtime) => toolList(runtime)),
  }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const entry = table.get(request.params.name);
    if (!entry) return errorResult(notOffered(request.params.name, table, runtimes));
    const done = callStarted(entry.runtime);
    try {
      return await callTool(server, entry.tool, entry.runtime, request.params.arguments ?? {}, extra);
    } finally {
      done();
    }
  });
}

/**
 * Why a tool cannot be called here: hidden by --read-only, in a toolset not chosen, switched off
 * by an operator option, or not a tool at all (with the closest name). An error result, as the
 * SDK answers, so the model reads the reason.
 */
function notOffered(
  name: string,
  table: Map<string, { tool: AnyTool<unknown>; runtime: AnyRuntime }>,
  runtimes: ReadonlySet<AnyRuntime>,
): string {
  for (const runtime of runtimes) {
    const declared = (runtime.def.tools as AnyTool<unknown>[]).find((t) => t.name === name);
    if (!declared) continue;
    if (runtime.settings.readOnly && declared.access !== 'read') {
      return `${name} is not offered: this server runs read-only (--read-only), and ${name} can change things.`;
    }
    // Chosen by --toolsets/--tools, whether or not a switch turned off every tool of the toolset.
    if (!isChosen(runtime.def, runtime.settings, declared)) {
      return `${name} is not offered: its toolset "${declared.toolset}" is not enabled. The operator can add it with --toolsets ${declared.toolset} (or --tools ${name}).`;
    }
    const how = declared.enabledBy ? `; it is offered when ${declared.enabledBy}` : " (see the connector's --help)";
    return `${name} is not offered: an operator option switches it off on this server${how}.`;
  }
  const near = closest(name, table.keys(), 1);
  return `There is no tool ${name}.${near.length ? ` Did you mean ${near[0]}?` : ''} tools/list has the tools this server offers.`;
}

async function callTool(
  server: McpServer,
  tool: AnyTool<unknown>,
  runtime: AnyRuntime,
  raw: Record<string, unknown>,
  extra: Extra,
): Promise<CallToolResult> {
  const budget = budgetOf(runtime);
  const signal = combine(extra.signal, runtime.shutdown);
  const started = performance.now();
  let args: Record<string, unknown> = raw;
  try {
    args = checkArguments(tool, raw);
    // The kit reads cursors it made: tools that take the kit's `cursorInput`.
    const takesCursor = isCursorInput((tool.input as Record<string, unknown>).cursor);
    const cursorKey = takesCursor ? argumentsKey(tool.name, args) : undefined;
    const opened =
      takesCursor && typeof args.cursor === 'string' && args.cursor !== ''
        ? openCursor(args.cursor, cursorKey as string, tool.name)
        : undefined;
    const position = opened?.position ?? START;
    const call: PageCall = {
      tool: tool.name,
      budget: budget.bytes,
      position,
      cursorKey,
      resumed: opened ? { bound: opened.bound } : undefined,
    };
    const progressToken = extra._meta?.progressToken;
    const ctx: ToolContext<unknown> = {
      tool: tool.name,
      services: runtime.services,
      signal,
      budget,
      log: runtime.log,
      position,
      auth: callerAuth(extra),
      page: ((input: PageInput<unknown> | SectionsInput) => buildPage(call, input)) as ToolContext<unknown>['page'],
      pageText: (input) => buildTextPage(call, input),
      paginate: (input) => paginate(call, input),
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
    const run = (bounded: AbortSignal) => tool.handler(args, bounded === signal ? ctx : { ...ctx, signal: bounded });
    const { around } = runtime.def;
    const reply = around
      ? await around({ tool: tool.name, args, services: runtime.services, signal, log: runtime.log }, run)
      : await run(signal);
    const result = enforceBudget(tool.name, reply, budget);
    if (!result.isError) checkOutput(tool, result, runtime.log);
    return result;
  } catch (error) {
    if (isToolError(error)) return errorResult(redact(error.render()));
    const cancelled = `${tool.name} was cancelled before it finished; nothing after the cancellation point was done.`;
    if (signal.aborted) return errorResult(cancelled);
    // Before the abort check: a service's own timeout (puppeteer's is a TimeoutError) is not a
    // cancellation by the client, and the connector's table can say what timed out.
    const mapped = mapError(runtime, tool.name, args, error);
    if (mapped) return errorResult(redact(mapped.render()));
    if (isAbortError(error)) return errorResult(cancelled);
    runtime.log.error(`${tool.name} failed`, { error, ms: Math.round(performance.now() - started) });
    const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return errorResult(redact(`${tool.name} failed unexpectedly: ${first}. The server's stderr log has the details.`));
  }
}

/** The connector's error table, guarded: a mapper that itself throws must not hide the failure. */
function mapError(runtime: AnyRuntime, tool: string, args: Record<string, unknown>, error: unknown): ToolError | undefined {
  const mapper = runtime.def.mapError;
  if (!mapper) return undefined;
  try {
    const mapped = mapper(error, { tool, args, services: runtime.services });
    return mapped && isToolError(mapped) ? mapped : undefined;
  } catch (mapperError) {
    if (isToolError(mapperError)) return mapperError;
    runtime.log.error(`the error mapper failed for ${tool}`, { error: mapperError });
    return undefined;
  }
}

/** A handler's structured result that does not match its own schema is a bug: logged, reported. */
function checkOutput(tool: AnyTool<unknown>, result: CallToolResult, log: Logger): void {
  const outcome = outputObjectOf(tool.output).safeParse(result.structuredContent);
  if (outcome.success) return;
  log.error(`${tool.name} returned data that does not match its output schema`, { issues: outcome.error.issues.slice(0, 5) });
  throw new Error(`${tool.name} returned data that does not match its output schema (a bug in the server)`);
}

const budgets = new WeakMap<AnyRuntime, OutputBudget>();
function budgetOf(runtime: AnyRuntime): OutputBudget {
  let budget = budgets.get(runtime);
  if (!budget) {
    budget = new OutputBudget(runtime.settings.outputBudget);
    budgets.set(runtime, budget);
  }
  return budget;
}

function callerAuth(extra: Extra): CallerAuth | undefined {
  const info = extra.authInfo;
  if (!info) return undefined;
  const subject = typeof info.extra?.subject === 'string' ? info.extra.subject : undefined;
  return { token: info.token, scopes: info.scopes, clientId: info.clientId, subject };
}

function readContext(runtime: AnyRuntime, extra: Extra, name: string): ReadContext<unknown> {
  const budget = budgetOf(runtime);
  // Resources and prompts take no cursor: their lists end with a hint, never a cursor.
  const call: PageCall = { tool: name, budget: budget.bytes, position: START, cursorKey: undefined };
  return {
    services: runtime.services,
    budget,
    signal: combine(extra.signal, runtime.shutdown),
    log: runtime.log,
    auth: callerAuth(extra),
    page: (input) => buildPage(call, input),
    pageText: (input) => buildTextPage(call, input),
  };
}

function mountResources(server: McpServer, runtime: AnyRuntime): void {
  const { services } = runtime;
  for (const resource of runtime.def.resources ?? []) {
    if (resource.enabled && !resource.enabled(runtime.options)) continue;
    const meta = {
      title: resource.title,
      description: resource.description,
      ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
    };
    const budget = budgetOf(runtime);
    if (resource.kind === 'resource') {
      server.registerResource(resource.name, resource.uri, meta, async (uri, extra) =>
        readResource(resource.name, () => resource.read(uri, readContext(runtime, extra, resource.name)), budget, runtime, {}),
      );
    } else {
      const complete = Object.fromEntries(
        Object.entries(resource.complete ?? {}).map(([variable, fn]) => [
          variable,
          (value: string, context?: { arguments?: Record<string, string> }) =>
            fn(value, context?.arguments ?? {}, services).catch(() => []),
        ]),
      );
      const template = new ResourceTemplate(resource.uriTemplate, {
        list: resource.list ? async () => ({ resources: await resource.list!(services).catch(() => []) }) : undefined,
        complete,
      });
      server.registerResource(resource.name, template, meta, async (uri, variables, extra) => {
        const values = flatten(variables);
        return readResource(
          resource.name,
          () => resource.read(uri, values, readContext(runtime, extra, resource.name)),
          budget,
          runtime,
          values,
        );
      });
    }
  }
}

function mountPrompts(server: McpServer, runtime: AnyRuntime): void {
  const { services } = runtime;
  for (const prompt of runtime.def.prompts ?? []) {
    if (prompt.enabled && !prompt.enabled(runtime.options)) continue;
    const argsSchema = Object.fromEntries(
      Object.entries(prompt.args).map(([key, schema]) => {
        const completer = prompt.complete?.[key];
        return [
          key,
          completer
            ? // completable() marks the schema it is given; a fresh clone per server keeps a second
              // createServer() (one per stateless HTTP request) from redefining that mark.
              completable((schema as z.ZodString).clone(), (value: string, context?: { arguments?: Record<string, string> }) =>
                completer(value ?? '', context?.arguments ?? {}, services).catch(() => []),
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
          const rendered = await prompt.render(args, readContext(runtime, extra, prompt.name));
          return {
            ...(rendered.description ? { description: rendered.description } : {}),
            messages: rendered.messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: m.text } })),
          };
        } catch (error) {
          throw asProtocolError(prompt.name, error, runtime, args);
        }
      }) as never,
    );
  }
}

/**
 * The kit's last line of defence for the budget. Handlers already fit their data; here text that
 * is still too long is cut at a line break with a note, and structured content that is still too
 * big (which no cut can keep schema-valid) is refused with advice rather than sent. Configured
 * secrets are masked in what goes out, whatever produced it.
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
  const structured = redactKnown(reply.structured) as Record<string, unknown>;
  return {
    content: [{ type: 'text', text: redactKnown(text) as string }, ...(reply.content ?? [])],
    structuredContent: structured,
  };
}

export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

async function readResource(
  name: string,
  read: () => Promise<ResourceContents[]>,
  budget: OutputBudget,
  runtime: AnyRuntime,
  /** The template's variables, for the connector's error table. */
  args: Record<string, unknown>,
): Promise<{
  contents: Array<{ uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string }>;
}> {
  let contents: ResourceContents[];
  try {
    contents = await read();
  } catch (error) {
    throw asProtocolError(name, error, runtime, args);
  }
  return {
    contents: contents.map((c) => {
      const base = { uri: c.uri, ...(c.mimeType ? { mimeType: c.mimeType } : {}) };
      if (c.blob !== undefined) return { ...base, blob: c.blob };
      const text = redactKnown(c.text ?? '') as string;
      if (byteLength(text) <= budget.bytes) return { ...base, text };
      const cut = budget.cutText(text);
      return { ...base, text: `${cut.text}\n… ${formatBytes(cut.omittedBytes)} more cut to fit the output budget.` };
    }),
  };
}

/**
 * Resource and prompt errors travel as protocol errors; the message is still made readable, and a
 * service failure goes through the connector's error table with the template's variables or the
 * prompt's arguments as the call's arguments.
 */
function asProtocolError(name: string, error: unknown, runtime: AnyRuntime, args: Record<string, unknown>): Error {
  if (isToolError(error)) return new Error(redact(error.render()));
  const mapped = mapError(runtime, name, args, error);
  if (mapped) return new Error(redact(mapped.render()));
  runtime.log.error(`${name} failed`, { error });
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

/**
 * One JSON Schema validator per process, created on first use. The SDK makes an Ajv per server
 * otherwise (only elicitation uses it), and a stateless HTTP server builds a server per request:
 * that Ajv was most of a trivial request's cost.
 */
let ajv: jsonSchemaValidator | undefined;
const sharedValidator: jsonSchemaValidator = {
  getValidator(schema) {
    ajv ??= new AjvJsonSchemaValidator();
    return ajv.getValidator(schema);
  },
};

export type { Disposable, OptionsSpec };
