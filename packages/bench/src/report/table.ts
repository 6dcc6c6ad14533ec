export type Align = 'left' | 'right';

/** Visible length as a Markdown formatter counts it: code points, not UTF-16 units. */
function width(text: string): number {
  return [...text].length;
}

/**
 * A Markdown table with padded columns: readable in a terminal as printed, and byte-identical to
 * what the repository's formatter (Biome) makes of it, so a README holding it stays lint-clean.
 */
export function markdownTable(
  header: readonly string[],
  align: readonly Align[],
  rows: readonly (readonly string[])[],
): string[] {
  const clean = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const body = [header, ...rows].map((row) => header.map((_, i) => clean(row[i] ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...body.map((row) => width(row[i] as string))));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat((widths[i] as number) - width(cell));
    return align[i] === 'right' ? fill + cell : cell + fill;
  };
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line((body[0] as string[]).map(pad)), line(rule), ...body.slice(1).map((row) => line(row.map(pad)))];
}
