import { describe, expect, it } from 'vitest';
import { median, ratio, summarize } from '../src/stats.js';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list rather than inventing a figure', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives median, min, max and the sample count', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
  });

  it('leaves out failed runs (NaN) and counts only the rest', () => {
    expect(summarize([Number.NaN, 8, 4])).toEqual({ median: 6, min: 4, max: 8, n: 2 });
  });

  it('is undefined when no run produced the figure', () => {
    expect(summarize([Number.NaN])).toBeUndefined();
    expect(summarize([])).toBeUndefined();
  });
});

describe('ratio', () => {
  const s = (m: number) => ({ median: m, min: m, max: m, n: 1 });

  it('divides medians', () => {
    expect(ratio(s(50), s(200))).toBe(0.25);
  });

  it('is undefined when a side is missing or the divisor is zero', () => {
    expect(ratio(undefined, s(1))).toBeUndefined();
    expect(ratio(s(1), undefined)).toBeUndefined();
    expect(ratio(s(1), s(0))).toBeUndefined();
  });
});
