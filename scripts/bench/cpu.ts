// HAProxy's own CPU time per 1,000 requests: utime + stime of the LB's HAProxy processes (the one
// in haproxy.pid and its descendants: master-worker forks workers) read from /proc before and
// after a load point. Throughput through the VIP mixes HAProxy's cost with contention for the
// cores (load generator, backends, HAProxy share 2); this figure is HAProxy's alone.
import type { Runtime } from '../runtime/runtime.js';
import { shMaybe } from '../sh.js';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Lines of /proc/PID/stat; the command name may hold spaces and parentheses, so fields are read after the last ')'. */
export function parseProcStats(text: string): ProcStat[] {
  const out: ProcStat[] = [];
  for (const line of text.split('\n')) {
    const close = line.lastIndexOf(')');
    const pid = Number(line.slice(0, line.indexOf(' (')));
    if (close < 0 || !Number.isInteger(pid) || pid <= 0) continue;
    // After ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
    const f = line.slice(close + 2).split(' ');
    const [ppid, utime, stime] = [Number(f[1]), Number(f[11]), Number(f[12])];
    if (![ppid, utime, stime].every(Number.isFinite)) continue;
    out.push({ pid, ppid, ticks: utime + stime });
  }
  return out;
}

/** CPU ticks of a process and all its descendants (undefined when the root is not among them). */
export function treeTicks(stats: readonly ProcStat[], root: number): number | undefined {
  if (!stats.some((s) => s.pid === root)) return undefined;
  const inTree = new Set([root]);
  // Parents may be listed after their children: repeat until nothing joins.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats)
      if (!inTree.has(s.pid) && inTree.has(s.ppid)) {
        inTree.add(s.pid);
        grew = true;
      }
  }
  return stats.filter((s) => inTree.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0);
}

/** CPU milliseconds per 1,000 requests from a tick difference; undefined without requests or with a negative difference (a restarted process). */
export function cpuMsPer1000(ticks: number, clockTicksPerSecond: number, requests: number): number | undefined {
  if (requests <= 0 || ticks < 0 || clockTicksPerSecond <= 0) return undefined;
  return Math.round(((ticks * 1000) / clockTicksPerSecond / requests) * 1000 * 100) / 100;
}

let clkTck: number | undefined;
/** The kernel's USER_HZ (getconf CLK_TCK; 100 on every common Linux build). */
export async function clockTicksPerSecond(): Promise<number> {
  if (clkTck === undefined) {
    const n = Number((await shMaybe`getconf CLK_TCK`).stdout.trim());
    clkTck = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clkTck;
}

/** The LB's HAProxy CPU ticks so far, read inside the node (its PID namespace on Docker), or undefined. */
export async function haproxyTicks(rt: Runtime, lb: string): Promise<number | undefined> {
  const r = await rt.exec(lb, ['sh', '-c', 'cat /run/hakit/haproxy.pid && cat /proc/[0-9]*/stat 2>/dev/null']);
  const [first, ...rest] = r.stdout.split('\n');
  const root = Number(first?.trim());
  if (!Number.isInteger(root) || root <= 0) return undefined;
  return treeTicks(parseProcStats(rest.join('\n')), root);
}
