/**
 * @patchbay/kit — the helper layer every Patchbay connector is built on.
 *
 * A connector declares its options, toolsets, tools, resources and prompts with zod schemas and
 * hands them to `runConnector`; the kit supplies config parsing and --help, tool selection and
 * --read-only, MCP annotations, the output budget, error shaping and redaction, stdio and
 * Streamable HTTP transports, logging and lifecycle.
 */
export { DEFAULT_OUTPUT_BUDGET, OutputBudget, BudgetMeter, moreSchema, more, moreLine, byteLength, jsonSize } from './budget.js';
export type { More } from './budget.js';
export { option, parseOptions, renderHelp, flagOf } from './config.js';
export type { OptionSpec, OptionsSpec, OptionValues } from './config.js';
export { defineConnector, commonOptions } from './connector.js';
export type { ConnectorDefinition, Toolset, KitSettings, ServiceInput, Disposable } from './connector.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export {
  defineTool,
  defineResource,
  defineResourceTemplate,
  definePrompt,
  annotationsFor,
} from './define.js';
export type {
  Access,
  AnyTool,
  AnyResource,
  AnyPrompt,
  ToolContext,
  ToolDefinition,
  ToolReply,
  ExtraContent,
  ResourceContents,
  ResourceDefinition,
  ResourceTemplateDefinition,
  PromptDefinition,
  PromptMessage,
  Infer,
} from './define.js';
export { renderToolsTable, renderOptionsTable, replaceBetween, TOOLS_BEGIN, TOOLS_END, OPTIONS_BEGIN, OPTIONS_END } from './docs.js';
export { ToolError, ConfigError, badArgument, isAbortError, isToolError } from './errors.js';
export { retryingFetch, parseLinkHeader } from './fetch.js';
export type { RetryPolicy } from './fetch.js';
export { lazy } from './lazy.js';
export type { Lazy } from './lazy.js';
export { createLogger } from './log.js';
export type { Logger, Level } from './log.js';
export { parseListenAddress } from './options.js';
export { resolveInside } from './paths.js';
export { prepare, helpText } from './prepare.js';
export type { Prepared } from './prepare.js';
export { redact, registerSecret } from './redact.js';
export { runConnector } from './run.js';
export { selectTools, selectionProblems } from './selection.js';
export { createServer, enforceBudget, errorResult, formatBytes } from './server.js';
export type { ServerRuntime } from './server.js';
// The HTTP transport is reached through runConnector's dynamic import (or `@patchbay/kit/http`),
// never from here: a static re-export would pull the HTTP stack into every stdio start.
export { formatTable } from './table.js';
