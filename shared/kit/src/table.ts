/**
 * A compact, aligned text table: what a person would read, far smaller than JSON of the same rows
 * (no repeated keys, no quotes). Cells are cut at `maxCell` characters, newlines shown as ⏎.
 */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, maxCell = 80): string {
  const table = tableLayout(columns, rows, maxCell);
  return [table.head, ...rows.map(table.line)].join('\n');
}

/** An aligned table drawn a row at a time: the header, and each row's line. */
export interface TableLayout {
  /** The column names and the rule under them (two lines). */
  head: string;
  /** One row's line, padded to the layout's widths. */
  line: (row: ReadonlyArray<unknown>) => string;
}

/**
 * The layout of an aligned table over `rows`, for a list tool that pages them: pass `head` and
 * `line` to `ctx.page`, which measures each line as it will be sent. The widths come from every
 * row given, so a page that shows fewer rows is never laid out wider than it was measured.
 */
export function tableLayout(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, maxCell = 80): TableLayout {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const flat = s.replace(/\r?\n/g, '⏎');
    return flat.length > maxCell ? `${flat.slice(0, maxCell - 1)}…` : flat;
  };
  const widths = columns.map((c) => c.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) widths[i] = Math.max(widths[i] ?? 0, cell(row[i]).length);
  }
  for (let i = 0; i < widths.length; i++) widths[i] = Math.min(maxCell, widths[i] ?? 0);
  const draw = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return {
    head: `${draw(columns)}\n${draw(widths.map((w) => '-'.repeat(w)))}`,
    line: (row) => draw(columns.map((_, i) => cell(row[i]))),
  };
}
