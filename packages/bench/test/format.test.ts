import { describe, expect, it } from 'vitest';
import { cell, count, formatRatio, mib, ms } from '../src/report/format.js';

describe('cell', () => {
  it('shows the median with the range when runs differ', () => {
    expect(cell({ median: 62.4, min: 58.2, max: 70.9, n: 3 }, ms)).toBe('62 (58–71)');
  });

  it('shows one number when every run gave the same figure', () => {
    expect(cell({ median: 4410, min: 4410, max: 4410, n: 3 }, count)).toBe('4,410');
  });

  it('shows a dash when there is no figure', () => {
    expect(cell(undefined, ms)).toBe('–');
  });
});

describe('formatters', () => {
  it('keeps a decimal for sub-10 ms figures only', () => {
    expect(ms(4.56)).toBe('4.6');
    expect(ms(123.4)).toBe('123');
    expect(ms(1234.5)).toBe('1,235');
  });

  it('turns /proc KiB into MiB', () => {
    expect(mib(61_440)).toBe('60.0');
  });
});

describe('formatRatio', () => {
  it('gives two significant digits without exponent notation', () => {
    expect(formatRatio(0.2634)).toBe('0.26×');
    expect(formatRatio(0.000487)).toBe('0.00049×');
    expect(formatRatio(3.84)).toBe('3.8×');
    expect(formatRatio(152.3)).toBe('152×');
  });

  it('shows a dash for a missing or infinite ratio', () => {
    expect(formatRatio(undefined)).toBe('–');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('–');
  });
});
