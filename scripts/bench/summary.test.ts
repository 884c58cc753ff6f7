import { describe, expect, it } from 'vitest';
import { formatSummary, pairedRatio, summarize } from './summary.js';

describe('summarize', () => {
  it('gives min, median and max, the median of an even count being the mean of the middle two', () => {
    expect(summarize([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });
  it('is null without values and ignores non-finite ones', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([Number.NaN, 2])).toEqual({ min: 2, median: 2, max: 2 });
  });
});

describe('pairedRatio', () => {
  it('divides run by run and leaves out pairs it cannot divide', () => {
    expect(pairedRatio([3000, 4000, 5], [100, 200, 0])).toEqual({ min: 20, median: 25, max: 30 });
    expect(pairedRatio([1], [undefined])).toBeNull();
  });
});

describe('formatSummary', () => {
  it('prints one figure when the runs agree, else min / median / max', () => {
    expect(formatSummary({ min: 0, median: 0, max: 0 })).toBe('0');
    expect(formatSummary({ min: 1, median: 2, max: 3 }, ' ms')).toBe('1 / 2 / 3 ms');
    expect(formatSummary(null)).toBe('–');
  });
});
