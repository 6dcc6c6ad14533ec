/**
 * The gateway's command line and config file. Options are namespaced per connector: flags
 * `--git.read-only`, `--postgres.url …`; config keys `git.repository` (a `git` section, or a
 * dotted key). What has no connector prefix is the gateway's own. Every problem is collected and
 * reported at once, naming the flag or the key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closest, commonOptions, flagOf, type OptionSpec, type OptionsSpec, option } from '@patchbay/kit';
import { CONNECTORS } from './connectors.js';

export const DEFAULT_PORT = 8931;

/** `patchbay serve` options (besides each connector's, under its prefix). */
export const serveOptions = {
  config: option.string({
    env: ['PATCHBAY_CONFIG'],
    placeholder: 'file',
    description: 'Config file (default: patchbay.config.json in the current folder, when there is one)',
  }),
  http: option.string({
    ...commonOptions.http,
    description: `Address to serve Streamable HTTP on (default 127.0.0.1:${DEFAULT_PORT}; port 0 picks one)`,
  }),
  stdio: option.boolean({
    env: ['PATCHBAY_STDIO'],
    description: 'Serve the connectors as one stdio server instead (for clients that only launch processes)',
  }),
  readOnly: commonOptions.readOnly,
  httpToken: commonOptions.httpToken,
  allowedHosts: commonOptions.allowedHosts,
  allowedOrigins: commonOptions.allowedOrigins,
  publicUrl: option.string({
    env: ['PATCHBAY_PUBLIC_URL'],
    placeholder: 'URL',
    description:
      'The URL clients reach this gateway at (behind a proxy: https://mcp.example.com); names the OAuth resource. Default: http://<host>:<port>',
    validate: (v) => (/^https?:\/\/[^/]+/.test(v) ? undefined : 'must be an http(s) URL such as https://mcp.example.com'),
  }),
  oauthIssuer: option.string({
    env: ['PATCHBAY_OAUTH_ISSUER'],
    placeholder: 'URL',
    description: 'Accept OAuth access tokens (JWT) from this issuer instead of --http-token: team mode',
    validate: (v) => (/^https?:\/\//.test(v) ? undefined : 'must be the issuer URL (https://…)'),
  }),
  oauthJwksUri: option.string({
    env: ['PATCHBAY_OAUTH_JWKS_URI'],
    placeholder: 'URL',
    description: "The issuer's signing keys (default: jwks_uri from its /.well-known/oauth-authorization-server)",
  }),
  oauthAudience: option.list({
    env: ['PATCHBAY_OAUTH_AUDIENCE'],
    placeholder: 'values',
    description: "Audiences accepted besides each connector's own URL (the resource the token was issued for)",
  }),
  logLevel: commonOptions.logLevel,
};

/** `patchbay config` options. */
export const configOptions = {
  client: option.string({
    placeholder: 'client',
    description: 'The client to write the entry for',
    choices: ['claude-desktop', 'claude-code', 'cursor', 'vscode'],
  }),
  http: option.string({
    placeholder: 'URL',
    description: "A running gateway's URL (http://127.0.0.1:8931): the entry connects there instead of launching a process",
    validate: (v) => (/^https?:\/\//.test(v) ? undefined : 'must be the gateway URL, e.g. http://127.0.0.1:8931'),
  }),
  config: serveOptions.config,
};

export const doctorOptions = { config: serveOptions.config };

/** Top-level keys of the config file that are the gateway's own. */
const FILE_KEYS = new Set(['connectors', ...Object.keys(serveOptions).filter((k) => k !== 'config' && k !== 'stdio')]);

export interface SplitArgs {
  /** Arguments that are not a connector's: the command, connector names, gateway flags. */
  rest: string[];
  /** Each connector's flags, prefix removed, values kept with their flag. */
  perConnector: Map<string, string[]>;
}

/**
 * Take `--<connector>.<flag> [value]` out of argv. Whether a flag takes a value is read from the
 * connector's option declarations (and the kit's common options), so a boolean flag never
 * swallows the next argument; a flag the connector does not know is passed on for the kit to
 * report with its did-you-mean.
 */
export function splitArgs(argv: readonly string[], specsOf: (connector: string) => OptionsSpec | undefined): SplitArgs {
  const rest: string[] = [];
  const perConnector = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const match = /^--(no-)?([a-z][a-z0-9]*)\.([^=]+)(=.*)?$/.exec(arg);
    if (!match || arg === '--') {
      if (arg === '--') {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(arg);
      continue;
    }
    const [, no, connector, flag, inline] = match as unknown as [string, string | undefined, string, string, string | undefined];
    const list = perConnector.get(connector) ?? [];
    perConnector.set(connector, list);
    const own = `--${no ?? ''}${flag}${inline ?? ''}`;
    list.push(own);
    if (inline !== undefined || no) continue;
    const specs = specsOf(connector);
    const spec = specs ? findFlag(specs, flag) : undefined;
    const takesValue = spec ? spec.kind !== 'boolean' : false;
    const next = argv[i + 1];
    if (takesValue && next !== undefined && !(next.startsWith('--') && next.length > 2)) {
      list.push(next);
      i++;
    }
  }
  return { rest, perConnector };
}

function findFlag(specs: OptionsSpec, flag: string): OptionSpec | undefined {
  const all = { ...commonOptions, ...specs } as OptionsSpec;
  return Object.entries(all).find(([key, spec]) => flagOf(key, spec) === flag)?.[1];
}

export interface ConfigFile {
  /** The file, for messages; undefined when there is none. */
  file?: string;
  /** The gateway's own keys (http, connectors…). */
  gateway: Record<string, unknown>;
  /** Each connector's section. */
  sections: Map<string, Record<string, unknown>>;
  problems: string[];
}

/**
 * Read the config file: `--config <file>`, else `patchbay.config.json` in `cwd` when it exists.
 * Sections per connector (`"git": { "repository": "…" }`) or dotted keys (`"git.repository"`).
 */
export function readConfigFile(explicit: string | undefined, cwd: string): ConfigFile {
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'patchbay.config.json');
  const empty: ConfigFile = { gateway: {}, sections: new Map(), problems: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    return { ...empty, file, problems: [`--config: cannot read ${file}: ${(error as Error).message}`] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ...empty, file, problems: [`${file} is not valid JSON: ${(error as Error).message}`] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ...empty, file, problems: [`${file} must hold a JSON object ({ "git": { … }, "postgres": { … } })`] };
  }
  const result: ConfigFile = { file, gateway: {}, sections: new Map(), problems: [] };
  const names = CONNECTORS.map((c) => c.name);
  const section = (name: string) => {
    let values = result.sections.get(name);
    if (!values) {
      values = {};
      result.sections.set(name, values);
    }
    return values;
  };
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const dot = key.indexOf('.');
    const head = dot === -1 ? key : key.slice(0, dot);
    if (names.includes(head)) {
      if (dot !== -1) section(head)[key.slice(dot + 1)] = value;
      else if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(section(head), value);
      else result.problems.push(`${key} must be an object of ${key}'s options ({ "${key}": { … } })`);
      continue;
    }
    if (FILE_KEYS.has(key)) {
      result.gateway[key] = value;
      continue;
    }
    const near = closest(key, [...names, ...FILE_KEYS]);
    result.problems.push(
      `${key} is not a connector or a gateway option.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''} Connectors: ${names.join(', ')}.`,
    );
  }
  return result;
}
