// The probe's floor: the longest gap between successes it sees with no fault at all. Whatever a
// blackout measures, it measures on top of this, so the demo measures it first and prints it.
import { completedAt, longestBlackout } from './analysis.js';
import { isSuccess, runProbe, type ProbeRecord } from './probe.js';
import type { Topology } from '../stack/topology.js';

export interface ProbeFloor {
  /** Longest gap between successful completions, ms (the whole span when nothing succeeded). */
  longestGapMs: number;
  requests: number;
  failed: number;
  /** How long the probe ran, ms. */
  durationMs: number;
}

/** The floor of a run's records: from the first request's start to the last completion. */
export function floorOf(records: ProbeRecord[]): ProbeFloor {
  if (records.length === 0) return { longestGapMs: 0, requests: 0, failed: 0, durationMs: 0 };
  // A reduce, not Math.min(...): a long run has more records than a call has room for arguments.
  const startMs = records.reduce((m, r) => Math.min(m, r.atMs), Infinity);
  const endMs = records.reduce((m, r) => Math.max(m, completedAt(r)), -Infinity);
  const gap = longestBlackout(records, { startMs, endMs });
  return {
    longestGapMs: Math.round(gap.toMs - gap.fromMs),
    requests: records.length,
    failed: records.filter((r) => !isSuccess(r)).length,
    durationMs: Math.round(endMs - startMs),
  };
}

/** Probes `url` for `ms` at the given cadence (the demo's 10 ms by default) and returns its floor. */
export async function measureFloor(url: string, topology: Topology | undefined, ms: number, intervalMs = 10): Promise<ProbeFloor> {
  return floorOf(await runProbe({ url, topology, intervalMs, timeoutMs: 2000, maxDurationMs: ms }));
}

/** The floor in a line, the way the demo prints it before its first scenario. */
export function formatFloor(f: ProbeFloor): string {
  const failed = f.failed ? ` (${f.failed} of ${f.requests} requests failed)` : '';
  return `probe floor: longest gap between successes ${f.longestGapMs} ms over ${(f.durationMs / 1000).toFixed(0)} s with no fault${failed}`;
}
