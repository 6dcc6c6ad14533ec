/**
 * @patchbay/kit — the helper layer every Patchbay connector is built on.
 *
 * A connector declares its options, toolsets, tools, resources and prompts with zod schemas and
 * hands them to `runConnector`; the kit supplies config parsing and --help, tool selection and
 * --read-only, MCP annotations, the output budget, error shaping and redaction, stdio and
 * Streamable HTTP transports, logging and lifecycle.
 */

export type { More } from './budget.js';
export { BudgetMeter, byteLength, DEFAULT_OUTPUT_BUDGET, jsonSize, more, moreLine, moreSchema, OutputBudget } from './budget.js';
export type { OptionSpec, OptionsSpec, OptionValues } from './config.js';
export { flagOf, option, parseOptions, renderHelp } from './config.js';
export type { ConnectorDefinition, Disposable, KitSettings, ServiceInput, Toolset } from './connector.js';
export { commonOptions, defineConnector } from './connector.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export type {
  Access,
  AnyPrompt,
  AnyResource,
  AnyTool,
  ExtraContent,
  Infer,
  PromptDefinition,
  PromptMessage,
  ResourceContents,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolContext,
  ToolDefinition,
  ToolReply,
} from './define.js';
export {
  annotationsFor,
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
export type { Lazy } from './lazy.js';
export { lazy } from './lazy.js';
export type { Level, Logger } from './log.js';
export { createLogger } from './log.js';
export { parseListenAddress } from './options.js';
export { resolveInside } from './paths.js';
export type { Prepared } from './prepare.js';
export { helpText, prepare } from './prepare.js';
export { redact, registerSecret } from './redact.js';
export { runConnector } from './run.js';
export { selectionProblems, selectTools } from './selection.js';
export type { ServerRuntime } from './server.js';
export { createServer, enforceBudget, errorResult, formatBytes } from './server.js';
// The HTTP transport is reached through runConnector's dynamic import (or `@patchbay/kit/http`),
// never from here: a static re-export would pull the HTTP stack into every stdio start.
export { formatTable } from './table.js';
