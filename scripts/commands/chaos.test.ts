import { describe, expect, it } from 'vitest';
import { parseSeed } from './chaos.js';
import { parseDuration } from './run/chaos.js';

describe('chaos options', () => {
  it('reads durations in s, m and ms, from 5 s to 30 min', () => {
    expect(parseDuration('120s')).toBe(120_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('5000ms')).toBe(5000);
    for (const bad of ['4s', '31m', 'soon', '-5s', '']) expect(() => parseDuration(bad)).toThrow(/5s to 30m/);
  });

  it('takes 32-bit whole seeds', () => {
    expect(parseSeed('7')).toBe(7);
    expect(parseSeed('4294967295')).toBe(4294967295);
    for (const bad of ['-1', '1.5', 'x', '4294967296']) expect(() => parseSeed(bad)).toThrow();
  });
});
