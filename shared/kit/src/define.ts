import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import type { OutputBudget } from './budget.js';
import type { Logger } from './log.js';
import type { Position } from './reply/cursor.js';
import type { PageInput } from './reply/page.js';
import type { PaginateInput } from './reply/paginate.js';
import type { TextPageInput } from './reply/text.js';

/**
 * What a tool may do to the world. It decides the MCP annotations and whether `--read-only`
 * hides the tool: only `read` tools survive it.
 */
export type Access = 'read' | 'write' | 'destructive';

export type Shape = z.ZodRawShape;
export type Infer<S extends Shape> = z.infer<z.ZodObject<S>>;

/**
 * Who is calling, when the transport knows: the bearer token of an HTTP request and what the
 * server's authenticator made of it. A connector serving many people acts per caller with this.
 */
export interface CallerAuth {
  /** The credential the caller presented (never logged, never echoed). */
  readonly token: string;
  /** The authenticated subject (an OAuth `sub`, a user name), when there is one. */
  readonly subject?: string | undefined;
  /** Scopes granted to the caller. */
  readonly scopes: readonly string[];
  readonly clientId?: string | undefined;
}

/** What every handler gets besides its arguments. */
export interface ToolContext<S> {
  /** The tool being called. */
  readonly tool: string;
  /** The connector's long-lived services (clients, pools, config), created once per process. */
  readonly services: S;
  /** Aborted when the client cancels the request or the server shuts down. */
  readonly signal: AbortSignal;
  /** The output budget of this call. Lists and long texts use `page`/`paginate`/`pageText` instead. */
  readonly budget: OutputBudget;
  readonly log: Logger;
  /**
   * Where this call resumes a listing: read from the `cursor` argument (the kit checks that it
   * belongs to this tool and these arguments). `{ offset: 0 }` on a first page.
   */
  readonly position: Position;
  /** The caller, over HTTP with a token or OAuth; undefined over stdio. */
  readonly auth: CallerAuth | undefined;
  /**
   * The reply for a list: fits text and structured content to the budget in one pass, makes the
   * cursor and the continuation line. `items` start at `position.offset`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the structured form is checked against the output schema at run time
  page<T>(input: PageInput<T>): ToolReply<any>;
  /** The reply for a list an upstream API pages itself: fetches pages until the budget is full. */
  // biome-ignore lint/suspicious/noExplicitAny: as page()
  paginate<T, U>(input: PaginateInput<T, U>): Promise<ToolReply<any>>;
  /** The reply for one long text: a budget-sized piece from `position.offset`, cut at a line break. */
  // biome-ignore lint/suspicious/noExplicitAny: as page()
  pageText(input: TextPageInput): ToolReply<any>;
  /** Report progress; a no-op unless the client sent a progress token. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Filesystem paths of the client's MCP roots; empty when the client has none or cannot say. */
  roots(): Promise<string[]>;
}

/** A handler's answer: data matching the output schema and a compact rendering for people. */
export interface ToolReply<O> {
  structured: O;
  text: string;
  /**
   * Extra MCP content after the text (an image, an embedded resource), passed through as is.
   * Not counted against the output budget: the tool bounds its own media (a screenshot's size).
   */
  content?: ExtraContent[];
}

/** A non-text content item a tool may add to its result. */
export type ExtraContent = Exclude<CallToolResult['content'][number], { type: 'text' }>;

export interface ToolDefinition<S, I extends Shape, O extends Shape> {
  /** `<connector>_<verb>_<noun>`, snake_case, stable. */
  name: string;
  title: string;
  /** Written for a model: what, when to use it instead of a neighbour, its limits. Short. */
  description: string;
  toolset: string;
  access: Access;
  /** Calling twice with the same arguments has no further effect. Defaults: read → true, else false. */
  idempotent?: boolean;
  /** Reaches beyond the local machine (a remote, a web page, a SaaS API). */
  openWorld?: boolean;
  input: I;
  output: O;
  /**
   * Operator-level switch: the tool is offered only when this returns true for the connector's
   * options (`--allow-evaluate`, a clone root set). A pure function of the options, so the tool
   * list can be known without creating services or loading the handlers.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each connector's options type; `connector<S, O>()` narrows it
  enabled?: (options: any) => boolean;
  /**
   * How the operator turns the tool on when `enabled` says no, for the model that calls it anyway:
   * `'the operator starts the server with --allow-write'`.
   */
  enabledBy?: string;
  handler: (args: Infer<I>, ctx: ToolContext<S>) => Promise<ToolReply<Infer<O>>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of tools has heterogeneous schemas
export type AnyTool<S> = ToolDefinition<S, any, any>;

/** Declare a tool. The identity function that gives inference and one place to hang checks. */
export function defineTool<S, I extends Shape, O extends Shape>(def: ToolDefinition<S, I, O>): ToolDefinition<S, I, O> {
  if (!NAME.test(def.name)) throw new Error(`Tool name "${def.name}" must be snake_case, ≤ 64 chars`);
  return def;
}

/** Tool, resource and prompt names: snake_case, ≤ 64 characters. */
export const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export function annotationsFor(tool: Pick<AnyTool<unknown>, 'title' | 'access' | 'idempotent' | 'openWorld'>): ToolAnnotations {
  return {
    title: tool.title,
    readOnlyHint: tool.access === 'read',
    destructiveHint: tool.access === 'destructive',
    idempotentHint: tool.idempotent ?? tool.access === 'read',
    openWorldHint: tool.openWorld ?? false,
  };
}

/** What a resource read or a prompt render gets. */
export interface ReadContext<S> {
  readonly services: S;
  readonly budget: OutputBudget;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly auth: CallerAuth | undefined;
  /**
   * A list fitted to the budget as a tool's `ctx.page` fits it, with its continuation line; there
   * is no cursor (resources and prompts take none), so the `hint` says how to get the rest.
   */
  // biome-ignore lint/suspicious/noExplicitAny: as ToolContext.page
  page<T>(input: PageInput<T>): ToolReply<any>;
  /** One long text fitted to the budget, as a tool's `ctx.pageText` (no cursor). */
  // biome-ignore lint/suspicious/noExplicitAny: as ToolContext.page
  pageText(input: TextPageInput): ToolReply<any>;
}

export interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  /** base64 */
  blob?: string;
}

/** A fixed resource (`postgres://main/schemas`). */
export interface ResourceDefinition<S> {
  kind: 'resource';
  name: string;
  title: string;
  description: string;
  uri: string;
  mimeType?: string;
  /** As a tool's `enabled`: a pure function of the connector's options. */
  // biome-ignore lint/suspicious/noExplicitAny: as ToolDefinition.enabled
  enabled?: (options: any) => boolean;
  read: (uri: URL, ctx: ReadContext<S>) => Promise<ResourceContents[]>;
}

/** A family of resources under a URI template (`git://{repository}/{ref}/{+path}`), with completion. */
export interface ResourceTemplateDefinition<S> {
  kind: 'template';
  name: string;
  title: string;
  description: string;
  uriTemplate: string;
  mimeType?: string;
  // biome-ignore lint/suspicious/noExplicitAny: as ToolDefinition.enabled
  enabled?: (options: any) => boolean;
  /** Enumerate concrete resources; leave out when the family is too large to list. */
  list?: (services: S) => Promise<Array<{ uri: string; name: string; title?: string; mimeType?: string }>>;
  /** Completion per template variable; `context` holds the variables already filled in. */
  complete?: Record<string, (value: string, context: Record<string, string>, services: S) => Promise<string[]>>;
  read: (uri: URL, variables: Record<string, string>, ctx: ReadContext<S>) => Promise<ResourceContents[]>;
}

export type AnyResource<S> = ResourceDefinition<S> | ResourceTemplateDefinition<S>;

export function defineResource<S>(def: Omit<ResourceDefinition<S>, 'kind'>): ResourceDefinition<S> {
  return { kind: 'resource', ...def };
}

export function defineResourceTemplate<S>(def: Omit<ResourceTemplateDefinition<S>, 'kind'>): ResourceTemplateDefinition<S> {
  return { kind: 'template', ...def };
}

export interface PromptMessage {
  role: 'user' | 'assistant';
  text: string;
}

export interface PromptDefinition<S, A extends Record<string, z.ZodType<string | undefined>>> {
  name: string;
  title: string;
  description: string;
  args: A;
  /** Completion per argument. */
  complete?: Partial<Record<keyof A, (value: string, context: Record<string, string>, services: S) => Promise<string[]>>>;
  // biome-ignore lint/suspicious/noExplicitAny: as ToolDefinition.enabled
  enabled?: (options: any) => boolean;
  render: (
    args: { [K in keyof A]: z.infer<A[K]> },
    ctx: ReadContext<S>,
  ) => Promise<{ description?: string; messages: PromptMessage[] }>;
}

// biome-ignore lint/suspicious/noExplicitAny: heterogeneous prompt arguments
export type AnyPrompt<S> = PromptDefinition<S, any>;

export function definePrompt<S, A extends Record<string, z.ZodType<string | undefined>>>(
  def: PromptDefinition<S, A>,
): PromptDefinition<S, A> {
  return def;
}

/**
 * The declarations of one connector, bound to its services type once, so no handler spells out
 * `ToolContext<XServices>`:
 *
 * ```ts
 * // src/kit.ts
 * export const { tool, resource, template, prompt } = connector<GitServices>();
 * ```
 */
export function connector<S, Options = Readonly<Record<string, unknown>>>() {
  return {
    tool: <I extends Shape, O extends Shape>(def: ToolDefinition<S, I, O> & { enabled?: (options: Options) => boolean }) =>
      defineTool<S, I, O>(def),
    resource: (def: Omit<ResourceDefinition<S>, 'kind'>) => defineResource<S>(def),
    template: (def: Omit<ResourceTemplateDefinition<S>, 'kind'>) => defineResourceTemplate<S>(def),
    prompt: <A extends Record<string, z.ZodType<string | undefined>>>(def: PromptDefinition<S, A>) => definePrompt<S, A>(def),
  };
}
