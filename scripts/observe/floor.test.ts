import { describe, expect, it } from 'vitest';
import { floorOf, formatFloor } from './floor.js';
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

  it('with the cadence, blames a gap ended by a late start on the probe', () => {
    // The fourth request was due at 30 and went out at 55: its thread or timer was late.
    const f = floorOf([ok(0), ok(10), ok(20), ok(55), ok(56)], 10);
    expect(f.longestGapMs).toBe(35);
    expect(f.worstGap).toEqual({ startLateMs: 25, latencyMs: 2 });
    expect(f.maxStartLateMs).toBe(25);
  });

  it('with the cadence, blames a gap ended by a slow answer on the stack', () => {
    // The stack stalled from 12 to 51.5: the answers sent meanwhile all come late, on time started.
    const f = floorOf([ok(0), ok(10), ok(20, 31.5), ok(30, 22), ok(40, 12)], 10);
    expect(f.longestGapMs).toBe(40);
    expect(f.worstGap).toEqual({ startLateMs: 0, latencyMs: 31.5 });
    expect(f.maxStartLateMs).toBe(0);
    expect(f.p99LatencyMs).toBe(31.5);
  });

  it('says in its line where the longest gap came from', () => {
    expect(formatFloor(floorOf([ok(0), ok(10), ok(20), ok(55)], 10))).toMatch(/35 ms .* started 25 ms late and took 2 ms/);
  });
});
