/**
 * A compact, aligned text table: what a person would read, far smaller than JSON of the same rows
 * (no repeated keys, no quotes). Cells are cut at `maxCell` characters, newlines shown as ⏎.
 */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, maxCell = 80): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const flat = s.replace(/\r?\n/g, '⏎');
    return flat.length > maxCell ? `${flat.slice(0, maxCell - 1)}…` : flat;
  };
  const cells = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.min(maxCell, Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
