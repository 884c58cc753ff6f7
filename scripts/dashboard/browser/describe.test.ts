import { describe, expect, it } from 'vitest';
import { describeDetail } from './describe.js';

describe('describeDetail (hakit status and the dashboard page alike)', () => {
  it("names a data node's Sentinel belief, the Sentinels it knows, a replica's lag and the count", () => {
    expect(describeDetail({ sentinel: 'redis1', sentinelsKnown: 3, visitsToday: 41 })).toBe('sentinel: redis1 (knows 3) · visits today 41');
    expect(describeDetail({ sentinel: 'redis1', sentinelsKnown: 3, lagBytes: 0 })).toBe('sentinel: redis1 (knows 3) · lag 0 B');
  });

  it("names a backend's part in the shortener, its position, pending clicks and the master's Postgres totals", () => {
    expect(describeDetail({ shortener: 'master', position: 42, pending: 3, linksInPostgres: 40, clicksInPostgres: 1200 })).toBe(
      'master · position 42 · 3 clicks pending · Postgres: 40 links, 1200 clicks',
    );
    expect(describeDetail({ shortener: 'replica', position: 40, behind: 2, pending: 0 })).toBe(
      'replica · position 40 (2 behind) · 0 clicks pending',
    );
    expect(describeDetail({ leader: 'nats2', messages: 57 })).toBe('leader: nats2 · 57 messages');
    expect(describeDetail({ position: 42, links: 40 })).toBe('position 42 · 40 links');
  });

  it('says nothing for a node without details', () => {
    expect(describeDetail(undefined)).toBe('');
    expect(describeDetail({})).toBe('');
  });
});
