/**
 * @patchbay/kit — the helper layer every Patchbay connector is built on.
 *
 * A connector declares its options, toolsets, tools, resources and prompts with zod schemas and
 * hands them to `runConnector`; the kit supplies config parsing and --help, tool selection and
 * --read-only, MCP annotations, the output budget, error shaping and redaction, stdio and
 * Streamable HTTP transports, logging and lifecycle.
 */

export type { AddressClass } from './addresses.js';
export { classifyAddress, ipFamily, isLoopbackName, isMetadataName } from './addresses.js';
export { runConnector } from './bin.js';
export type { More } from './budget.js';
export { BudgetMeter, byteLength, DEFAULT_OUTPUT_BUDGET, jsonSize, more, moreLine, moreSchema, OutputBudget } from './budget.js';
export type { Credential, OptionSpec, OptionsSpec, OptionValues } from './config.js';
export { flagOf, option, parseOptions, renderHelp } from './config.js';
export type {
  CallInProgress,
  ConnectorDefinition,
  Disposable,
  FailedCall,
  KitSettings,
  ServiceInput,
  Toolset,
} from './connector.js';
export { commonOptions, defineConnector } from './connector.js';
/** @deprecated connectors page with `ctx.page`/`ctx.paginate`/`ctx.pageText`; removed once all are migrated. */
export { decodeCursor, encodeCursor } from './cursor.js';
export { Deadline, DeadlineError, within } from './deadline.js';
export type {
  Access,
  AnyPrompt,
  AnyResource,
  AnyTool,
  CallerAuth,
  ExtraContent,
  Infer,
  PromptDefinition,
  PromptMessage,
  ReadContext,
  ResourceContents,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolContext,
  ToolDefinition,
  ToolReply,
} from './define.js';
export {
  annotationsFor,
  connector,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
} from './define.js';
export {
  OPTIONS_BEGIN,
  OPTIONS_END,
  renderOptionsTable,
  renderToolsTable,
  replaceBetween,
  TOOLS_BEGIN,
  TOOLS_END,
} from './docs.js';
export { badArgument, ConfigError, isAbortError, isToolError, ToolError } from './errors.js';
export type { HttpErrorDetails } from './http/errors.js';
export { fromHttpError, httpToolError } from './http/errors.js';
export { isRateLimitedError, RateLimitedError, RateLimitGates, sharedRateLimitGates } from './http/gate.js';
export { parseLinkHeader } from './http/link.js';
export type { HttpErrorFacts, HttpServiceProfile, ResponseLike, StatusHints } from './http/profile.js';
export type { RequestKind, RequestSummary, RetryEvent, ServiceFetchOptions } from './http/service-fetch.js';
export { RETRIES_HEADER, serviceFetch } from './http/service-fetch.js';
export { redactUrl } from './http/url.js';
export { cursorInput, limitInput } from './inputs.js';
export type { Lazy } from './lazy.js';
export { lazy } from './lazy.js';
export type { Level, Logger } from './log.js';
export { createLogger } from './log.js';
export { isLoopbackHost, parseListenAddress, unguardedHttpProblem } from './options.js';
export { resolveInside } from './paths.js';
export { redact, redactKnown, registerSecret } from './redact.js';
export type { Binding, Position } from './reply/cursor.js';
export { argumentsKey, makeCursor, readCursor } from './reply/cursor.js';
export type { ListSpec, PageInput, Section, SectionsInput } from './reply/page.js';
export { continuationLine, cutText, pastLimit, section } from './reply/page.js';
export type { PaginateInput, UpstreamPage } from './reply/paginate.js';
export type { TextPageInput } from './reply/text.js';
export type { LoadInput, LoadResult, Runtime } from './runtime.js';
export { helpText, load, loadOrThrow } from './runtime.js';
export { selectionProblems, selectTools } from './selection.js';
export type { Serving, StdioOptions } from './serve.js';
export { serveStdio } from './serve.js';
export type { ServerInfo } from './server.js';
export { createServer, enforceBudget, errorResult, formatBytes, mount, toolList } from './server.js';
export { exitOnStop } from './shutdown.js';
export { closest } from './suggest.js';
// The HTTP transport is reached through runConnector's dynamic import (or `@patchbay/kit/http`),
// never from here: a static re-export would pull the HTTP stack into every stdio start.
export type { TableLayout } from './table.js';
export { formatTable, tableLayout } from './table.js';
export { toolListEntry } from './tool-schema.js';
export type { SanitizedText, SanitizeOptions } from './untrusted.js';
export {
  describeChanges,
  fenceFor,
  fenceUntrusted,
  HIDDEN_COMMENT_MARKER,
  sanitizeUntrusted,
  untrusted,
  untrustedLabel,
  untrustedLine,
} from './untrusted.js';
