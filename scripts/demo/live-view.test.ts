import { describe as suite, expect, it } from 'vitest';
import { describe, LiveView } from './live-view.js';
import type { ProbeRecord } from '../observe/probe.js';

const ok = (atMs: number, lb: string, backend: string): ProbeRecord => ({ atMs, latencyMs: 1, status: 200, lb, backend });
const refused = (atMs: number): ProbeRecord => ({ atMs, latencyMs: 1, error: 'ECONNREFUSED' });

suite('describe', () => {
  it('names LBs and backends of successes, and failure kinds', () => {
    expect(describe([ok(0, 'lb1', 'backend2'), ok(1, 'lb1', 'backend1')]).text).toBe('lb1 → backend1 backend2');
    expect(describe([refused(0), { atMs: 1, latencyMs: 1, status: 503, lb: 'lb1' }]).text).toBe('✗ ECONNREFUSED, HTTP 503');
    expect(describe([]).text).toBe('· no answers');
  });
});

suite('LiveView', () => {
  it('condenses alike buckets into one line and starts a new one when the picture changes', () => {
    const lines: string[] = [];
    const v = new LiveView((l) => lines.push(l), 1000);
    for (let t = 1000; t < 1500; t += 10) v.record(ok(t, 'lb1', t % 20 ? 'backend1' : 'backend2'));
    v.note(1500, 'kill lb1 --mode hard');
    for (let t = 1500; t < 1600; t += 10) v.record(refused(t));
    // 1600–1800: silence
    for (let t = 1800; t < 2000; t += 10) v.record(ok(t, 'lb2', t % 20 ? 'backend1' : 'backend2'));
    v.end(2000);
    expect(lines).toEqual([
      '   +0.00 s  lb1 → backend1 backend2                      500 ms  50 ok',
      '   +0.50 s  » kill lb1 --mode hard',
      '   +0.50 s  ✗ ECONNREFUSED                               100 ms  0 ok, 10 failed',
      '   +0.60 s  · no answers                                 200 ms',
      '   +0.80 s  lb2 → backend1 backend2                      200 ms  20 ok',
    ]);
  });
});
