import { describe, expect, it } from 'vitest';
import { median, medianOrNull, percentile } from './stats.js';

describe('median', () => {
  it('returns the middle value of an odd count, whatever the input order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('returns the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sorts numerically, not as strings', () => {
    expect(median([10, 9, 100])).toBe(10);
  });

  it('does not reorder its input', () => {
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('throws a RangeError naming the function on an empty input', () => {
    expect(() => median([])).toThrow(new RangeError('median: no values'));
  });

  it('throws a RangeError when a value is NaN', () => {
    expect(() => median([1, Number.NaN])).toThrow(new RangeError('median: NaN among the values'));
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('returns the nearest-rank value: p99 of 1..100 is 99 and p100 is 100', () => {
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('returns the lower middle value for p50 of an even count', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('returns the smallest value for p0', () => {
    expect(percentile([7, 3, 5], 0)).toBe(3);
  });

  it('accepts a Float64Array', () => {
    expect(percentile(Float64Array.of(0.5, 0.25, 0.75), 50)).toBe(0.5);
  });

  it('throws a RangeError when p is outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(
      new RangeError('percentile: p must be within 0..100, got 101'),
    );
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });

  it('throws a RangeError on an empty input', () => {
    expect(() => percentile([], 50)).toThrow(new RangeError('percentile: no values'));
  });
});

describe('medianOrNull', () => {
  it('takes the median of the measured runs only', () => {
    expect(medianOrNull([null, 4, 2, null])).toBe(3);
  });

  it('returns null when no run measured the figure', () => {
    expect(medianOrNull([null, null])).toBeNull();
    expect(medianOrNull([])).toBeNull();
  });
});
