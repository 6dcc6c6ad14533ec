import { type OptionsSpec, type OptionValues, parseOptions, renderHelp } from './config.js';
import type { ConnectorDefinition, Disposable, KitSettings } from './connector.js';
import { ConfigError } from './errors.js';
import { commonOptions } from './options.js';
import { selectionProblems } from './selection.js';

export interface Prepared<O extends OptionsSpec> {
  options: OptionValues<O>;
  settings: KitSettings;
  help: boolean;
  version: boolean;
}

/**
 * Parse and check everything the operator said, for the bin and for tests alike. Throws a
 * ConfigError with every problem at once.
 */
export function prepare<O extends OptionsSpec, S extends Disposable>(
  def: ConnectorDefinition<O, S>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Prepared<O> {
  for (const key of Object.keys(def.options)) {
    if (key in commonOptions) throw new Error(`Connector option "${key}" shadows a common option`);
  }
  const parsed = parseOptions({ ...commonOptions, ...def.options }, { argv, env });
  const all = parsed.values as Record<string, unknown>;
  const settings = Object.fromEntries(Object.keys(commonOptions).map((k) => [k, all[k]])) as KitSettings;
  const options = Object.fromEntries(Object.keys(def.options).map((k) => [k, all[k]])) as OptionValues<O>;
  if (!parsed.help && !parsed.version) {
    const problems = [...selectionProblems(def, settings), ...(def.check?.(options, settings) ?? [])];
    if (problems.length) throw new ConfigError(problems);
  }
  return { options, settings, help: parsed.help, version: parsed.version };
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
