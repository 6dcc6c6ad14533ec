/**
 * One connector, loaded for the gateway: its definition imported, its options read from its
 * section of the config file, its `--<name>.` flags and the environment, and — when the operator
 * configured nothing — its embedded default started. Anything that goes wrong here leaves the
 * connector unavailable with the reason; only invalid configuration is reported as a problem.
 */
import { commonOptions, flagOf, load, type OptionsSpec, parseOptions } from '@patchbay/kit';
import {
  type AnyDefinition,
  type AnyLoadResult,
  type AnyRuntime,
  type ConnectorEntry,
  firstLine,
  importDefinition,
  importProblem,
  type Mode,
  type StartedDefault,
} from './registry.js';

export interface ConnectorInput {
  /** The connector's own flags, the `--<name>.` prefix removed. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Its section of the config file. */
  config?: Readonly<Record<string, unknown>>;
  cwd: string;
  log: (line: string) => void;
  /** false: say which default would run without starting it (`patchbay list`). */
  startDefaults?: boolean;
}

export interface Mounted {
  entry: ConnectorEntry;
  /** The definition, when its package could be imported (the index page lists its tools). */
  def?: AnyDefinition;
  runtime?: AnyRuntime;
  mode?: Mode;
  /** What a demo mode serves ("sandbox data, not your account…"), for the page and the client. */
  note?: string;
  /** The same in a few words, for serverInfo's title and the banner. */
  label?: string;
  /** What to set to use the real service instead of a demo (the connector's missing-credential lines). */
  goLive?: string[];
  /** Why it is not serving, when it is not (now). */
  unavailable(): string | undefined;
  close(): Promise<void>;
}

export type MountResult = { mounted: Mounted } | { problems: string[] };

export async function mountConnector(entry: ConnectorEntry, input: ConnectorInput): Promise<MountResult> {
  let def: AnyDefinition;
  try {
    def = await importDefinition(entry);
  } catch (error) {
    return { mounted: down(entry, undefined, importProblem(entry, error)) };
  }
  const loadWith = (extra?: StartedDefault): AnyLoadResult =>
    load(def, {
      argv: [...(extra?.argv ?? []), ...input.argv],
      // The operator's variables win, except empty ones (which the kit reads as unset anyway), and
      // except what the default pins (an emulator's URL and tokens, a demo's own state folder).
      env: {
        ...(extra?.env ?? {}),
        ...Object.fromEntries(Object.entries(input.env).filter(([, v]) => v !== undefined && v !== '')),
        ...(extra?.pinnedEnv ?? {}),
      },
      ...(input.config ? { config: { values: input.config, where: entry.name } } : {}),
    });

  let first: AnyLoadResult;
  try {
    first = loadWith();
  } catch (error) {
    return { mounted: down(entry, def, `could not be loaded: ${firstLine(error)}`) };
  }
  if (first.status === 'invalid') return { problems: first.problems.map((p) => namespaced(entry.name, p)) };
  if (first.status === 'help' || first.status === 'version') {
    return { problems: [`--${entry.name}.help and --${entry.name}.version are not gateway options; run ${entry.bin} --help`] };
  }

  let started: StartedDefault | undefined;
  let result: AnyLoadResult = first;
  if (entry.embedded?.needed(first)) {
    if (first.status === 'ready') await first.runtime.close('replaced by the embedded default');
    if (input.startDefaults === false) {
      const mode = entry.embedded.mode;
      return {
        mounted: {
          entry,
          def,
          mode,
          label: `${mode} default, started by serve`,
          ...(first.status === 'missing-credentials' ? { goLive: first.missing } : {}),
          unavailable: () => undefined,
          close: async () => undefined,
        },
      };
    }
    try {
      started = await entry.embedded.start({ cwd: input.cwd, log: input.log, first });
    } catch (error) {
      return { mounted: down(entry, def, firstLine(error)) };
    }
    // A service named by flag or config file (--github.gh-host) without a credential is the
    // operator's, not a demo: the pinned emulator variables would lose to the flag and send the
    // demo's token there. Say what is missing instead.
    const named = pinnedByOperator(entry, def, input, started.pinnedEnv ?? {});
    if (named.length) {
      await started.close().catch(() => undefined);
      const missing = first.status === 'missing-credentials' ? first.missing.join(' ') : '';
      return { mounted: down(entry, def, `${named.join(', ')} names a service, but no credential is set. ${missing}`.trim()) };
    }
    result = loadWith(started);
    if (result.status !== 'ready') {
      await started.close().catch(() => undefined);
      const lines = result.status === 'invalid' ? result.problems : result.status === 'missing-credentials' ? result.missing : [];
      if (result.status === 'invalid') return { problems: lines.map((p) => namespaced(entry.name, p)) };
      return { mounted: down(entry, def, `its embedded default did not load: ${lines.join(' ')}`) };
    }
  }
  if (result.status === 'missing-credentials') {
    return { mounted: down(entry, def, result.missing.join(' ')) };
  }
  if (result.status !== 'ready') return { mounted: down(entry, def, 'could not be loaded') };

  const runtime = result.runtime;
  const reason = await entry.preflight?.(runtime).catch((error: unknown) => `its start-up check failed: ${firstLine(error)}`);
  if (reason) {
    await runtime.close('unavailable');
    await started?.close().catch(() => undefined);
    return { mounted: down(entry, def, reason) };
  }
  const mode: Mode = started ? (entry.embedded?.mode ?? 'live') : 'live';
  const label = started?.label ?? (await entry.describe?.(runtime).catch(() => undefined));
  let closed: Promise<void> | undefined;
  return {
    mounted: {
      entry,
      def,
      runtime,
      mode,
      ...(started ? { note: started.note } : {}),
      ...(label ? { label } : {}),
      ...(started && first.status === 'missing-credentials' ? { goLive: first.missing } : {}),
      unavailable: () => started?.unavailable?.(),
      close() {
        closed ??= (async () => {
          await runtime.close('the gateway is stopping').catch(() => undefined);
          await started?.close().catch(() => undefined);
        })();
        return closed;
      },
    },
  };
}

function down(entry: ConnectorEntry, def: AnyDefinition | undefined, reason: string): Mounted {
  return {
    entry,
    ...(def ? { def } : {}),
    unavailable: () => reason,
    close: async () => undefined,
  };
}

/**
 * A connector's problem in the gateway's terms: its flags carry the connector's prefix
 * (`--timeout` → `--git.timeout`); config keys already name their section (`git.timeout`).
 */
export function namespaced(name: string, problem: string): string {
  return problem.replace(
    /(^|[\s(`"'])--(no-)?([a-z][a-z0-9-]*)/g,
    (_m, before: string, no: string | undefined, flag: string) => `${before}--${name}.${no ?? ''}${flag}`,
  );
}

/**
 * The options the operator set by flag or in the config file that a default pins through the
 * environment (flags and config outrank the environment, so the pin would not hold).
 */
function pinnedByOperator(
  entry: ConnectorEntry,
  def: AnyDefinition,
  input: ConnectorInput,
  pinned: Readonly<Record<string, string>>,
): string[] {
  const specs = def.options as OptionsSpec;
  if (!Object.keys(pinned).length) return [];
  let sources: Record<string, string | undefined>;
  try {
    sources = parseOptions({ ...commonOptions, ...specs } as OptionsSpec, {
      argv: input.argv,
      env: {},
      ...(input.config ? { config: { values: input.config, where: entry.name } } : {}),
    }).sources as Record<string, string | undefined>;
  } catch {
    return [];
  }
  return Object.entries(specs)
    .filter(([key, spec]) => spec.env?.some((name) => name in pinned) && (sources[key] === 'flag' || sources[key] === 'config'))
    .map(([key, spec]) => (sources[key] === 'flag' ? `--${entry.name}.${flagOf(key, spec)}` : `${entry.name}.${key}`));
}
