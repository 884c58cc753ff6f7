// `hakit probe-floor`: the proof that the probe is quiet enough to measure a 0.1 s failover. On a
// settled stack with no fault, `runs` runs of `seconds` each at the probe's cadence; each run's
// longest gap between successes must stay within `maxGapMs`. The machine's load average goes with
// every run: on a shared machine a failed run says as much about the neighbours as about the kit.
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

/** Passed when every run stayed within the bound (5 of 5, not a majority). */
export function verdict(runs: Array<Pick<ProbeFloor, 'longestGapMs' | 'failed'>>, maxGapMs: number): { passed: number; ok: boolean } {
  const passed = runs.filter((r) => r.failed === 0 && r.longestGapMs <= maxGapMs).length;
  return { passed, ok: runs.length > 0 && passed === runs.length };
}

export function formatFloorRun(r: FloorRun, of: number): string {
  const failed = r.failed ? `, ${r.failed} failed` : '';
  const why = r.worstGap ? ` (that request started ${r.worstGap.startLateMs} ms late, took ${r.worstGap.latencyMs} ms)` : '';
  return `run ${r.run}/${of}: longest gap ${r.longestGapMs} ms${why}; ${r.requests} requests${failed}; p99 ${r.p99LatencyMs ?? '–'} ms; latest start ${r.maxStartLateMs ?? '–'} ms; load ${r.load1.toFixed(2)} ${r.ok ? '✓' : '✗'}`;
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
    const floor = await measureFloor(url, rt.topology, o.seconds * 1000, o.intervalMs, o.signal).finally(() => evidence?.stop(Date.now()));
    const r: FloorRun = { run, ...floor, load1: loadavg()[0]!, ok: verdict([floor], o.maxGapMs).ok };
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
