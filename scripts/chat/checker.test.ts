import { describe, expect, it } from 'vitest';
import { chatTally, checkChat, percentile, type ClientRecord, type RoomLogEntry } from './checker.js';

const client = (name: string, o: Partial<ClientRecord> = {}): ClientRecord => ({
  name,
  room: 'r',
  startedAfter: 0,
  sends: [],
  shown: [],
  reconnects: 0,
  outages: [],
  duplicateFrames: 0,
  gaps: 0,
  ...o,
});
const log = (...sids: string[]): Map<string, RoomLogEntry[]> => new Map([['r', sids.map((sid, i) => ({ seq: i + 1, sid }))]]);

describe('checkChat', () => {
  it('counts a clean exchange as sent, acknowledged and delivered, with latencies from send to show', () => {
    const a = client('a', {
      sends: [{ sid: 's1', at: 100, seq: 1 }],
      shown: [
        { seq: 1, sid: 's1', at: 101 },
        { seq: 2, sid: 's2', at: 230 },
      ],
    });
    const b = client('b', {
      sends: [{ sid: 's2', at: 200, seq: 2 }],
      shown: [
        { seq: 1, sid: 's1', at: 110 },
        { seq: 2, sid: 's2', at: 202 },
      ],
    });
    const cost = checkChat([a, b], log('s1', 's2'));
    expect(cost.totals).toEqual({ sent: 2, acknowledged: 2, delivered: 2, lost: 0, duplicated: 0, reordered: 0 });
    expect(cost.latencyMs).toEqual({ p50: 10, p99: 30, max: 30, samples: 2 });
    expect(chatTally(cost)).toEqual({ acknowledged: 2, failed: 0, unknown: 0, lost: 0, doubled: 0, reordered: 0 });
  });

  it('finds an acknowledged send missing from the log, and a message a client was never shown', () => {
    const a = client('a', {
      sends: [
        { sid: 's1', at: 1, seq: 1 },
        { sid: 'gone', at: 2, seq: 2 },
      ],
      shown: [{ seq: 1, sid: 's1', at: 3 }],
    });
    const b = client('b', { shown: [] });
    const cost = checkChat([a, b], log('s1'));
    expect(cost.totals.lost).toBe(2); // 'gone' not stored; b never shown seq 1
    expect(cost.rooms[0]!.problems.join('\n')).toMatch(/gone.*not in the log[\s\S]*b: seq 1/);
  });

  it('counts a send stored twice and a message shown twice as duplicated', () => {
    const a = client('a', {
      sends: [{ sid: 's1', at: 1, seq: 1 }],
      shown: [
        { seq: 1, sid: 's1', at: 2 },
        { seq: 1, sid: 's1', at: 3 },
        { seq: 2, sid: 's1', at: 4 },
      ],
    });
    const cost = checkChat([a], log('s1', 's1'));
    expect(cost.totals.duplicated).toBe(2);
  });

  it('counts seqs shown out of order, and a sender whose later message was stored first, as reordered', () => {
    const a = client('a', {
      sends: [
        { sid: 'x', at: 1, seq: 2 },
        { sid: 'y', at: 2, seq: 1 },
      ],
      shown: [
        { seq: 2, sid: 'x', at: 3 },
        { seq: 1, sid: 'y', at: 4 },
      ],
    });
    const cost = checkChat([a], log('y', 'x'));
    expect(cost.totals.reordered).toBe(2);
  });

  it('expects of a client only what was stored after it joined, and times its outages', () => {
    const late = client('late', {
      startedAfter: 1,
      shown: [{ seq: 2, sid: 's2', at: 9 }],
      reconnects: 1,
      outages: [{ lostAt: 100, liveAt: 350 }],
    });
    const never = client('never', { startedAfter: 2, outages: [{ lostAt: 5 }] });
    const cost = checkChat([late, never], log('s1', 's2'));
    expect(cost.totals.lost).toBe(0);
    expect(cost.reconnects).toBe(1);
    expect(cost.resumeMs.clients).toBe(2);
    expect(cost.resumeMs.max).toBe(Number.POSITIVE_INFINITY);
  });

  it('reports sends still unsettled and sends given up on', () => {
    const a = client('a', {
      sends: [
        { sid: 'p', at: 1 },
        { sid: 'f', at: 2, failed: 'invalid' },
      ],
    });
    const cost = checkChat([a], log());
    expect([cost.unsettled, cost.failedSends]).toEqual([1, 1]);
  });

  it('takes percentiles as the nearest rank', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBe(0);
  });
});
