import { describe, expect, it } from 'vitest';
import { createBlackout, tallyShortener } from './shortener-ops.js';
import type { ProbeRecord } from '../observe/probe.js';

const rec = (atMs: number, status?: number, error?: string): ProbeRecord => ({ atMs, latencyMs: 1, status, error });
const window = { startMs: 0, endMs: 1000 };

describe('the shortener workload count', () => {
  it('counts 302s as served, timeouts as unknown, anything else as failed', () => {
    const t = tallyShortener({
      records: [rec(0, 302), rec(10, 302), rec(20, 503), rec(30, undefined, 'ETIMEDOUT'), rec(40, undefined, 'ECONNRESET'), rec(50, 404)],
      creates: [],
      window,
      clicks: { counted: 2, pending: 0 },
    });
    expect(t.redirects).toEqual({ total: 6, served: 2, failed: 3, unknown: 1 });
    expect([t.acknowledged, t.failed, t.unknown, t.lost, t.doubled]).toEqual([2, 3, 1, 0, 0]);
  });

  it('lost is served − counted; doubled is counted beyond served and the unknown ones', () => {
    const base = { records: [rec(0, 302), rec(1, 302), rec(2, undefined, 'ETIMEDOUT')], creates: [], window };
    expect(tallyShortener({ ...base, clicks: { counted: 1, pending: 0 } }).lost).toBe(1);
    // The timed-out request may have been served and counted: not a double.
    expect(tallyShortener({ ...base, clicks: { counted: 3, pending: 0 } }).doubled).toBe(0);
    expect(tallyShortener({ ...base, clicks: { counted: 5, pending: 0 } }).doubled).toBe(2);
  });

  it('times the create blackout between acknowledged creates, the window edges included', () => {
    const ok = (atMs: number) => ({ atMs, ok: true });
    expect(createBlackout([ok(100), ok(200), { atMs: 300, ok: false }, ok(700), ok(900)], window)).toBe(500);
    // No create acknowledged at all: the whole window.
    expect(createBlackout([{ atMs: 100, ok: false }], window)).toBe(1000);
    expect(
      tallyShortener({ records: [], creates: [ok(400), { atMs: 500, ok: false }], window, clicks: { counted: 0, pending: 0 } }).creates,
    ).toEqual({
      total: 2,
      ok: 1,
      failed: 1,
    });
  });
});
