/**
 * The connectors the gateway knows: for each, its package, how to make its embedded default when
 * the operator configured nothing, and its doctor checks. A connector plugs in here with a few
 * lines when it lands; one whose package is not built or installed is listed as unavailable with
 * the reason, never a crash.
 */
import type { ConnectorDefinition, Disposable, LoadResult, OptionsSpec, Runtime } from '@patchbay/kit';
import type { Check, DoctorContext } from './doctor/checks.js';

// biome-ignore lint/suspicious/noExplicitAny: definitions of different connectors share one list
export type AnyDefinition = ConnectorDefinition<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: runtimes of different connectors share one list
export type AnyRuntime = Runtime<any, any>;
export type AnyLoadResult = LoadResult<OptionsSpec, Disposable>;

/** Where a mounted connector's data comes from. */
export type Mode = 'live' | 'embedded' | 'sandbox';

/** An embedded default, started: what to add to the connector's settings, and how to stop it. */
export interface StartedDefault {
  /** Flags added before the operator's own (which still win). */
  argv?: string[];
  /** Environment added under the operator's (which still wins). */
  env?: Record<string, string>;
  /**
   * Environment that wins over the operator's: an emulator's URL and its tokens belong together
   * (a GITHUB_API_URL left in the shell must not send the demo's token elsewhere), and a demo's
   * state folder is the gateway's own, never the user's.
   */
  pinnedEnv?: Record<string, string>;
  /** One line for the index page and the MCP instructions: what this data is. */
  note: string;
  /** A few words for serverInfo's title and the banner ("demo data, not your database"). */
  label: string;
  /** Stop what was started (a database, an emulator). */
  close(): Promise<void>;
  /** Why the default cannot serve right now (restarting after a crash), when it cannot. */
  unavailable?: () => string | undefined;
}

export interface DefaultContext {
  /** The folder the gateway runs in (git's default repository is the checkout around it). */
  cwd: string;
  /** For the gateway's own lines (stderr). */
  log: (line: string) => void;
  /** The first load, with the operator's settings alone. */
  first: AnyLoadResult;
}

export interface EmbeddedDefault {
  mode: Exclude<Mode, 'live'>;
  /** Whether the operator's settings leave the connector without a service to talk to. */
  needed(first: AnyLoadResult): boolean;
  start(context: DefaultContext): Promise<StartedDefault>;
}

export interface ConnectorEntry {
  /** The connector's name: its path (`/git/mcp`), config section (`git`) and flag prefix (`--git.`). */
  name: string;
  title: string;
  /** The package whose `exports["."]` is the connector definition. */
  package: string;
  bin: string;
  /** Its folder in a clone of the repository, for the from-the-clone client snippets. */
  folder: string;
  /** The export of the package's library entry that holds the definition. */
  exportName: string;
  embedded?: EmbeddedDefault;
  /**
   * Why the connector cannot serve at all with these settings, decided before any call (no
   * browser on this machine): the connector is listed as unavailable with this line.
   */
  preflight?: (runtime: AnyRuntime) => Promise<string | undefined>;
  /** A few words on what a live connector serves here ("Chromium at /usr/bin/chromium"). */
  describe?: (runtime: AnyRuntime) => Promise<string | undefined>;
  /** Checks beyond the options: can it reach its service, with what privileges. */
  doctor?: (runtime: AnyRuntime, context: DoctorContext) => Promise<Check[]>;
}

/** Import a connector's definition through package resolution, so it shares this process's kit. */
export async function importDefinition(entry: ConnectorEntry): Promise<AnyDefinition> {
  const specifier = entry.package;
  const module = (await import(specifier)) as Record<string, unknown>;
  const def = module[entry.exportName] as AnyDefinition | undefined;
  if (!def || typeof def !== 'object' || !Array.isArray(def.tools)) {
    throw new Error(`${entry.package} does not export ${entry.exportName} (a connector definition)`);
  }
  return def;
}

/** Why an import failed, in one line an operator can act on. */
export function importProblem(entry: ConnectorEntry, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(entry.package)) {
    return `${entry.package} is not installed here (npm install ${entry.package})`;
  }
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
    return `${entry.package} is not built (run pnpm build in the repository): ${firstLine(error)}`;
  }
  return `${entry.package} could not be loaded: ${firstLine(error)}`;
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
