import { describe, expect, it } from 'vitest';
import { floorOf } from './floor.js';
import type { ProbeRecord } from './probe.js';

const ok = (atMs: number, latencyMs = 2): ProbeRecord => ({ atMs, latencyMs, status: 200 });

describe('floorOf', () => {
  it('is the longest gap between successful completions', () => {
    const records = [ok(0), ok(10), ok(20), ok(60), ok(70)];
    expect(floorOf(records)).toEqual({ longestGapMs: 40, requests: 5, failed: 0, durationMs: 72 });
  });

  it('counts failures as gaps, not as successes', () => {
    const records = [ok(0), { atMs: 10, latencyMs: 1, error: 'ECONNREFUSED' }, { atMs: 20, latencyMs: 1, status: 503 }, ok(30)];
    expect(floorOf(records)).toMatchObject({ longestGapMs: 30, requests: 4, failed: 2 });
  });

  it('is the whole span when nothing succeeded, and 0 without records', () => {
    expect(floorOf([{ atMs: 0, latencyMs: 2000, error: 'ETIMEDOUT' }]).longestGapMs).toBe(2000);
    expect(floorOf([])).toEqual({ longestGapMs: 0, requests: 0, failed: 0, durationMs: 0 });
  });
});
