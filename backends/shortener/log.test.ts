import { describe, expect, it } from 'vitest';
import { highest, nextRun } from './log.js';

const seqs = (xs: Array<{ seq: number }>) => xs.map((x) => x.seq);
const items = (...s: number[]) => s.map((seq) => ({ seq }));

describe('nextRun', () => {
  it('takes the events after the position in sequence order', () => {
    const r = nextRun(items(7, 5, 6), 4);
    expect(seqs(r.run)).toEqual([5, 6, 7]);
    expect(r.gap).toBe(false);
  });

  it('skips what is at or below the position and what came twice', () => {
    const r = nextRun(items(3, 4, 5, 5, 6), 4);
    expect(seqs(r.run)).toEqual([5, 6]);
    expect(r.gap).toBe(false);
  });

  it('stops at the first missing sequence, so the position never jumps over it', () => {
    // a redelivered 5 behind newer 7 and 8: 6 is missing
    const r = nextRun(items(7, 8, 5), 4);
    expect(seqs(r.run)).toEqual([5]);
    expect(r.gap).toBe(true);
  });

  it('applies nothing when the first event is past position + 1', () => {
    const r = nextRun(items(9, 10), 4);
    expect(r.run).toEqual([]);
    expect(r.gap).toBe(true);
  });
});

describe('highest', () => {
  it('is the message with the largest sequence, wherever it is in the batch', () => {
    expect(highest(items(5, 9, 7)).seq).toBe(9);
  });
});
