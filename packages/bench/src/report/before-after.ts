import { type BeforeAfter, type BenchResult, type ConnectorResult, FIRST_READ, type SideResult } from '../model.js';
import { ratio, type Summary } from '../stats.js';
import { cell, type Formatter, formatRatio, mib, ms } from './format.js';
import { markdownTable } from './table.js';

/**
 * "Before and after" (--baseline): per connector, the baseline checkout's bin beside this one's,
 * each as a multiple of the floor sessions of the same runs, and after ÷ before.
 */
export function beforeAfterSection(result: BenchResult): string[] {
  const measured = result.connectors.filter((c) => c.beforeAfter);
  if (measured.length === 0) return [];
  const baseline = result.setup?.baseline;
  const where = baseline ? `\`${baseline.dir}\`${baseline.commit ? ` (commit ${baseline.commit})` : ''}` : 'the baseline';
  const lines = [
    '### Before and after',
    '',
    `Before: the bins of ${where}; after: this checkout's. Per run: floor, after and before (taking turns at going first), ` +
      'comparator, then one session per side (in turn) that calls a cheap read right after tools/list with no rest: spawn → ' +
      'first result, and the peak RSS during that call (a bin that loads its code on first use holds more from then on than ' +
      'its idle RSS). Cells are the median ' +
      `(min–max) of ${result.runs} session${result.runs === 1 ? '' : 's'}; × floor divides by the floor sessions of the same ` +
      "connector's runs (its spawn → initialize for times, its idle RSS for memory); after ÷ before divides medians.",
    '',
  ];
  const notes: string[] = [];
  const rows = measured.flatMap((c) => connectorRows(c, c.beforeAfter as BeforeAfter, notes));
  lines.push(
    ...markdownTable(
      ['connector', 'figure', 'floor', 'before', 'after', 'before × floor', 'after × floor', 'after ÷ before'],
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows,
    ),
  );
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines;
}

function connectorRows(connector: ConnectorResult, ab: BeforeAfter, notes: string[]): string[][] {
  const after = connector.patchbay;
  const before = ab.before;
  for (const side of [after, before]) {
    const state = sideState(side);
    if (state) notes.push(`${connector.id}: ${state}`);
  }
  if (before.command) notes.push(`${connector.id} before: \`${before.command}\``);
  const startup = ab.floor.startupMs;
  const row = (figure: string, floor: Summary | undefined, b: Summary | undefined, a: Summary | undefined, f: Formatter) => [
    connector.id,
    figure,
    cell(floor, f),
    cell(b, f),
    cell(a, f),
    formatRatio(ratio(b, floor)),
    formatRatio(ratio(a, floor)),
    formatRatio(ratio(a, b)),
  ];
  const rows = [
    row('spawn → initialize (ms)', startup, before.summary?.startupMs, after.summary?.startupMs, ms),
    row(
      'spawn → tools/list answered (ms)',
      startup,
      before.summary?.toolsListSinceSpawnMs,
      after.summary?.toolsListSinceSpawnMs,
      ms,
    ),
    row('idle RSS (MiB)', ab.floor.idleRssKb, before.summary?.idleRssKb, after.summary?.idleRssKb, mib),
  ];
  if (!ab.firstRead) {
    notes.push(`${connector.id}: no spawn → first result (${ab.noFirstRead ?? 'no cheap read'}).`);
    return rows;
  }
  const read = ab.firstRead;
  const first = (side: SideResult) => side.summary?.calls[FIRST_READ];
  for (const [name, side] of [
    ['after', read.after],
    ['before', read.before],
  ] as const) {
    const call = first(side);
    if (call?.errors)
      notes.push(`${connector.id} ${name}: ${read.tool} answered with an error in ${call.errors} runs: ${call.firstError}`);
    if (call?.absent) notes.push(`${connector.id} ${name}: ${read.tool} not measured (${call.absent}).`);
    if (side.status !== 'measured' || side.reason)
      notes.push(`${connector.id} ${name}, first result: ${sideState(side) ?? side.status}`);
  }
  notes.push(`${connector.id} first result: \`${read.label}\`.`);
  rows.push(
    row(
      `spawn → first result: ${read.tool} (ms)`,
      startup,
      first(read.before)?.sinceSpawnMs,
      first(read.after)?.sinceSpawnMs,
      ms,
    ),
    row(
      'peak RSS during the first result (MiB)',
      ab.floor.idleRssKb,
      first(read.before)?.peakRssKb,
      first(read.after)?.peakRssKb,
      mib,
    ),
  );
  return rows;
}

function sideState(side: SideResult): string | undefined {
  if (side.status === 'measured') return side.reason ? `${side.label}: ${side.reason}` : undefined;
  return `${side.label}: **${side.status}**${side.reason ? ` (${side.reason})` : ''}`;
}
