/**
 * A connector's `server.json` for the official MCP Registry, made from what the connector itself
 * declares (its option specs, the kit's common options, its package.json), so the file cannot say
 * anything the bin does not read. The test compares each committed file with this; `PATCHBAY_WRITE_DOCS=1`
 * rewrites them.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commonOptions, type OptionSpec, type OptionsSpec } from '@patchbay/kit';
import { type ConnectorName, type PackageJson, ROOT, readPackage } from './packages.js';

export const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json';
const NPM = 'https://registry.npmjs.org';

/** The common options that matter over stdio (the HTTP ones are for `--http`, not a client's launch). */
const COMMON_OVER_STDIO = ['readOnly', 'toolsets', 'tools', 'outputBudget', 'logLevel'] as const;

interface EnvironmentVariable {
  name: string;
  description: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: 'number' | 'boolean';
  default?: string;
  choices?: string[];
}

export interface ServerJson {
  $schema: string;
  name: string;
  title: string;
  description: string;
  version: string;
  websiteUrl: string;
  repository: { url: string; source: 'github'; subfolder: string };
  packages: {
    registryType: 'npm';
    registryBaseUrl: string;
    identifier: string;
    version: string;
    runtimeHint: 'npx';
    transport: { type: 'stdio' };
    environmentVariables: EnvironmentVariable[];
  }[];
}

interface Definition {
  name: string;
  title: string;
  description: string;
  options: OptionsSpec;
}

/** The connector's definition, from its built library entry. */
export async function loadDefinition(name: ConnectorName): Promise<Definition> {
  const entry = path.join(ROOT, 'servers', name, 'dist/connector.js');
  const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const def = module[`${name}Connector`] as Definition | undefined;
  if (!def) throw new Error(`${entry} does not export ${name}Connector`);
  return def;
}

export function serverJson(name: ConnectorName, def: Definition, pkg: PackageJson = readPackage(`servers/${name}`)): ServerJson {
  if (!pkg.mcpName) throw new Error(`${pkg.name} has no mcpName`);
  const options: [string, OptionSpec][] = [
    ...Object.entries(def.options),
    ...COMMON_OVER_STDIO.map((key) => [key, commonOptions[key] as OptionSpec] as [string, OptionSpec]),
  ];
  return {
    $schema: SCHEMA_URL,
    name: pkg.mcpName,
    title: `Patchbay ${def.title}`,
    description: fit(def.description, 100),
    version: pkg.version,
    websiteUrl: pkg.homepage ?? '',
    repository: {
      url: (pkg.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, ''),
      source: 'github',
      subfolder: pkg.repository?.directory ?? '',
    },
    packages: [
      {
        registryType: 'npm',
        registryBaseUrl: NPM,
        identifier: pkg.name,
        version: pkg.version,
        runtimeHint: 'npx',
        transport: { type: 'stdio' },
        environmentVariables: options.flatMap(([, spec]) => environmentVariable(spec, options)),
      },
    ],
  };
}

/** The registry takes 100 characters: whole clauses of the bin's own description, up to that. */
function fit(text: string, max: number): string {
  let fitted = text;
  while (fitted.length > max) {
    const cut = Math.max(fitted.lastIndexOf(', ', max), fitted.lastIndexOf('; ', max));
    if (cut <= 0) return `${fitted.slice(0, max - 1)}…`;
    fitted = fitted.slice(0, cut);
  }
  return fitted;
}

/**
 * One entry per option the environment can set, under its first (conventional) name; the other
 * names it accepts are said in the description.
 */
function environmentVariable(spec: OptionSpec, all: [string, OptionSpec][]): EnvironmentVariable[] {
  const [name, ...aliases] = spec.env ?? [];
  if (!name) return [];
  const credential = spec.credential;
  const group = credential?.group;
  // Required only when nothing else can stand in: no alternative in its group, no condition, and
  // not also accepted as an argument (a Postgres URL can be the first argument instead).
  const alternatives = group ? all.filter(([, s]) => s.credential?.group === group).length : 1;
  const required = Boolean(credential) && !credential?.requiredWhen && alternatives === 1 && !spec.positional;
  const entry: EnvironmentVariable = {
    name,
    description: aliases.length ? `${spec.description} (also read from ${aliases.join(', ')})` : spec.description,
  };
  if (required) entry.isRequired = true;
  if (spec.secret || credential) entry.isSecret = true;
  if (spec.kind === 'number' || spec.kind === 'boolean') entry.format = spec.kind;
  if (spec.default !== undefined && !(Array.isArray(spec.default) && spec.default.length === 0)) {
    entry.default = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
  }
  if (spec.choices?.length) entry.choices = [...spec.choices];
  return [entry];
}
