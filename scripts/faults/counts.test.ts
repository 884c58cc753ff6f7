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
