import { type OptionsSpec, type OptionValues, option } from './config.js';
import { type AnyPrompt, type AnyResource, type AnyTool, NAME, type ToolReply } from './define.js';
import type { ToolError } from './errors.js';
import type { Logger } from './log.js';
import { type CommonOptions, commonOptions } from './options.js';

export interface Toolset {
  title: string;
  description: string;
  /** Offered when the operator names no toolsets. */
  default: boolean;
}

/** The kit's settings after parsing, shared by every connector. */
export type KitSettings = OptionValues<CommonOptions>;

/** What `createServices` gets: the connector's own options, the kit's, and a logger. */
export interface ServiceInput<O extends OptionsSpec> {
  options: OptionValues<O>;
  settings: KitSettings;
  log: Logger;
}

/** A connector's services may hold clients; `dispose` closes them when the server stops. */
export interface Disposable {
  dispose?(): Promise<void>;
}

/** The call an error happened in, for a connector's `mapError`. */
export interface FailedCall<S> {
  tool: string;
  args: Record<string, unknown>;
  services: S;
}

/** A tool call under way, as the connector's `around` sees it. */
export interface CallInProgress<S> extends FailedCall<S> {
  /** Aborted when the client cancels the request or the server shuts down. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * A connector, declared once: its options, toolsets, tools, resources and prompts, and how to make
 * its long-lived services. Everything else (config parsing, --help, selection, annotations, budget,
 * paging, errors, transports, lifecycle) is the kit's.
 */
export interface ConnectorDefinition<O extends OptionsSpec, S extends Disposable> {
  /** Short name: `git` → server `patchbay-git`, tools, resources and prompts `git_*`. */
  name: string;
  title: string;
  version: string;
  /** One line for `--help` and the server info. */
  description: string;
  /** Sent to the client at initialize: how the tools fit together. */
  instructions: string;
  usage?: string;
  /** Printed at the end of `--help` (examples, where to get a credential). */
  helpFooter?: string;
  options: O;
  toolsets: Record<string, Toolset>;
  tools: AnyTool<S>[];
  resources?: AnyResource<S>[];
  prompts?: AnyPrompt<S>[];
  /**
   * Check what the options alone cannot (combinations, a folder that must exist). Return
   * problems; they are reported all at once. Missing credentials are declared on the options
   * (`credential`), not here.
   */
  check?: (options: OptionValues<O>, settings: KitSettings) => string[];
  /**
   * Lines the bin prints on stderr at start, for a setup that works but may not be what the
   * operator meant (no repository named, so only the client's roots are used). Not problems: the
   * server starts. A pure function of the options, like `check` (the bin's front prints them).
   */
  notices?: (options: OptionValues<O>, settings: KitSettings) => string[];
  /** Create the services once per process. Must not do I/O: clients connect on first use. */
  createServices: (input: ServiceInput<O>) => S;
  /**
   * The connector's one error table: turn a failure of its service (a git exit status, a SQLSTATE,
   * an HTTP status) into a ToolError the model can act on. Called for anything a handler throws
   * that is not a ToolError already; undefined leaves it a fault (logged in full, reported briefly).
   */
  mapError?: (error: unknown, call: FailedCall<S>) => ToolError | undefined;
  /**
   * Optional: the connector's policy around every tool call, for what its service needs and no
   * handler can do alone: one deadline over the whole call, or running a call once more after
   * the service itself restarted (a browser that crashed). `run(signal)` runs the handler with
   * `signal` as its `ctx.signal` (`call.signal`, or one that also aborts at your deadline); what
   * either throws goes on to `mapError` as usual. Error wording belongs in `mapError`, not here.
   */
  around?: (call: CallInProgress<S>, run: (signal: AbortSignal) => Promise<ToolReply<unknown>>) => Promise<ToolReply<unknown>>;
  /**
   * Optional: prepare in the background once the client has initialized (load a heavy library,
   * compile a parser) so the first call does not pay for it. It starts shortly after the
   * initialized notification, may run once per session (make it idempotent) and must do no I/O
   * the operator would not expect before a call; a failure is logged at debug level.
   */
  warmUp?: (services: S) => Promise<void>;
  /**
   * Optional: V8 flags the connector needs (`--liftoff-only`), process-wide. The kit sets them when
   * the connector is loaded (a bin, a gateway, a test), and the bin's front before it compiles the
   * server: a flag set while the server runs would make V8 refuse every code cache it writes.
   */
  v8Flags?: readonly string[];
  /**
   * Optional: check in the background what would make every call fail — a database that cannot
   * be reached, a credential the service refuses — and say so through `log` (a warning naming
   * the cause and the setting to change; debug when all is well), so the operator reads it at
   * start rather than from a model's first call. Runs once per process: shortly after the
   * client's initialized notification (stdio, the bin's front, a gateway), or once the HTTP
   * server listens. It must not block or fail the start, and must not change anything in the
   * service. The bin's front runs the config module's export of the same name: keep it free of
   * zod and the SDK, and import what it needs lazily.
   */
  startupCheck?: (options: OptionValues<O>, log: Logger) => Promise<void>;
}

/**
 * Declare a connector. Checks at definition time what would otherwise surprise at run time:
 * names of tools, resources and prompts carry the connector's prefix, toolsets exist, no name is
 * used twice, and no option shadows one of the kit's.
 */
export function defineConnector<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
): ConnectorDefinition<O, S> {
  const prefix = `${def.name}_`;
  const seen = new Set<string>();
  const named = (kind: string, name: string) => {
    if (!NAME.test(name)) throw new Error(`${kind} name "${name}" must be snake_case, ≤ 64 chars`);
    if (!name.startsWith(prefix)) throw new Error(`${kind} ${name} must start with "${prefix}"`);
    if (seen.has(`${kind}:${name}`)) throw new Error(`${kind} ${name} is declared twice`);
    seen.add(`${kind}:${name}`);
  };
  for (const tool of def.tools) {
    named('Tool', tool.name);
    if (!def.toolsets[tool.toolset]) throw new Error(`Tool ${tool.name} names unknown toolset "${tool.toolset}"`);
  }
  for (const resource of def.resources ?? []) named('Resource', resource.name);
  for (const prompt of def.prompts ?? []) named('Prompt', prompt.name);
  for (const key of Object.keys(def.options)) {
    if (key in commonOptions) throw new Error(`Connector option "${key}" shadows a common option`);
  }
  return def;
}

export { commonOptions, option };
