import { type Column, type Row, toRow } from './rows.js';

/** `id integer, name text` — the column line every row rendering starts with. */
export function columnLine(columns: readonly Column[]): string {
  return `columns: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`;
}

/**
 * The first row when it alone is bigger than a reply: its values cut further, to an even share of
 * the room, so the page still shows it (and says which values to select alone to read in full).
 */
export function shrinkRow(row: Row, room: { json: number }): Row {
  return toRow(row.raw, Math.max(16, Math.floor(room.json / Math.max(1, row.raw.length)) - 40));
}

/** The note for values cut to fit, counted over the rows shown. */
export function cutNote(rows: readonly Row[]): string | undefined {
  const cut = rows.reduce((sum, r) => sum + r.cut, 0);
  return cut > 0
    ? `${cut} long values were shortened to fit the output budget; select them alone (or substr()) to read them in full.`
    : undefined;
}
