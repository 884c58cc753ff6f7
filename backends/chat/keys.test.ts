import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import {
  blockOf,
  blockSize,
  blockSlot,
  blockStride,
  chatKeys,
  firstSeqOf,
  lastSeqOf,
  slotCount,
  slotTag,
  spreadDeviation,
} from './keys.js';

/** Which of `n` equal contiguous slot ranges (a fresh cluster's primaries) holds `slot`. */
const rangeOf = (slot: number, n: number) => Math.min(n - 1, Math.floor((slot * n) / slotCount));

describe('the chat shard key', () => {
  it('numbers blocks of blockSize consecutive seqs', () => {
    expect(blockSize).toBe(100);
    expect([blockOf(1), blockOf(100), blockOf(101), blockOf(20_000)]).toEqual([0, 0, 1, 199]);
    expect([firstSeqOf(1), lastSeqOf(1)]).toEqual([101, 200]);
  });

  it('has a hash tag for every slot, and a block key lands on the slot its block is placed on', () => {
    for (let s = 0; s < slotCount; s++) expect(calculateSlot(slotTag(s))).toBe(s);
    for (const room of ['lobby', 'r17', 'x']) {
      for (let b = 0; b < 50; b++) expect(calculateSlot(chatKeys.block(room, b))).toBe(blockSlot(room, b));
    }
    expect(() => slotTag(slotCount)).toThrow(RangeError);
  });

  it('keeps all of a room but its blocks on the room slot, and its block 0 there too', () => {
    const slot = calculateSlot('lobby');
    for (const k of [chatKeys.head('lobby'), chatKeys.users('lobby'), chatKeys.channel('lobby')]) expect(calculateSlot(k)).toBe(slot);
    expect(blockSlot('lobby', 0)).toBe(slot);
  });

  it('visits every slot before it repeats (the stride is odd, so coprime with 16384)', () => {
    expect(blockStride % 2).toBe(1);
    expect(new Set(Array.from({ length: slotCount }, (_, b) => blockSlot('lobby', b))).size).toBe(slotCount);
  });

  // The target: 20,000 messages of one user in blocks of 100 over every primary within ±25 %.
  // Golden-ratio steps do far better than that on any number of equal primaries, in any room.
  it('spreads 200 blocks of a room within ±5 % over 3, 4 and 5 equal primaries, whatever the room', () => {
    for (const primaries of [3, 4, 5]) {
      for (const room of ['lobby', 'gaga', 'room-42', 'z']) {
        const counts = new Array<number>(primaries).fill(0);
        for (let b = 0; b < 200; b++) counts[rangeOf(blockSlot(room, b), primaries)]!++;
        expect(spreadDeviation(counts), `${room} over ${primaries}`).toBeLessThanOrEqual(0.05);
      }
    }
  });

  it('measures a spread as the largest deviation from an equal share', () => {
    expect(spreadDeviation([100, 100, 100])).toBe(0);
    expect(spreadDeviation([125, 100, 75])).toBeCloseTo(0.25);
    expect(spreadDeviation([])).toBe(0);
  });
});
