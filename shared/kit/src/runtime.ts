import { setFlagsFromString } from 'node:v8';
import { type OptionSpec, type OptionsSpec, type OptionValues, parseOptions, renderHelp } from './config.js';
import type { ConnectorDefinition, Disposable, KitSettings } from './connector.js';
import type { AnyTool } from './define.js';
import { ConfigError } from './errors.js';
import { createLogger, type Level, type Logger } from './log.js';
import { commonOptions } from './options.js';
import { redact } from './redact.js';
import { selectionProblems, selectTools } from './selection.js';
import { startupChecked } from './startup.js';

/**
 * A connector loaded with its options: what `mount` puts on a server and `serve` runs. Several
 * runtimes share one process in a gateway; each has its own options, services and shutdown.
 */
export interface Runtime<O extends OptionsSpec = OptionsSpec, S extends Disposable = Disposable> {
  readonly def: ConnectorDefinition<O, S>;
  readonly options: OptionValues<O>;
  readonly settings: KitSettings;
  readonly services: S;
  readonly log: Logger;
  /** Aborted by `close()`, so in-flight handlers stop too. */
  readonly shutdown: AbortSignal;
  /** The tools this runtime offers (toolsets, --tools, --read-only, enabled()), decided once. */
  readonly tools: readonly AnyTool<S>[];
  /** Stop in-flight calls and dispose the services. Idempotent. */
  close(reason?: string): Promise<void>;
  /**
   * Start the connector's start-up check in the background, the first time only (and not at all
   * when the bin's front already ran it in this process). Never throws.
   */
  startupCheck(): void;
}

export type LoadResult<O extends OptionsSpec, S extends Disposable> =
  | { status: 'ready'; runtime: Runtime<O, S> }
  | { status: 'help'; text: string }
  | { status: 'version'; text: string }
  /** Credentials none of which is set, one line each (`GITHUB_TOKEN is not set…`). */
  | { status: 'missing-credentials'; missing: string[] }
  /** Every problem with the options, at once. */
  | { status: 'invalid'; problems: string[] };

export interface LoadInput {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from a config file (`{ repository: […], readOnly: true }`) and where they came from. */
  config?: { values: Readonly<Record<string, unknown>>; where: string };
  /** The logger; default: stderr at the `--log-level`, named `patchbay-<name>`. */
  log?: Logger;
  /** Extra log sinks, e.g. a test collecting lines. */
  logWrite?: (line: string) => void;
}

/**
 * Parse and check everything the operator said, then create the services (which do no I/O).
 * Never exits and never prints: the bin decides what to do with help, problems and credentials.
 */
export function load<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  input: LoadInput = {},
): LoadResult<O, S> {
  let parsed: ReturnType<typeof parseOptions<O & typeof commonOptions>>;
  const specs = { ...commonOptions, ...def.options } as O & typeof commonOptions;
  const env = input.env ?? {};
  try {
    parsed = parseOptions(specs, {
      argv: input.argv ?? [],
      env,
      ...(input.config ? { config: input.config } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) return { status: 'invalid', problems: error.problems.map(redact) };
    throw error;
  }
  if (parsed.help) return { status: 'help', text: helpText(def) };
  if (parsed.version) return { status: 'version', text: `patchbay-${def.name} ${def.version}\n` };

  const all = parsed.values as Record<string, unknown>;
  const settings = Object.fromEntries(Object.keys(commonOptions).map((k) => [k, all[k]])) as KitSettings;
  const options = Object.fromEntries(Object.keys(def.options).map((k) => [k, all[k]])) as OptionValues<O>;

  // A missing credential is reported alone, so the one line that matters cannot be missed.
  const missing = missingCredentials(def.options, options);
  if (missing.length) return { status: 'missing-credentials', missing };
  const problems = [...selectionProblems(def, settings), ...(def.check?.(options, settings) ?? [])].map(redact);
  if (problems.length) return { status: 'invalid', problems };

  const log = input.log ?? createLogger(`patchbay-${def.name}`, settings.logLevel as Level, input.logWrite ?? undefined);
  for (const flag of def.v8Flags ?? []) setFlagsFromString(flag);
  const services = def.createServices({ options, settings, log });
  const controller = new AbortController();
  let closing: Promise<void> | undefined;
  let checking = false;
  return {
    status: 'ready',
    runtime: {
      def,
      options,
      settings,
      services,
      log,
      shutdown: controller.signal,
      tools: selectTools(def, settings, (tool) => (tool.enabled ? tool.enabled(options) : true)),
      close(reason = 'closed') {
        closing ??= (async () => {
          controller.abort(new Error(`server shutting down: ${reason}`));
          await services.dispose?.();
        })();
        return closing;
      },
      startupCheck() {
        if (checking || !def.startupCheck || startupChecked(def.name)) return;
        checking = true;
        def.startupCheck(options, log).catch((error: unknown) => log.debug('start-up check failed', { error }));
      },
    },
  };
}

/** Credentials (options declared `credential`) of which no alternative in their group is set. */
function missingCredentials(specs: OptionsSpec, values: Record<string, unknown>): string[] {
  const groups = new Map<string, Array<[string, OptionSpec]>>();
  for (const [key, spec] of Object.entries(specs)) {
    if (!spec.credential) continue;
    const group = spec.credential.group ?? key;
    groups.set(group, [...(groups.get(group) ?? []), [key, spec]]);
  }
  const lines: string[] = [];
  for (const members of groups.values()) {
    const set = members.some(([key]) => {
      const value = values[key];
      return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
    });
    const [, first] = members[0] as [string, OptionSpec];
    if (set || (first.credential?.requiredWhen && !first.credential.requiredWhen(values))) continue;
    if (first.credential?.missing) {
      lines.push(first.credential.missing);
      continue;
    }
    const names = members.flatMap(([, spec]) => spec.env ?? []);
    const it = names.length > 1 ? 'one' : 'it';
    const where = first.credential?.obtainAt ? ` Create one at ${first.credential.obtainAt} and set ${it}` : ` Set ${it}`;
    lines.push(
      `${names.join(' or ')} ${names.length > 1 ? 'are' : 'is'} not set.${where} in the environment (or in the client's "env" block).`,
    );
  }
  return lines;
}

export function helpText<O extends OptionsSpec, S extends Disposable>(def: ConnectorDefinition<O, S>): string {
  const toolsets = Object.entries(def.toolsets)
    .map(([name, t]) => `  ${name.padEnd(14)} ${t.description}${t.default ? ' (default)' : ''}`)
    .join('\n');
  return renderHelp(
    {
      bin: `patchbay-${def.name}`,
      description: def.description,
      ...(def.usage ? { usage: def.usage } : {}),
      footer: `Toolsets:\n${toolsets}${def.helpFooter ? `\n\n${def.helpFooter}` : ''}`,
    },
    [
      { title: `${def.title} options`, specs: def.options },
      { title: 'Common options', specs: commonOptions },
    ],
  );
}

/** `load`, for tests and tools that want a runtime or an exception: throws a ConfigError otherwise. */
export function loadOrThrow<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  input: LoadInput = {},
): Runtime<O, S> {
  const result = load(def, input);
  if (result.status === 'ready') return result.runtime;
  if (result.status === 'invalid') throw new ConfigError(result.problems);
  if (result.status === 'missing-credentials') throw new ConfigError(result.missing);
  throw new ConfigError([`${result.status} was asked for; a runtime was expected`]);
}
