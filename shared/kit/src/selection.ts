import type { Access } from './define.js';

/** What selection needs to know of a tool: the live definition and the bin's manifest both have it. */
export interface Selectable {
  name: string;
  toolset: string;
  access: Access;
}

export interface SelectionSettings {
  toolsets: readonly string[];
  tools: readonly string[];
  readOnly: boolean;
}

/**
 * Which tools a server offers: the chosen toolsets (`default` when none are named, `all` for
 * every one), plus tools named one by one, minus anything the operator switched off, minus every
 * non-read tool under `--read-only`. Unknown names are configuration problems, not silent no-ops.
 * Pure, and free of zod and the SDK: the bin's front decides the tool list with it too.
 */
/** Whether the operator's --toolsets/--tools choose this tool (before --read-only and switches). */
export function isChosen(
  def: { toolsets: Readonly<Record<string, { default: boolean }>> },
  settings: Pick<SelectionSettings, 'toolsets' | 'tools'>,
  tool: Pick<Selectable, 'name' | 'toolset'>,
): boolean {
  if (settings.tools.includes(tool.name)) return true;
  return settings.toolsets.some(
    (name) => name === 'all' || name === tool.toolset || (name === 'default' && def.toolsets[tool.toolset]?.default === true),
  );
}

export function selectTools<T extends Selectable>(
  def: { toolsets: Readonly<Record<string, { default: boolean }>>; tools: readonly T[] },
  settings: SelectionSettings,
  isEnabled: (tool: T) => boolean,
): T[] {
  return def.tools.filter((tool) => {
    if (!isChosen(def, settings, tool)) return false;
    if (settings.readOnly && tool.access !== 'read') return false;
    return isEnabled(tool);
  });
}

/** Problems with `--toolsets`/`--tools` names, reported with the valid choices. */
export function selectionProblems(
  def: { toolsets: Readonly<Record<string, unknown>>; tools: readonly Selectable[] },
  settings: Pick<SelectionSettings, 'toolsets' | 'tools'>,
): string[] {
  const problems: string[] = [];
  const sets = Object.keys(def.toolsets);
  const unknownSets = settings.toolsets.filter((n) => n !== 'all' && n !== 'default' && !sets.includes(n));
  if (unknownSets.length) {
    problems.push(`--toolsets: unknown toolset ${unknownSets.join(', ')}. Choose from: default, all, ${sets.join(', ')}.`);
  }
  const names = def.tools.map((t) => t.name);
  const unknownTools = settings.tools.filter((n) => !names.includes(n));
  if (unknownTools.length) {
    problems.push(`--tools: unknown tool ${unknownTools.join(', ')}. Available: ${names.join(', ')}.`);
  }
  return problems;
}
