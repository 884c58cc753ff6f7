import { describe, expect, it } from 'vitest';
import { analyze, longestBlackout, shares, splitBrainSpans, vipLabel, type VipSample } from './analysis.js';
import type { ProbeRecord } from './probe.js';

const ok = (atMs: number, lb: string, backend: string, latencyMs = 2): ProbeRecord => ({ atMs, latencyMs, status: 200, lb, backend });
const err = (atMs: number, error = 'ECONNREFUSED', latencyMs = 1): ProbeRecord => ({ atMs, latencyMs, error });
const page503 = (atMs: number, lb: string, latencyMs = 1): ProbeRecord => ({ atMs, latencyMs, status: 503, lb });

/** A request every 10 ms from `from` to `to` (exclusive), shaped by `at`. */
function timeline(from: number, to: number, at: (t: number, i: number) => ProbeRecord | undefined): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (let t = from, i = 0; t < to; t += 10, i++) {
    const r = at(t, i);
    if (r) out.push(r);
  }
  return out;
}
const rr = (i: number) => (i % 2 === 0 ? 'backend1' : 'backend2');
const vip = (...pairs: Array<[number, string[]]>): VipSample[] => pairs.map(([atMs, holders]) => ({ atMs, holders }));

describe('longestBlackout', () => {
  it('is the interval at steady state', () => {
    const recs = timeline(0, 1000, (t, i) => ok(t, 'lb1', rr(i)));
    const b = longestBlackout(recs, { startMs: 0, endMs: 1000 });
    expect(b.toMs - b.fromMs).toBeLessThanOrEqual(10);
  });

  it('counts completions, so a late success started in the gap does not hide the outage', () => {
    const recs = timeline(0, 2000, (t, i) => {
      if (t < 1000) return ok(t, 'lb1', rr(i));
      if (t === 1000) return ok(t, 'lb2', rr(i), 1100); // SYN retransmitted: done at 2100
      if (t < 1200) return err(t);
      return ok(t, 'lb2', rr(i));
    });
    const b = longestBlackout(recs, { startMs: 0, endMs: 2000 });
    expect(b.fromMs).toBe(992);
    expect(b.toMs).toBe(1202);
  });

  it('runs to the window end when nothing recovers', () => {
    const recs = timeline(0, 1000, (t, i) => (t < 300 ? ok(t, 'lb1', rr(i)) : err(t)));
    const b = longestBlackout(recs, { startMs: 0, endMs: 1000 });
    expect(b).toEqual({ fromMs: 292, toMs: 1000 });
  });

  it('starts at the window start when the fault is at the start', () => {
    const recs = timeline(0, 1000, (t, i) => (t < 400 ? err(t) : ok(t, 'lb2', rr(i))));
    expect(longestBlackout(recs, { startMs: 0, endMs: 1000 })).toEqual({ fromMs: 0, toMs: 402 });
  });

  it('is the whole window without any success', () => {
    const recs = timeline(0, 500, (t) => err(t));
    expect(longestBlackout(recs, { startMs: 0, endMs: 500 })).toEqual({ fromMs: 0, toMs: 500 });
  });
});

describe('analyze', () => {
  it('an LB failover: failures, blackout, recovery on the new path, VIP before and after', () => {
    const recs = timeline(0, 2000, (t, i) => {
      if (t < 1000) return ok(t, 'lb1', rr(i));
      if (t < 1150) return err(t);
      return ok(t, 'lb2', rr(i));
    });
    const m = analyze({
      records: recs,
      window: { startMs: 0, endMs: 2000 },
      faultAtMs: 1000,
      settledAtMs: 1300,
      faultedNode: 'lb1',
      vip: vip([0, ['lb1']], [900, ['lb1']], [1100, []], [1200, ['lb2']], [1900, ['lb2']]),
    });
    expect(m.requests).toBe(200);
    expect(m.failed).toBe(15);
    expect(m.failures).toEqual({ ECONNREFUSED: 15 });
    expect(m.blackoutMs).toBe(160);
    expect(m.blackout).toEqual({ fromMs: 992, toMs: 1152 });
    expect(m.recoveryMs).toBe(152);
    expect(m.vipBefore).toBe('lb1');
    expect(m.vipAfter).toBe('lb2');
    expect(m.splitBrainMs).toBe(0);
    expect(m.mastersAfter).toBe(1);
    expect(m.sharesBefore).toEqual({ backend1: 0.5, backend2: 0.5 });
    expect(m.sharesAfter).toEqual({ backend1: 0.5, backend2: 0.5 });
  });

  it('interleaved LBs (split brain): answers from both, split brain measured from VIP samples', () => {
    const recs = timeline(0, 3000, (t, i) => ok(t, t >= 1000 && t < 2000 && i % 3 === 0 ? 'lb2' : 'lb1', rr(i)));
    const m = analyze({
      records: recs,
      window: { startMs: 0, endMs: 3000 },
      faultAtMs: 1000,
      vip: vip([500, ['lb1']], [1100, ['lb1', 'lb2']], [1500, ['lb2', 'lb1']], [2100, ['lb1']], [2900, ['lb1']]),
    });
    expect(m.failed).toBe(0);
    expect(m.splitBrain).toEqual([{ fromMs: 1100, toMs: 2100 }]);
    expect(m.splitBrainMs).toBe(1000);
    expect(m.vipBefore).toBe('lb1');
    expect(m.vipAfter).toBe('lb1');
    expect(m.mastersAfter).toBe(1);
  });

  it('a split brain still on at the window end counts up to the end, and reports two masters', () => {
    const m = analyze({ records: [], window: { startMs: 0, endMs: 1000 }, faultAtMs: 0, vip: vip([0, ['lb1']], [600, ['lb1', 'lb2']]) });
    expect(m.splitBrainMs).toBe(400);
    expect(m.vipAfter).toBe('lb1+lb2');
    expect(m.mastersAfter).toBe(2);
  });

  it('a fault at the window start: no "before" evidence, blackout from the start', () => {
    const recs = timeline(0, 1000, (t, i) => (t < 200 ? err(t) : ok(t, 'lb2', rr(i))));
    const m = analyze({
      records: recs,
      window: { startMs: 0, endMs: 1000 },
      faultAtMs: 0,
      faultedNode: 'lb1',
      vip: vip([50, []], [300, ['lb2']]),
    });
    expect(m.vipBefore).toBeNull();
    expect(m.vipAfter).toBe('lb2');
    expect(m.blackoutMs).toBe(202);
    expect(m.recoveryMs).toBe(202);
    expect(m.sharesBefore).toEqual({});
  });

  it('no recovery: the blackout runs to the end and there is no recovery time', () => {
    const recs = timeline(0, 1000, (t, i) => (t < 500 ? ok(t, 'lb1', rr(i)) : err(t, 'ETIMEDOUT', 300)));
    const m = analyze({ records: recs, window: { startMs: 0, endMs: 1000 }, faultAtMs: 500, faultedNode: 'lb1', vip: [] });
    expect(m.recoveryMs).toBeNull();
    expect(m.blackout).toEqual({ fromMs: 492, toMs: 1000 });
    expect(m.failures).toEqual({ ETIMEDOUT: 50 });
    expect(m.maxLatencyMs).toBe(300);
    expect(m.vipBefore).toBe('lb1'); // no VIP samples: the LB that answered last
    expect(m.vipAfter).toBe('lb1');
  });

  it('a backend failure: answers that still come from the dead backend are not the new path', () => {
    const recs = timeline(0, 1000, (t, i) => (t < 500 ? ok(t, 'lb1', rr(i)) : ok(t, 'lb1', t < 520 ? 'backend1' : 'backend2')));
    const m = analyze({
      records: recs,
      window: { startMs: 0, endMs: 1000 },
      faultAtMs: 500,
      settledAtMs: 600,
      faultedNode: 'backend1',
      vip: [],
    });
    expect(m.failed).toBe(0);
    expect(m.recoveryMs).toBe(22);
    expect(m.sharesAfter).toEqual({ backend2: 1 });
  });

  it('both backends down: 503 pages, time to the first one, recovery after the restore', () => {
    const recs = timeline(0, 3000, (t, i) => {
      if (t < 1000) return ok(t, 'lb1', rr(i));
      if (t < 2000) return page503(t, 'lb1', t < 1050 ? 300 : 1);
      if (t < 2400) return page503(t, 'lb1');
      return ok(t, 'lb1', rr(i));
    });
    const m = analyze({ records: recs, window: { startMs: 0, endMs: 3000 }, faultAtMs: 1000, restoreAtMs: 2000, vip: [] });
    expect(m.failures).toEqual({ 'HTTP 503': 140 });
    expect(m.firstErrorPageMs).toBe(51); // the one started at 1050 (latency 1 ms) ends first at 1051
    expect(m.restoreToSuccessMs).toBe(402);
    // From the restore (2000) to the first success after it (2402): the longest gap after the restore.
    expect(m.afterRestoreBlackoutMs).toBe(402);
    expect(m.maxLatencyMs).toBe(300);
  });

  it('ignores records outside the window', () => {
    const m = analyze({ records: [ok(-50, 'lb1', 'backend1'), err(5000)], window: { startMs: 0, endMs: 100 }, faultAtMs: 50, vip: [] });
    expect(m.requests).toBe(0);
    expect(m.blackoutMs).toBe(100);
  });
});

describe('helpers', () => {
  it('vipLabel', () => {
    expect(vipLabel([])).toBeNull();
    expect(vipLabel(['lb2'])).toBe('lb2');
    expect(vipLabel(['lb2', 'lb1'])).toBe('lb1+lb2');
  });

  it('shares count only successes with a backend', () => {
    expect(shares([ok(0, 'lb1', 'backend1'), ok(1, 'lb1', 'backend1'), ok(2, 'lb1', 'backend2'), err(3)])).toEqual({
      backend1: 0.67,
      backend2: 0.33,
    });
  });

  it('splitBrainSpans merges consecutive samples and splits separate episodes', () => {
    const s = vip([0, ['a', 'b']], [100, ['a', 'b']], [200, ['a']], [300, ['a', 'b']], [400, ['b']]);
    expect(splitBrainSpans(s, { startMs: 0, endMs: 500 })).toEqual([
      { fromMs: 0, toMs: 200 },
      { fromMs: 300, toMs: 400 },
    ]);
  });
});

describe('failedNew', () => {
  it('counts only failures of requests sent at or after the fault', () => {
    const recs = [ok(0, 'lb1', 'backend1'), err(90, 'ECONNRESET', 200), ok(100, 'lb2', 'backend2'), err(110), ok(120, 'lb2', 'backend1')];
    const m = analyze({ records: recs, window: { startMs: 0, endMs: 200 }, faultAtMs: 100, vip: [] });
    expect(m.failed).toBe(2);
    expect(m.failedNew).toBe(1);
  });
});
