import { describe, expect, it } from 'vitest';
import { cpuMsPer1000, parseProcStats, treeTicks } from './cpu.js';

// /proc/PID/stat lines: pid (comm) state ppid … utime(14) stime(15) …
const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 100 1000 50`;

describe('HAProxy CPU from /proc', () => {
  it('reads ppid and utime + stime, also when the command name holds spaces and parentheses', () => {
    const text = [stat(10, 'haproxy', 1, 30, 12), stat(11, 'a (weird) name', 10, 5, 1), 'garbage', ''].join('\n');
    expect(parseProcStats(text)).toEqual([
      { pid: 10, ppid: 1, ticks: 42 },
      { pid: 11, ppid: 10, ticks: 6 },
    ]);
  });

  it('sums a master and its workers, even listed before it, and nothing else', () => {
    const stats = parseProcStats(
      [
        stat(21, 'haproxy', 20, 100, 50),
        stat(22, 'haproxy', 21, 7, 3),
        stat(20, 'haproxy', 1, 2, 1),
        stat(30, 'keepalived', 1, 900, 900),
      ].join('\n'),
    );
    expect(treeTicks(stats, 20)).toBe(163);
    expect(treeTicks(stats, 21)).toBe(160);
    expect(treeTicks(stats, 99)).toBeUndefined();
  });

  it('turns a tick difference into CPU ms per 1,000 requests', () => {
    // 25 ticks at 100 Hz = 250 ms over 5,000 requests = 50 ms per 1,000.
    expect(cpuMsPer1000(25, 100, 5000)).toBe(50);
    expect(cpuMsPer1000(1, 100, 3000)).toBeCloseTo(3.33, 2);
    expect(cpuMsPer1000(10, 100, 0)).toBeUndefined();
    expect(cpuMsPer1000(-3, 100, 1000)).toBeUndefined();
  });
});
