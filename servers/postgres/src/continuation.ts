import type { More } from '@patchbay/kit';

/**
 * The text line for a cut result. `more.omitted` counts what the tool knows was left out; where
 * more may exist than were counted (rows the database never sent), `atLeast` says so rather than
 * passing a lower bound off as the total.
 */
export function continuationLine(
  value: More,
  [one, many]: readonly [string, string],
  atLeast: boolean,
  why = 'output budget',
): string {
  if (!value) return '';
  const n = value.omitted;
  const count = n > 0 ? `${atLeast ? 'at least ' : ''}${n} more ${n === 1 ? one : many} not shown` : `more ${many} not shown`;
  return `\n… ${count} (${why}). ${value.hint}${value.cursor ? ` cursor: ${value.cursor}` : ''}`;
}
