/**
 * The valid names closest to a misspelt one (`--read-onyl` → `read-only`, `max_cont` →
 * `max_count`, `repo` → `repository`): by edit distance, or by one containing the other.
 */
export function closest(wrong: string, valid: Iterable<string>, max = 3): string[] {
  const w = wrong.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const name of valid) {
    const n = name.toLowerCase();
    const distance = editDistance(w, n);
    const near = distance <= Math.max(1, Math.floor(Math.max(w.length, n.length) / 3));
    const contains = w.length >= 3 && (n.includes(w) || w.includes(n));
    if (near || contains) scored.push([near ? distance : distance + 10, name]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, max)
    .map(([, name]) => name);
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
