import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../observe/probe.js';
import { tallyCounts } from './counts.js';

const view = (atMs: number, count?: number, countState = count === undefined ? 'pending' : 'counted'): ProbeRecord => ({
  atMs,
  latencyMs: 2,
  status: 200,
  countState,
  ...(count === undefined ? {} : { count }),
});

describe('tallyCounts', () => {
  it('finds nothing wrong in a clean run', () => {
    const recs = [view(0, 11), view(10, 12), view(20, 13)];
    const t = tallyCounts(recs, { before: 10, after: 13 });
    expect(t).toMatchObject({ acknowledged: 3, lost: 0, doubled: 0, unknown: 0, failedPages: 0 });
  });

  it('counts a number shown twice as a lost increment', () => {
    const t = tallyCounts([view(0, 11), view(10, 12), view(20, 12)], { before: 10, after: 12 });
    expect(t.lost).toBe(1);
    expect(t.shownTwice).toEqual([12]);
  });

  it('counts a shown number above the final counter as lost', () => {
    const t = tallyCounts([view(0, 11), view(10, 12)], { before: 10, after: 11 });
    expect(t.lost).toBe(1);
  });

  it('tells the count blackout (no number shown) from the write blackout (no view reaching Redis)', () => {
    // Unavailable 0–300 ms after the fault, then taken but unacknowledged (no replica left) until 1000.
    const recs = [view(0, 11), view(100, undefined, 'unavailable'), view(300), view(600), view(900), view(1000, 15)];
    const t = tallyCounts(recs, { before: 10, after: 15 });
    expect(t.countBlackoutMs).toBe(1000);
    expect(t.countRecovered).toBe(true);
    expect(t.writeBlackoutMs).toBe(300);
    // No count after the longest stretch: it lasted to the end, a lower bound.
    const open = tallyCounts([view(0, 11), view(5, 12), view(300), view(900)], { before: 10, after: 13 });
    expect(open.countBlackoutMs).toBe(895);
    expect(open.countRecovered).toBe(false);
  });

  it('lets pending views be missing but not doubled', () => {
    const recs = [view(0, 11), view(10), view(20), view(30, 13)];
    expect(tallyCounts(recs, { before: 10, after: 13 })).toMatchObject({ lost: 0, doubled: 0, pending: 2, unknown: 2 });
    expect(tallyCounts(recs, { before: 10, after: 12 }).lost).toBe(1); // 13 was shown, the counter says 12
    expect(tallyCounts(recs, { before: 10, after: 15 }).doubled).toBe(1); // 4 views, the counter grew by 5
  });

  it('treats a failed page load as a view that may have counted', () => {
    const failed: ProbeRecord = { atMs: 10, latencyMs: 300, error: 'ETIMEDOUT' };
    const t = tallyCounts([view(0, 11), failed, view(400, 13)], { before: 10, after: 13 });
    expect(t).toMatchObject({ failedPages: 1, doubled: 0, lost: 0 });
  });

  it('measures the longest stretch without a count shown', () => {
    const t = tallyCounts([view(0, 11), view(10), view(500), view(1000, 12)], { before: 10, after: 12 });
    expect(t.countBlackoutMs).toBe(1000);
  });
});
