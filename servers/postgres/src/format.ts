import { tableLayout } from '@patchbay/kit';
import type { Column, Row } from './rows.js';
import { csvLine, cutCell } from './values.js';

export type RowFormat = 'table' | 'csv';

/** `id integer, name text` — the column line every row rendering starts with. */
export function columnLine(columns: readonly Column[]): string {
  return `columns: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`;
}

/**
 * Rows as `ctx.page` draws them: a header (the aligned table's names and rule, or the CSV header)
 * and one line per row, laid out over every row read so that each line is measured as sent.
 */
export function rowLayout(
  columns: readonly Column[],
  rows: readonly Row[],
  format: RowFormat,
): { head: string; line: (row: Row) => string } {
  const names = columns.map((c) => c.name);
  if (format === 'csv') return { head: csvLine(names), line: (row) => csvLine(row.cells) };
  const table = tableLayout(
    names,
    rows.map((r) => r.cells),
    120,
  );
  return { head: table.head, line: (row) => table.line(row.cells) };
}

/**
 * The first row when it alone is bigger than a reply: its values cut further, to an even share of
 * the room, so the page still shows it (and says which values to select alone to read in full).
 */
export function shrinkRow(row: Row, room: { json: number }): Row {
  const limit = Math.max(16, Math.floor(room.json / Math.max(1, row.raw.length)) - 40);
  const cut = row.raw.map((v) => cutCell(v, limit));
  return { raw: row.raw, cells: cut.map((c) => c.value), cut: cut.filter((c) => c.cut).length };
}

/** The note for values cut to fit, counted over the rows shown. */
export function cutNote(rows: readonly Row[]): string | undefined {
  const cut = rows.reduce((sum, r) => sum + r.cut, 0);
  return cut > 0
    ? `${cut} long values were shortened to fit the output budget; select them alone (or substr()) to read them in full.`
    : undefined;
}
