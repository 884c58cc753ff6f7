import { describe, expect, it } from 'vitest';
import { killOverlap, sampleHolders } from './vip-overlap.js';

/** Samples every `every` ms from t=0: holders[i] at i × every. */
const timeline = (every: number, holders: string[][]) => holders.map((h, i) => ({ atMs: i * every, holders: h }));

describe('killOverlap', () => {
  it('counts the time both held the VIP after the kill, and when each side changed', () => {
    const s = timeline(50, [['lb1'], ['lb1'], ['lb1'], ['lb1', 'lb2'], ['lb1', 'lb2'], ['lb2'], ['lb2']]);
    // killed at 100 ms: lb2 appears at 150, lb1 is gone at 250
    expect(killOverlap(s, 'lb1', 100)).toEqual({ overlapMs: 100, killedDroppedMs: 150, takenOverMs: 50, sampleEveryMs: 50 });
  });

  it('ignores a split brain before the kill, and says null when the killed node kept the VIP', () => {
    const s = timeline(40, [['lb1', 'lb2'], ['lb1'], ['lb1'], ['lb1', 'lb2'], ['lb1', 'lb2']]);
    const r = killOverlap(s, 'lb1', 40);
    expect(r.overlapMs).toBe(40);
    expect(r.killedDroppedMs).toBeNull();
    expect(r.takenOverMs).toBe(80);
  });

  it('no overlap when the killed node drops the VIP before the peer takes it', () => {
    const s = timeline(50, [['lb2'], [], [], ['lb1'], ['lb1']]);
    expect(killOverlap(s, 'lb2', 0)).toMatchObject({ overlapMs: 0, killedDroppedMs: 50, takenOverMs: 150 });
  });
});

describe('sampleHolders', () => {
  it('samples until the bound, spaced as asked', async () => {
    let calls = 0;
    const samples = await sampleHolders(async () => (calls++ % 2 ? ['lb1'] : []), { everyMs: 20, maxMs: 200 });
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(samples.length).toBeLessThanOrEqual(11);
    expect(samples.map((s) => s.holders.length)).toContain(1);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.atMs - samples[i - 1]!.atMs).toBeGreaterThanOrEqual(15);
  });

  it('stops when aborted', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 60);
    const started = Date.now();
    await sampleHolders(async () => [], { everyMs: 10, maxMs: 5000, signal: stop.signal });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
