import { describe, expect, it } from 'vitest';
import { describeDetail } from './describe.js';

describe('describeDetail (hakit status and the dashboard page alike)', () => {
  it("names a data node's Sentinel belief, the Sentinels it knows, a replica's lag and the count", () => {
    expect(describeDetail({ sentinel: 'redis1', sentinelsKnown: 3, visitsToday: 41 })).toBe('sentinel: redis1 (knows 3) · visits today 41');
    expect(describeDetail({ sentinel: 'redis1', sentinelsKnown: 3, lagBytes: 0 })).toBe('sentinel: redis1 (knows 3) · lag 0 B');
  });

  it('says nothing for a node without details', () => {
    expect(describeDetail(undefined)).toBe('');
    expect(describeDetail({})).toBe('');
  });
});
