/**
 * How a client launches a connector as a process (stdio): its own bin for a connector on a real
 * service or this checkout, the gateway (`patchbay serve --stdio <name>`) for a demo that the
 * gateway starts (an embedded database, an emulator). From a clone of the repository, before the
 * packages are published, `node <clone>/servers/<x>/bin.cjs` (the package's bin); installed from npm,
 * `npx -y <package>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagOf, type OptionsSpec, redact } from '@patchbay/kit';
import type { Mounted } from './mount.js';
import type { Launch } from './snippets.js';

/**
 * The clone this CLI runs from, when it runs from one: a pnpm workspace with the connectors'
 * folders. An install from npm (npx's cache, a project's node_modules) never is, whatever folder
 * holds it, so its entries name the published packages.
 */
export function cloneRoot(here = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  if (here.split(path.sep).includes('node_modules')) return undefined;
  // dist/ → packages/cli → packages → root
  const root = path.resolve(here, '../../..');
  return existsSync(path.join(root, 'pnpm-workspace.yaml')) && existsSync(path.join(root, 'servers')) ? root : undefined;
}

export interface LaunchInput {
  mounted: Mounted;
  /** The connector's flags as given to the gateway (prefix removed). */
  argv: readonly string[];
  /** Its section of the config file. */
  section?: Readonly<Record<string, unknown>>;
  /** The config file, so a demo launched through the gateway reads the same settings. */
  configFile?: string;
}

export function launchFor(input: LaunchInput): Launch {
  const { mounted } = input;
  const { entry } = mounted;
  const root = cloneRoot();
  const demo = mounted.mode === 'sandbox' || (mounted.mode === 'embedded' && entry.name !== 'git');
  if (demo) {
    const base = root
      ? { command: 'node', args: [path.join(root, 'packages/cli/dist/cli.js')] }
      : { command: 'npx', args: ['-y', '@patchbay/cli'] };
    const flags = input.argv.map((a) => (a.startsWith('--') ? `--${entry.name}.${a.slice(2)}` : a));
    return {
      command: base.command,
      args: [...base.args, 'serve', '--stdio', entry.name, ...(input.configFile ? ['--config', input.configFile] : []), ...flags],
    };
  }
  const base =
    root && existsSync(path.join(root, entry.folder))
      ? { command: 'node', args: [path.join(root, entry.folder, 'bin.cjs')] }
      : { command: 'npx', args: ['-y', entry.package] };
  const args = [...sectionFlags(input.section, mounted.def?.options ?? {}), ...input.argv];
  // The embedded git default, spelled out: this checkout.
  if (mounted.mode === 'embedded' && entry.name === 'git' && mounted.runtime) {
    for (const repository of mounted.runtime.options.repository as string[]) args.push('--repository', repository);
  }
  // Read-only however it was asked for (the default, --read-only, the connector's own flag).
  if (mounted.runtime?.settings.readOnly && !args.includes('--read-only')) args.push('--read-only');
  const env = envBlock(mounted);
  return {
    command: base.command,
    args: [...base.args, ...args.map((a) => redact(a))],
    ...(Object.keys(env).length ? { env } : {}),
  };
}

/** A config-file section as the bin's flags (`repository: [a, b]` → `--repository a --repository b`). */
function sectionFlags(section: Readonly<Record<string, unknown>> | undefined, specs: OptionsSpec): string[] {
  if (!section) return [];
  const flags: string[] = [];
  for (const [key, value] of Object.entries(section)) {
    const spec = specs[key];
    const flag = spec ? flagOf(key, spec) : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (value === true) flags.push(`--${flag}`);
    else if (value === false) flags.push(`--no-${flag}`);
    else if (Array.isArray(value)) for (const v of value) flags.push(`--${flag}`, String(v));
    else if (value !== null && value !== undefined) flags.push(`--${flag}`, String(value));
  }
  return flags;
}

/**
 * The variables a live connector reads that are set here, for the entry's `env` block, since the
 * client launches the bin without this shell: a credential or a secret (a token, a database URL,
 * a key file) is named with a placeholder, never copied; the rest (an API URL, a team ID, an OAuth
 * client id) is copied, so the entry reaches the same service.
 */
function envBlock(mounted: Mounted): Record<string, string> {
  const env: Record<string, string> = {};
  if (mounted.mode !== 'live') return env;
  for (const spec of Object.values((mounted.def?.options ?? {}) as OptionsSpec)) {
    const name = spec.env?.find((e) => process.env[e]);
    if (!name) continue;
    env[name] = spec.secret || spec.credential ? `<your ${name}>` : redact(process.env[name] as string);
  }
  return env;
}
