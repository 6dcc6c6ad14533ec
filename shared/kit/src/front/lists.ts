import { type OptionsSpec, parseOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Level, type Logger } from '../log.js';
import { commonOptions } from '../options.js';
import { redact } from '../redact.js';
import { selectionProblems, selectTools } from '../selection.js';
import { markStartupChecked, startupChecked } from '../startup.js';
import type { FrontChoice, FrontLists, FrontManifest } from './types.js';

/**
 * The bin front's second part: what it answers that depends on the options (the tools/list for
 * them, notices, the start-up check). A bundle of its own (`dist/front-lists.cjs`), loaded right
 * after initialize is answered: the option code is most of the front, and compiling it before the
 * first answer was most of what the front cost a start beyond a bare process.
 */
export interface FrontListsInput {
  manifest: FrontManifest;
  /** The connector's zod-free config module: its options, `check` and `switches`. */
  config: {
    options: OptionsSpec;
    check?: (options: never, settings: never) => string[];
    switches?: Record<string, (options: never) => boolean>;
    notices?: (options: never, settings: never) => string[];
    /** The connector's start-up check (the definition's `startupCheck`), run after initialize. */
    startupCheck?: (options: never, log: Logger) => Promise<void>;
  };
}

/** As the server's warm-up: a moment after initialized, so the requests right after it go first. */
const STARTUP_CHECK_DELAY_MS = 100;

export function frontLists(input: FrontListsInput): FrontLists {
  const { manifest } = input;
  return {
    choose: (argv, env) => choose(input, argv, env),
    // Asked by the build only (scripts/bundle.mjs), which gives the front the list.
    get variables() {
      return [...new Set(Object.values({ ...commonOptions, ...input.config.options }).flatMap((spec) => spec.env ?? []))];
    },
    prompts: manifest.prompts,
    resourceTemplates: manifest.resourceTemplates,
    resources: manifest.resources,
  };
}

/**
 * The tools/list the live server would send for these options, the connector's start-up notices
 * and its start-up check; or undefined when the front should not answer at all (help, HTTP, any
 * problem: the full bin reports those).
 */
function choose(
  input: FrontListsInput,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): FrontChoice | undefined {
  const { manifest, config } = input;
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions({ ...commonOptions, ...config.options }, { argv, env });
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
  const values = parsed.values as Record<string, unknown>;
  if (parsed.help || parsed.version || values.http !== undefined) return undefined;
  const options = Object.fromEntries(Object.keys(config.options).map((k) => [k, values[k]]));
  const settings = values as { toolsets: string[]; tools: string[]; readOnly: boolean };
  if (missingCredential(config.options, options)) return undefined;
  if (selectionProblems(manifest, settings).length) return undefined;
  if (config.check?.(options as never, settings as never).length) return undefined;
  const name = manifest.serverInfo.name.replace(/^patchbay-/, '');
  const selected = new Set(
    selectTools(manifest, settings, (tool) => (tool.switched ? Boolean(config.switches?.[tool.name]?.(options as never)) : true)),
  );
  let checkTimer: NodeJS.Timeout | undefined;
  return {
    indexes: manifest.tools.flatMap((tool, i) => (selected.has(tool) ? [i] : [])),
    // The full bin does not print them again when it takes the conversation over.
    notices: (config.notices?.(options as never, settings as never) ?? []).map((line) => `patchbay-${name}: ${redact(line)}`),
    /**
     * Once, in the background; the server handed over to skips it once it started. One not
     * started yet at the hand-over is left to the server, which schedules its own after the call
     * that woke it: started here, it would load the service's client in the middle of that call.
     */
    startupCheck: () => {
      const check = config.startupCheck;
      if (!check || startupChecked(name) || checkTimer) return;
      checkTimer = setTimeout(() => {
        markStartupChecked(name);
        const log = createLogger(`patchbay-${name}`, values.logLevel as Level);
        check(options as never, log).catch((error: unknown) => log.debug('start-up check failed', { error }));
      }, STARTUP_CHECK_DELAY_MS).unref();
    },
    cancelStartupCheck: () => clearTimeout(checkTimer),
  };
}

/** As the runtime decides it: a credential group none of whose options is set (and is required). */
function missingCredential(specs: OptionsSpec, values: Record<string, unknown>): boolean {
  const groups = new Map<string, boolean>();
  for (const [key, spec] of Object.entries(specs)) {
    if (!spec.credential) continue;
    if (spec.credential.requiredWhen && !spec.credential.requiredWhen(values)) continue;
    const group = spec.credential.group ?? key;
    const value = values[key];
    const set = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
    groups.set(group, (groups.get(group) ?? false) || set);
  }
  return [...groups.values()].some((set) => !set);
}
