// `hakit probe-floor`: the proof that the probe is quiet enough to measure a 0.1 s failover. On a
// settled stack with no fault, `runs` runs of `seconds` each at the probe's cadence; each run's
// longest gap between successes must stay within `maxGapMs`. The machine's load average goes with
// every run: on a shared machine a failed run says as much about the neighbours as about the kit.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startEvidence } from './evidence.js';
import { measureFloor, type ProbeFloor } from './floor.js';
import { probeThreadScheduling } from './probe-thread.js';
import type { ThreadScheduling } from './probe-worker.js';
import { waitSettled, type Settled } from './settle.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls } from '../stack/topology.js';

export interface FloorProofOptions {
  seconds: number;
  runs: number;
  intervalMs: number;
  maxGapMs: number;
  /** Run the demo's evidence poller alongside, as in a tour's measuring window. */
  evidence: boolean;
  write: (line: string) => void;
  signal?: AbortSignal;
}

export interface FloorRun extends ProbeFloor {
  run: number;
  /** The machine's 1-minute load average at the end of the run. */
  load1: number;
  /** Share of CPU time the hypervisor took from this VM during the run, % (Linux; absent elsewhere). */
  stealPct?: number;
  ok: boolean;
}

export interface FloorProof {
  url: string;
  intervalMs: number;
  seconds: number;
  maxGapMs: number;
  evidence: boolean;
  scheduling: ThreadScheduling;
  settled: Settled;
  runs: FloorRun[];
  /** Runs within maxGapMs, of all runs. */
  passed: number;
  ok: boolean;
}

/** The aggregate `cpu` line of /proc/stat: total ticks and steal ticks (the 8th value). */
export function cpuTicks(procStat: string): { total: number; steal: number } | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  const v = line?.trim().split(/\s+/).slice(1).map(Number);
  if (!v || v.length < 8 || v.some((x) => !Number.isFinite(x))) return undefined;
  // guest and guest_nice (9th, 10th) are already counted in user and nice.
  return { total: v.slice(0, 8).reduce((a, b) => a + b, 0), steal: v[7]! };
}

/** Steal between two readings, % of all CPU time (undefined without both). */
export function stealPct(a: ReturnType<typeof cpuTicks>, b: ReturnType<typeof cpuTicks>): number | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  return Math.round(((b.steal - a.steal) / (b.total - a.total)) * 1000) / 10;
}

const readCpuTicks = () => {
  try {
    return cpuTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
};

/** Passed when every run stayed within the bound (5 of 5, not a majority). */
export function verdict(runs: Array<Pick<ProbeFloor, 'longestGapMs' | 'failed'>>, maxGapMs: number): { passed: number; ok: boolean } {
  const passed = runs.filter((r) => r.failed === 0 && r.longestGapMs <= maxGapMs).length;
  return { passed, ok: runs.length > 0 && passed === runs.length };
}

export function formatFloorRun(r: FloorRun, of: number): string {
  const failed = r.failed ? `, ${r.failed} failed` : '';
  const why = r.worstGap ? ` (that request started ${r.worstGap.startLateMs} ms late, took ${r.worstGap.latencyMs} ms)` : '';
  return `run ${r.run}/${of}: longest gap ${r.longestGapMs} ms${why}; ${r.requests} requests${failed}; p99 ${r.p99LatencyMs ?? '–'} ms; latest start ${r.maxStartLateMs ?? '–'} ms; load ${r.load1.toFixed(2)}${r.stealPct === undefined ? '' : `, CPU steal ${r.stealPct} %`} ${r.ok ? '✓' : '✗'}`;
}

export async function proveFloor(rt: Runtime, o: FloorProofOptions): Promise<FloorProof> {
  const url = urls(rt.topology).probe;
  const scheduling = await probeThreadScheduling();
  o.write(`probe thread: ${scheduling} scheduling; waiting for a settled stack …`);
  const settled = await waitSettled(rt, { intervalMs: o.intervalMs });
  o.write(`settled in ${(settled.tookMs / 1000).toFixed(1)} s (${settled.requests} requests); ${o.runs} runs of ${o.seconds} s, no fault`);
  const runs: FloorRun[] = [];
  for (let run = 1; run <= o.runs && !o.signal?.aborted; run++) {
    const evidence = o.evidence ? startEvidence(rt, 75) : undefined;
    const before = readCpuTicks();
    const floor = await measureFloor(url, rt.topology, o.seconds * 1000, o.intervalMs, o.signal).finally(() => evidence?.stop(Date.now()));
    const steal = stealPct(before, readCpuTicks());
    const r: FloorRun = {
      run,
      ...floor,
      load1: loadavg()[0]!,
      ...(steal === undefined ? {} : { stealPct: steal }),
      ok: verdict([floor], o.maxGapMs).ok,
    };
    runs.push(r);
    o.write(formatFloorRun(r, o.runs));
  }
  return {
    url,
    intervalMs: o.intervalMs,
    seconds: o.seconds,
    maxGapMs: o.maxGapMs,
    evidence: o.evidence,
    scheduling,
    settled,
    runs,
    ...verdict(runs, o.maxGapMs),
  };
}
