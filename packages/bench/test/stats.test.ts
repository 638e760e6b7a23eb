import { describe, expect, it } from 'vitest';
import { fmt, median, ratio, summarize } from '../src/stats.js';

describe('stats', () => {
  it('median of odd, even and empty sets', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('median does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('summarize gives median, min, max and drops non-finite samples', () => {
    expect(summarize([5, 1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toEqual({ samples: [5, 1, 3], median: 3, min: 1, max: 5 });
    const empty = summarize([]);
    expect(empty.samples).toEqual([]);
    expect(empty.median).toBeNaN();
    expect(empty.min).toBeNaN();
  });

  it('ratio is NaN when a side is missing or zero', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(undefined, 3)).toBeNaN();
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });

  it('fmt rounds to 3 significant digits and groups thousands', () => {
    expect(fmt(0.123456)).toBe('0.123');
    expect(fmt(12.345)).toBe('12.3');
    expect(fmt(200886.4)).toBe('200,886');
    expect(fmt(Number.NaN)).toBe('-');
    expect(fmt(undefined)).toBe('-');
    expect(fmt(0)).toBe('0');
  });
});
