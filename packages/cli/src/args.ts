/**
 * From argv to a command: which one, which connectors, the gateway's options (flags over the
 * config file over the environment), each connector's flags and config section. Every problem is
 * collected, so a bad command line is reported whole.
 */
import { closest, flagOf, type OptionsSpec, parseOptions } from '@patchbay/kit';
import { CONNECTORS } from './connectors.js';
import { type ConfigFile, readConfigFile, splitArgs } from './options.js';
import { type ConnectorEntry, importDefinition } from './registry.js';

export const COMMANDS = ['serve', 'list', 'config', 'doctor', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Parsed<O> {
  command: Command;
  help: boolean;
  version: boolean;
  /** The connectors to act on, in registry order. */
  entries: ConnectorEntry[];
  /** The connectors the operator named (command line or the config file's `connectors`). */
  named: Set<string>;
  options: O;
  perConnector: Map<string, string[]>;
  file: ConfigFile;
  problems: string[];
}

export async function parseArgs<O extends OptionsSpec>(
  argv: readonly string[],
  specsFor: (command: Command) => O,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<Parsed<Record<string, unknown>>> {
  const problems: string[] = [];
  let command: Command = 'serve';
  let args = [...argv];
  if (args[0] && !args[0].startsWith('-')) {
    if ((COMMANDS as readonly string[]).includes(args[0])) {
      command = args[0] as Command;
      args = args.slice(1);
    } else if (!CONNECTORS.some((c) => c.name === args[0])) {
      const near = closest(args[0], [...COMMANDS, ...CONNECTORS.map((c) => c.name)]);
      problems.push(`"${args[0]}" is not a command or a connector.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''}`);
      args = args.slice(1);
    }
  }

  // Connector flags need the connector's option kinds (does --git.x take a value?).
  const prefixes = new Set(args.flatMap((a) => /^--(?:no-)?([a-z][a-z0-9]*)\./.exec(a)?.[1] ?? []));
  const specs = new Map<string, OptionsSpec>();
  await Promise.all(
    [...prefixes].map(async (name) => {
      const entry = CONNECTORS.find((c) => c.name === name);
      if (!entry) return;
      const def = await importDefinition(entry).catch(() => undefined);
      if (def) specs.set(name, def.options as OptionsSpec);
    }),
  );
  const { rest, perConnector } = splitArgs(args, (name) => specs.get(name));
  for (const name of perConnector.keys()) {
    if (!CONNECTORS.some((c) => c.name === name)) {
      const near = closest(
        name,
        CONNECTORS.map((c) => c.name),
      );
      problems.push(
        `--${name}.… names no connector.${near.length ? ` Did you mean --${near[0]}.…?` : ''} Connectors: ${CONNECTORS.map((c) => c.name).join(', ')}.`,
      );
      perConnector.delete(name);
    }
  }

  const spec = specsFor(command);
  const { positionals, flags } = separate(rest, spec);
  const configFlag = flagValue(flags, 'config') ?? env.PATCHBAY_CONFIG;
  const file = readConfigFile(configFlag, cwd);
  problems.push(...file.problems);

  let options: Record<string, unknown> = {};
  let help = false;
  let version = false;
  const gatewayFromFile = Object.fromEntries(Object.entries(file.gateway).filter(([k]) => k !== 'connectors' && k in spec));
  try {
    const parsed = parseOptions(spec, {
      argv: flags,
      env,
      ...(Object.keys(gatewayFromFile).length ? { config: { values: gatewayFromFile, where: file.file ?? 'config' } } : {}),
    });
    options = parsed.values;
    help = parsed.help;
    version = parsed.version;
  } catch (error) {
    const where = file.file ?? 'config';
    const label = where.split('/').pop();
    problems.push(
      ...((error as { problems?: string[] }).problems ?? [String(error)]).map((p) =>
        p.startsWith(`${where}.`) ? `${p.slice(where.length + 1).replace(/^(\w+):?/, `$1 (in ${label}):`)}` : p,
      ),
    );
  }

  const named = new Set<string>();
  const names = positionals.length ? positionals : listOf(file.gateway.connectors, problems);
  for (const name of names) {
    if (CONNECTORS.some((c) => c.name === name)) named.add(name);
    else {
      const near = closest(
        name,
        CONNECTORS.map((c) => c.name),
      );
      problems.push(
        `No connector "${name}".${near.length ? ` Did you mean ${near[0]}?` : ''} Connectors: ${CONNECTORS.map((c) => c.name).join(', ')}.`,
      );
    }
  }
  const entries = named.size ? CONNECTORS.filter((c) => named.has(c.name)) : [...CONNECTORS];
  return { command, help, version, entries, named, options, perConnector, file, problems };
}

/** Positional words and flags (with their values), using the command's option kinds. */
function separate(args: readonly string[], spec: OptionsSpec): { positionals: string[]; flags: string[] } {
  const positionals: string[] = [];
  const flags: string[] = [];
  const kinds = new Map(Object.entries(spec).map(([key, s]) => [flagOf(key, s), s.kind]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    flags.push(arg);
    const name = arg.replace(/^--?/, '').replace(/=.*$/, '');
    const kind = kinds.get(name);
    if (kind && kind !== 'boolean' && !arg.includes('=')) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.push(next);
        i++;
      }
    }
  }
  return { positionals, flags };
}

function flagValue(flags: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] as string;
    if (flag === `--${name}`) return flags[i + 1];
    if (flag.startsWith(`--${name}=`)) return flag.slice(name.length + 3);
  }
  return undefined;
}

function listOf(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  problems.push('connectors (in the config file) must be a list of connector names, e.g. ["git", "postgres"]');
  return [];
}
