/**
 * `patchbay doctor [connector…]`: for each connector, the settings found (which variable holds a
 * credential — never its value), what `serve` would run, whether its service answers and with
 * what privileges, and what to do about anything missing. Exit 1 when something a configured
 * connector needs is wrong.
 */
import { commonOptions, createLogger, flagOf, load, type OptionsSpec, parseOptions } from '@patchbay/kit';
import { namespaced } from '../mount.js';
import {
  type AnyDefinition,
  type AnyLoadResult,
  type ConnectorEntry,
  firstLine,
  importDefinition,
  importProblem,
  type Mode,
} from '../registry.js';
import type { Check } from './checks.js';

export interface DoctorInput {
  entries: readonly ConnectorEntry[];
  /** Connectors the operator named (command line, or `connectors` in the config file). */
  named: ReadonlySet<string>;
  perConnector: ReadonlyMap<string, readonly string[]>;
  sections: ReadonlyMap<string, Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  write: (text: string) => void;
}

export interface ConnectorReport {
  entry: ConnectorEntry;
  mode: Mode | 'unavailable';
  configured: boolean;
  checks: Check[];
}

export async function runDoctor(input: DoctorInput): Promise<number> {
  const reports = await Promise.all(input.entries.map((entry) => examine(entry, input)));
  let failed = 0;
  for (const report of reports) {
    input.write(
      `\n${report.entry.title} (${report.entry.name}) — ${report.mode}${report.configured ? '' : ', not configured'}\n`,
    );
    for (const check of report.checks) {
      input.write(`  ${MARK[check.status]} ${check.text}\n`);
      if (check.fix) input.write(`      fix: ${check.fix}\n`);
      if (check.status === 'fail') failed++;
    }
  }
  input.write(
    failed
      ? `\n${failed} problem${failed > 1 ? 's' : ''} to fix before these connectors work as configured.\n`
      : '\nNothing a configured connector needs is missing.\n',
  );
  return failed ? 1 : 0;
}

const MARK: Record<Check['status'], string> = { ok: '✓', info: '·', warn: '!', fail: '✗' };

async function examine(entry: ConnectorEntry, input: DoctorInput): Promise<ConnectorReport> {
  const argv = input.perConnector.get(entry.name) ?? [];
  const section = input.sections.get(entry.name);
  const explicitly = input.named.has(entry.name) || argv.length > 0 || section !== undefined;
  let def: AnyDefinition;
  try {
    def = await importDefinition(entry);
  } catch (error) {
    return {
      entry,
      mode: 'unavailable',
      configured: explicitly,
      checks: [{ status: explicitly ? 'fail' : 'info', text: importProblem(entry, error) }],
    };
  }
  // Quiet: the connector's own log lines (a 401 its client logs) would repeat what the checks say.
  const env = { ...input.env, PATCHBAY_LOG_LEVEL: 'error' };
  const log = createLogger(`patchbay-${entry.name}`, 'error', () => undefined);
  const config = section ? { config: { values: section, where: entry.name } } : {};
  const checks: Check[] = [];
  const credentials = credentialSources(def, argv, env, section);
  const configured = explicitly || credentials.some((c) => c.found);
  let result: AnyLoadResult;
  try {
    result = load(def, { argv, env, log, ...config });
  } catch (error) {
    return {
      entry,
      mode: 'unavailable',
      configured,
      checks: [{ status: 'fail', text: `could not be loaded: ${firstLine(error)}` }],
    };
  }
  if (result.status === 'invalid') {
    return {
      entry,
      mode: 'unavailable',
      configured: true,
      checks: result.problems.map((p) => ({ status: 'fail' as const, text: namespaced(entry.name, p) })),
    };
  }
  for (const c of credentials.filter((c) => c.found)) checks.push({ status: 'ok', text: `${c.label} from ${c.found}` });

  if (result.status === 'missing-credentials') {
    const names = credentials.flatMap((c) => c.env).join(', ');
    if (entry.embedded) {
      checks.push({
        status: 'info',
        text: `no credential set (${names}): patchbay serve runs it on its ${entry.embedded.mode === 'sandbox' ? 'sandbox emulator with demo data' : 'embedded demo'}`,
        fix: `To use your own: ${result.missing.join(' ')}`,
      });
      return { entry, mode: entry.embedded.mode, configured, checks };
    }
    checks.push({ status: configured ? 'fail' : 'warn', text: result.missing.join(' ') });
    return { entry, mode: 'unavailable', configured, checks };
  }
  if (result.status !== 'ready') return { entry, mode: 'unavailable', configured, checks };

  let runtime = result.runtime;
  let mode: Mode = 'live';
  try {
    if (entry.embedded?.needed(result)) {
      // Only git's default needs nothing started: the checkout around the current folder.
      await runtime.close();
      if (entry.name !== 'git') {
        checks.push({ status: 'info', text: `nothing configured: patchbay serve runs its ${entry.embedded.mode} default` });
        return { entry, mode: entry.embedded.mode, configured, checks };
      }
      const started = await entry.embedded
        .start({ cwd: input.cwd, log: () => undefined, first: result })
        .catch((error: unknown) => {
          checks.push({ status: configured ? 'fail' : 'warn', text: firstLine(error) });
          return undefined;
        });
      if (!started) return { entry, mode: 'unavailable', configured, checks };
      const second = load(def, {
        log,
        argv: [...(started.argv ?? []), ...argv],
        env: { ...started.env, ...env, ...started.pinnedEnv },
        ...config,
      });
      if (second.status !== 'ready') return { entry, mode: 'unavailable', configured, checks };
      runtime = second.runtime;
      mode = entry.embedded.mode;
      checks.push({ status: 'info', text: `no repository named: serving ${started.note}` });
    }
    const reason = await entry.preflight?.(runtime);
    if (reason) {
      checks.push({ status: configured ? 'fail' : 'warn', text: reason });
      return { entry, mode: 'unavailable', configured, checks };
    }
    checks.push(...((await entry.doctor?.(runtime, { mode, configured })) ?? []));
    return { entry, mode, configured, checks };
  } finally {
    await runtime.close('doctor done').catch(() => undefined);
  }
}

interface CredentialSource {
  label: string;
  env: readonly string[];
  /** Where it was found: `--postgres.url`, `postgres.url` in the config file, or the variable. */
  found?: string;
}

/** Each credential option and where its value came from, read the way `load` reads it. */
function credentialSources(
  def: AnyDefinition,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  section: Record<string, unknown> | undefined,
): CredentialSource[] {
  const specs = def.options as OptionsSpec;
  let sources: Record<string, string | undefined> = {};
  let values: Record<string, unknown> = {};
  try {
    const parsed = parseOptions({ ...commonOptions, ...specs } as OptionsSpec, {
      argv,
      env,
      ...(section ? { config: { values: section, where: def.name } } : {}),
    });
    sources = parsed.sources as Record<string, string | undefined>;
    values = parsed.values as Record<string, unknown>;
  } catch {
    // Invalid options are reported by load.
  }
  return Object.entries(specs)
    .filter(([, spec]) => spec.credential)
    .map(([key, spec]) => {
      const source = sources[key];
      const value = values[key];
      const set = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
      const envName = spec.env?.find((e) => env[e] !== undefined && env[e] !== '');
      const found = !set
        ? undefined
        : source === 'env'
          ? envName
          : source === 'flag'
            ? `--${def.name}.${flagOf(key, spec)}`
            : source === 'config'
              ? `${def.name}.${key} in the config file`
              : undefined;
      return { label: spec.description.split(/[.(]/)[0]!.trim(), env: spec.env ?? [], ...(found ? { found } : {}) };
    });
}
