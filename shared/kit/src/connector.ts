import { type OptionsSpec, type OptionValues, option } from './config.js';
import type { AnyPrompt, AnyResource, AnyTool } from './define.js';
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

/**
 * A connector, declared once: its options, toolsets, tools, resources and prompts, and how to make
 * its long-lived services. Everything else (config parsing, --help, selection, annotations, budget,
 * errors, transports, lifecycle) is the kit's.
 */
export interface ConnectorDefinition<O extends OptionsSpec, S extends Disposable> {
  /** Short name: `git` → server `patchbay-git`, tools `git_*`. */
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
   * Check what the options alone cannot (a credential that must be present, combinations).
   * Return problems; a problem that starts with "missing:" is a missing credential and is
   * reported alone, as one line, like the brief asks.
   */
  check?: (options: OptionValues<O>, settings: KitSettings) => string[];
  /** Create the services once per process. Must not do I/O: clients connect on first use. */
  createServices: (input: ServiceInput<O>) => S;
  /**
   * Optional: prepare in the background once the client has initialized (load a heavy library,
   * compile a parser) so the first call does not pay for it. It starts shortly after the
   * initialized notification, may run once per session (make it idempotent) and must do no I/O
   * the operator would not expect before a call; a failure is logged at debug level.
   */
  warmUp?: (services: S) => Promise<void>;
}

export function defineConnector<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
): ConnectorDefinition<O, S> {
  for (const tool of def.tools) {
    if (!tool.name.startsWith(`${def.name}_`)) throw new Error(`Tool ${tool.name} must start with "${def.name}_"`);
    if (!def.toolsets[tool.toolset]) throw new Error(`Tool ${tool.name} names unknown toolset "${tool.toolset}"`);
  }
  return def;
}

export { commonOptions, option };
