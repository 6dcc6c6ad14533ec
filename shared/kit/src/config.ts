import { ConfigError } from './errors.js';
import { registerSecret } from './redact.js';
import { closest } from './suggest.js';

/**
 * Operator options, each declared once: its flag, its environment variable(s), its type, default
 * and description. `--help` is generated from the declarations; values are read with the
 * precedence defaults < environment < flags; every problem is collected and reported at once.
 */
type Kind = 'string' | 'number' | 'boolean' | 'list';

export interface OptionSpec<T = unknown> {
  readonly kind: Kind;
  /** The flag without dashes; defaults to the option's key in kebab-case. */
  readonly flag?: string;
  /** Environment variables, first match wins (conventional names users already have go here). */
  readonly env?: readonly string[];
  readonly description: string;
  readonly default?: T;
  /** Masked in `--help`, in errors and everywhere in logs and results. */
  readonly secret?: boolean;
  /** Accepts positional arguments (a Postgres URL as the first argument). */
  readonly positional?: boolean;
  readonly choices?: readonly string[];
  /** Text shown in `--help` for the value (`URL`, `PATH`, `N`). */
  readonly placeholder?: string;
  /** Extra validation; return a problem sentence, or undefined when fine. */
  readonly validate?: (value: NonNullable<T>) => string | undefined;
  /** The option is a credential the connector cannot work without (see `Credential`). */
  readonly credential?: Credential;
  /** Phantom: the parsed type. */
  readonly __type?: T;
}

/**
 * A credential (a token, a database URL). When none of a connector's credentials of one `group`
 * is set, the bin says so in one line naming the variables, and exits 2; a gateway shows the
 * connector as unconfigured (or runs its demo) instead of failing.
 */
export interface Credential {
  /** Where to get one, shown in the one-line message (`https://github.com/settings/tokens`). */
  readonly obtainAt?: string;
  /**
   * Credentials of one group are alternatives: one of them is enough (a bot or a user token).
   * Default: the option's own key.
   */
  readonly group?: string;
  /** The whole one-line message, when the generated one ("X is not set…") would not do. */
  readonly missing?: string;
  /** Needed only in some configurations (default: always), decided from the other options. */
  readonly requiredWhen?: (values: Readonly<Record<string, unknown>>) => boolean;
}

interface Common<T> {
  flag?: string;
  credential?: Credential;
  env?: readonly string[];
  description: string;
  secret?: boolean;
  positional?: boolean;
  placeholder?: string;
  validate?: (value: NonNullable<T>) => string | undefined;
}

export const option = {
  string<D extends string | undefined = undefined>(
    spec: Common<string> & { default?: D; choices?: readonly string[] },
  ): OptionSpec<D extends string ? string : string | undefined> {
    return { kind: 'string', ...spec } as OptionSpec<D extends string ? string : string | undefined>;
  },
  number<D extends number | undefined = undefined>(
    spec: Common<number> & { default?: D },
  ): OptionSpec<D extends number ? number : number | undefined> {
    return { kind: 'number', ...spec } as OptionSpec<D extends number ? number : number | undefined>;
  },
  boolean(spec: Common<boolean> & { default?: boolean }): OptionSpec<boolean> {
    return { kind: 'boolean', default: false, ...spec } as OptionSpec<boolean>;
  },
  /** Repeatable (`--x a --x b`) or comma-separated (`--x a,b`, and in the environment). */
  list(spec: Common<string[]> & { default?: string[] }): OptionSpec<string[]> {
    return { kind: 'list', default: [], ...spec } as OptionSpec<string[]>;
  },
};

export type OptionsSpec = Record<string, OptionSpec<any>>;
export type OptionValues<O extends OptionsSpec> = {
  -readonly [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never;
};

/** The flags every bin answers without checking the rest (the front leaves them to the full bin). */
export const HELP_FLAGS: readonly string[] = ['--help', '-h'];
export const VERSION_FLAGS: readonly string[] = ['--version', '-v'];

export function flagOf(key: string, spec: { flag?: string | undefined }): string {
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

interface ParseInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Values from a config file, by option key or flag name (`readOnly` or `read-only`), between
   * the environment and the flags in precedence. `where` names the file's section in problems.
   */
  config?: { values: Readonly<Record<string, unknown>>; where: string };
}

export interface ParsedOptions<O extends OptionsSpec> {
  values: OptionValues<O>;
  /** Where each value came from, for `doctor`-style output and tests. */
  sources: Partial<Record<keyof O, 'default' | 'env' | 'config' | 'flag'>>;
  help: boolean;
  version: boolean;
}

/**
 * Read the options from argv and the environment. Throws ConfigError listing every problem.
 * `--help`/`--version` short-circuit validation so they always work.
 */
export function parseOptions<O extends OptionsSpec>(specs: O, input: ParseInput): ParsedOptions<O> {
  const problems: string[] = [];
  const byFlag = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) byFlag.set(flagOf(key, spec), key);

  const fromFlags = new Map<string, string[]>();
  const positionals: string[] = [];
  let help = false;
  let version = false;
  const argv = [...input.argv];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (HELP_FLAGS.includes(arg)) {
      help = true;
      continue;
    }
    if (VERSION_FLAGS.includes(arg)) {
      version = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let negated = false;
    if (!byFlag.has(name) && name.startsWith('no-') && byFlag.has(name.slice(3))) {
      name = name.slice(3);
      negated = true;
    }
    const key = byFlag.get(name);
    if (!key) {
      const near = closest(name, byFlag.keys());
      problems.push(`Unknown option --${name}.${near.length ? ` Did you mean ${near.map((f) => `--${f}`).join(' or ')}?` : ''}`);
      continue;
    }
    const spec = specs[key] as OptionSpec;
    let raw: string;
    if (spec.kind === 'boolean') {
      if (inline !== undefined && !['true', 'false', '1', '0'].includes(inline)) {
        problems.push(`--${name} takes no value, or true/false (got "${inline}").`);
        continue;
      }
      raw = negated ? 'false' : (inline ?? 'true');
    } else if (negated) {
      problems.push(`--no-${name} is only for on/off options.`);
      continue;
    } else if (inline !== undefined) {
      raw = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        problems.push(`--${name} needs a value${spec.placeholder ? ` (${spec.placeholder})` : ''}.`);
        continue;
      }
      raw = next;
      i++;
    }
    const list = fromFlags.get(key) ?? [];
    list.push(raw);
    fromFlags.set(key, list);
  }

  const positionalKey = Object.keys(specs).find((k) => specs[k]?.positional);
  if (positionals.length > 0) {
    if (!positionalKey) {
      problems.push(`Unexpected argument "${positionals[0]}": this server takes options only (see --help).`);
    } else {
      const list = fromFlags.get(positionalKey) ?? [];
      fromFlags.set(positionalKey, [...positionals, ...list]);
    }
  }

  const fromConfig = configValues(specs, input.config, problems);
  const values: Record<string, unknown> = {};
  const sources: Record<string, 'default' | 'env' | 'config' | 'flag'> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const flag = flagOf(key, spec);
    const flagged = fromFlags.get(key);
    let raws: string[] | undefined;
    let origin: string;
    if (flagged) {
      raws = flagged;
      sources[key] = 'flag';
      origin = `--${flag}`;
    } else if (fromConfig.has(key)) {
      raws = fromConfig.get(key) as string[];
      sources[key] = 'config';
      origin = `${input.config?.where}.${key}`;
    } else {
      const envName = spec.env?.find((e) => input.env[e] !== undefined && input.env[e] !== '');
      if (envName) {
        const envValue = input.env[envName] as string;
        raws = spec.kind === 'list' ? splitList(envValue) : [envValue];
        sources[key] = 'env';
        origin = envName;
      } else {
        origin = '';
      }
    }
    if (!raws) {
      values[key] = spec.default;
      sources[key] = 'default';
      continue;
    }
    const parsed = convert(spec, raws, origin, problems);
    if (parsed === undefined) continue;
    if (spec.secret && typeof parsed === 'string') registerSecret(parsed);
    if (spec.choices && typeof parsed === 'string' && !spec.choices.includes(parsed)) {
      problems.push(`${origin} must be one of ${spec.choices.join(', ')} (got "${parsed}").`);
      continue;
    }
    const problem = spec.validate?.(parsed as never);
    if (problem) {
      problems.push(`${origin}: ${problem}`);
      continue;
    }
    values[key] = parsed;
  }

  if (problems.length > 0 && !help && !version) throw new ConfigError(problems);
  return { values: values as OptionValues<O>, sources: sources as ParsedOptions<O>['sources'], help, version };
}

/** A config file's section as raw strings per option key, with unknown keys reported. */
function configValues(specs: OptionsSpec, config: ParseInput['config'], problems: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!config) return out;
  const byName = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    byName.set(key, key);
    byName.set(flagOf(key, spec), key);
  }
  for (const [name, value] of Object.entries(config.values)) {
    const key = byName.get(name);
    if (!key) {
      const near = closest(name, Object.keys(specs));
      problems.push(
        `${config.where}.${name} is not an option.${near.length ? ` Did you mean ${near.map((n) => `${config.where}.${n}`).join(' or ')}?` : ''}`,
      );
      continue;
    }
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (typeof value === 'object') problems.push(`${config.where}.${name} must be a string, number, boolean or list.`);
    else out.set(key, [String(value)]);
  }
  return out;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function convert(spec: OptionSpec, raws: string[], origin: string, problems: string[]): unknown {
  const last = raws[raws.length - 1] as string;
  switch (spec.kind) {
    case 'list':
      return raws.flatMap((r) => (spec.positional ? [r] : splitList(r)));
    case 'boolean': {
      if (['true', '1', 'yes', 'on'].includes(last.toLowerCase())) return true;
      if (['false', '0', 'no', 'off'].includes(last.toLowerCase())) return false;
      problems.push(`${origin} must be true or false (got "${last}").`);
      return undefined;
    }
    case 'number': {
      const n = Number(last);
      if (last.trim() === '' || !Number.isFinite(n)) {
        problems.push(`${origin} must be a number (got "${spec.secret ? '***' : last}").`);
        return undefined;
      }
      return n;
    }
    default:
      if (raws.length > 1 && !spec.positional) {
        problems.push(`${origin} was given ${raws.length} times; give it once.`);
        return undefined;
      }
      return raws.length > 1 ? raws : last;
  }
}

/** `--help` text generated from the declarations. */
export function renderHelp(
  header: { bin: string; description: string; usage?: string; footer?: string },
  groups: Array<{ title: string; specs: OptionsSpec }>,
): string {
  const lines = [`${header.bin} — ${header.description}`, '', `Usage: ${header.usage ?? `${header.bin} [options]`}`];
  for (const group of groups) {
    lines.push('', `${group.title}:`);
    for (const [key, spec] of Object.entries(group.specs)) {
      const flag = flagOf(key, spec);
      const value = spec.kind === 'boolean' ? '' : ` <${spec.placeholder ?? spec.kind}>`;
      const left = `  --${flag}${value}`;
      const env = spec.env?.length ? ` [env: ${spec.env.join(', ')}]` : '';
      const shownDefault =
        spec.secret ||
        spec.default === undefined ||
        (Array.isArray(spec.default) && spec.default.length === 0) ||
        spec.default === false
          ? ''
          : ` (default: ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)})`;
      const choices = spec.choices ? ` (${spec.choices.join(', ')})` : '';
      lines.push(`${left.padEnd(34)} ${spec.description}${choices}${shownDefault}${env}`);
    }
  }
  lines.push('', '  --help, -h                       Show this help', '  --version, -v                    Print the version');
  if (header.footer) lines.push('', header.footer);
  return `${lines.join('\n')}\n`;
}
