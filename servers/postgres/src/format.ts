import { byteLength, formatTable } from '@patchbay/kit';
import type { Column } from './rows.js';
import { type Cell, toCsv } from './values.js';

export type RowFormat = 'table' | 'csv';

/** `id integer, name text` — the column line every row rendering starts with. */
export function columnLine(columns: readonly Column[]): string {
  return `columns: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`;
}

export function renderRows(columns: readonly Column[], rows: ReadonlyArray<readonly Cell[]>, format: RowFormat): string {
  const names = columns.map((c) => c.name);
  return format === 'csv' ? toCsv(names, rows) : formatTable(names, rows, 120);
}

/**
 * Render rows as text within `limit` bytes. The aligned table pads every cell to its column's
 * width, so it can be bigger than the structured rows the budget was measured on; then rows are
 * dropped from the end (and from the structured result too, so both say the same) until it fits.
 */
export function fitRows(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly Cell[]>,
  format: RowFormat,
  limit: number,
): { text: string; shown: number } {
  let shown = rows.length;
  let text = renderRows(columns, rows, format);
  for (let attempt = 0; attempt < 8 && shown > 1 && byteLength(text) > limit; attempt++) {
    const ratio = limit / byteLength(text);
    shown = Math.max(1, Math.min(shown - 1, Math.floor(shown * ratio * 0.97)));
    text = renderRows(columns, rows.slice(0, shown), format);
  }
  return { text, shown };
}
