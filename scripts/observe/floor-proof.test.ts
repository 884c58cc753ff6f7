import { describe, expect, it } from 'vitest';
import { cpuTicks, formatFloorRun, stealPct, verdict, type FloorRun } from './floor-proof.js';

const run = (longestGapMs: number, failed = 0) => ({ longestGapMs, failed });

describe('verdict', () => {
  it('passes only when every run stays within the bound, the bound included', () => {
    expect(verdict([run(20), run(30), run(25)], 30)).toEqual({ passed: 3, ok: true });
    expect(verdict([run(20), run(31), run(25), run(12), run(29)], 30)).toEqual({ passed: 4, ok: false });
  });

  it('fails a run with a failed request whatever its gap, and an empty proof', () => {
    expect(verdict([run(12, 1)], 30)).toEqual({ passed: 0, ok: false });
    expect(verdict([], 30)).toEqual({ passed: 0, ok: false });
  });
});

describe('formatFloorRun', () => {
  it('names the gap, what ended it and the load', () => {
    const r: FloorRun = {
      run: 2,
      longestGapMs: 27,
      requests: 6000,
      failed: 0,
      durationMs: 60_002,
      worstGap: { startLateMs: 0.4, latencyMs: 14.2 },
      maxStartLateMs: 3.1,
      p99LatencyMs: 4.5,
      load1: 1.234,
      ok: true,
    };
    expect(formatFloorRun(r, 5)).toBe(
      'run 2/5: longest gap 27 ms (that request started 0.4 ms late, took 14.2 ms); 6000 requests; p99 4.5 ms; latest start 3.1 ms; load 1.23 ✓',
    );
    expect(formatFloorRun({ ...r, stealPct: 28.5, ok: false }, 5)).toMatch(/load 1\.23, CPU steal 28\.5 % ✗$/);
  });
});

describe('CPU steal from /proc/stat', () => {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const at = (steal: number, idle: number) => `cpu  1000 10 300 ${idle} 5 0 20 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n`;

  it('reads the aggregate line, guest time not counted twice', () => {
    expect(cpuTicks(at(100, 5000))).toEqual({ total: 1000 + 10 + 300 + 5000 + 5 + 0 + 20 + 100, steal: 100 });
    expect(cpuTicks('intr 1 2 3\n')).toBeUndefined();
  });

  it('is the share of the ticks between two readings', () => {
    // 2000 ticks pass, 570 of them stolen.
    expect(stealPct(cpuTicks(at(100, 5000)), cpuTicks(at(670, 6430)))).toBe(28.5);
    expect(stealPct(undefined, cpuTicks(at(1, 1)))).toBeUndefined();
  });
});
