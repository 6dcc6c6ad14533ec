import type { Summary } from '../stats.js';

export type Formatter = (value: number) => string;

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Milliseconds: one decimal below 10 ms, where a tenth still means something. */
export const ms: Formatter = (v) => (v < 10 ? v.toFixed(1) : grouped.format(v));

/** Counts (bytes, tokens, tools) with thousands separators. */
export const count: Formatter = (v) => grouped.format(v);

/** KiB from /proc shown as MiB with one decimal. */
export const mib: Formatter = (v) => (v / 1024).toFixed(1);

/** A figure's median with its range when the runs differ: `62 (58–70)`. */
export function cell(summary: Summary | undefined, format: Formatter): string {
  if (!summary) return '–';
  const median = format(summary.median);
  const min = format(summary.min);
  const max = format(summary.max);
  return min === max ? median : `${median} (${min}–${max})`;
}

/** A ratio with two significant digits and a ×: `0.21×`, `3.4×`, `120×`. */
export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '–';
  if (r >= 100) return `${Math.round(r)}×`;
  if (r === 0) return '0×';
  return `${Number(r.toPrecision(2))}×`;
}
