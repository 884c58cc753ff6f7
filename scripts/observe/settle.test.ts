import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../testing/fake-runtime.js';
import type { ProbeOptions, ProbeRecord } from './probe.js';
import { everyLbSeesBackendsUp, Streak, waitSettled } from './settle.js';

const ok = (latencyMs = 2): ProbeRecord => ({ atMs: 0, latencyMs, status: 200 });
const refused: ProbeRecord = { atMs: 0, latencyMs: 1, error: 'ECONNREFUSED' };

/** A probe that plays these records (then successes) until aborted or out of records. */
function scripted(records: ProbeRecord[], then = 1000): { probe: (o: ProbeOptions) => Promise<ProbeRecord[]>; sent: () => number } {
  let sent = 0;
  return {
    sent: () => sent,
    probe: async (o) => {
      const out: ProbeRecord[] = [];
      for (const r of [...records, ...Array.from({ length: then }, () => ok())]) {
        if (o.signal?.aborted) break;
        sent++;
        out.push(r);
        o.onRecord?.(r);
      }
      return out;
    },
  };
}

describe('Streak', () => {
  it('needs that many successes in a row; a failure or a slow answer starts it again', () => {
    const s = new Streak(3, 50);
    expect([ok(), ok(), refused, ok(), ok(), ok(60), ok(), ok()].map((r) => s.add(r))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(s.add(ok())).toBe(true);
    expect(s.reached()).toBe(true);
  });
});

describe('everyLbSeesBackendsUp', () => {
  it("is false while any running LB's HAProxy has a backend not UP, and ignores a stopped LB", async () => {
    const rt = new FakeRuntime();
    expect(await everyLbSeesBackendsUp(rt)).toBe(true);
    await rt.stop('backend2', 'hard');
    expect(await everyLbSeesBackendsUp(rt)).toBe(false);
    await rt.restore('backend2');
    await rt.stop('lb2', 'hard');
    expect(await everyLbSeesBackendsUp(rt)).toBe(true);
  });
});

describe('waitSettled', () => {
  it('probes the VIP until the streak is reached, then stops', async () => {
    const rt = new FakeRuntime();
    const p = scripted([ok(), refused, ok(), ok(120)]);
    const settled = await waitSettled(rt, { stableMs: 0, streak: 5, timeoutMs: 5000 }, p.probe);
    // 4 scripted records, then 5 successes in a row.
    expect(settled.requests).toBe(9);
    expect(p.sent()).toBe(9);
  });

  it('fails with what was missing when the VIP never answers often enough in a row', async () => {
    const rt = new FakeRuntime();
    const p = scripted(
      Array.from({ length: 50 }, (_, i) => (i % 4 === 3 ? refused : ok())),
      0,
    );
    await expect(waitSettled(rt, { stableMs: 0, streak: 5, timeoutMs: 5000 }, p.probe)).rejects.toThrow(
      /never answered 5 requests in a row.*12 of 50 failed/,
    );
  });

  it('waits for a healthy stack before it probes at all', async () => {
    const rt = new FakeRuntime();
    await rt.stop('backend1', 'hard');
    const p = scripted([]);
    await expect(waitSettled(rt, { stableMs: 0, streak: 5, timeoutMs: 300 }, p.probe)).rejects.toThrow(/healthy/);
    expect(p.sent()).toBe(0);
  });
});
