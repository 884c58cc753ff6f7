// The probe's floor: the longest gap between successes it sees with no fault at all. Whatever a
// blackout measures, it measures on top of this, so the demo measures it first and prints it, and
// `hakit probe-floor` measures it at length (docs/architecture.md#the-probe-and-its-floor).
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
  /**
   * Where the longest gap came from, by the request that ended it: a late start is the probe's
   * own (its thread waited for a CPU, or its timer fired late), a long latency the stack's.
   */
  worstGap?: { startLateMs: number; latencyMs: number };
  /** The latest any request started after its slot on the cadence, ms (timer drift, a stalled thread). */
  maxStartLateMs?: number;
  /** 99th percentile of the successes' latency, ms. */
  p99LatencyMs?: number;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The floor of a run's records (in start order): from the first request's start to the last
 * completion. With the cadence (intervalMs), also where the longest gap came from.
 */
export function floorOf(records: ProbeRecord[], intervalMs?: number): ProbeFloor {
  if (records.length === 0) return { longestGapMs: 0, requests: 0, failed: 0, durationMs: 0 };
  // A reduce, not Math.min(...): a long run has more records than a call has room for arguments.
  const startMs = records.reduce((m, r) => Math.min(m, r.atMs), Infinity);
  const endMs = records.reduce((m, r) => Math.max(m, completedAt(r)), -Infinity);
  const gap = longestBlackout(records, { startMs, endMs });
  const floor: ProbeFloor = {
    longestGapMs: Math.round(gap.toMs - gap.fromMs),
    requests: records.length,
    failed: records.filter((r) => !isSuccess(r)).length,
    durationMs: Math.round(endMs - startMs),
  };
  if (intervalMs === undefined) return floor;
  // Record i was due at the first one's start + i × interval (the loop schedules by absolute time).
  const lateness = records.map((r, i) => Math.max(0, r.atMs - (records[0]!.atMs + i * intervalMs)));
  const latencies = records
    .filter(isSuccess)
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const ender = records.findIndex((r) => isSuccess(r) && completedAt(r) === gap.toMs);
  return {
    ...floor,
    ...(ender >= 0 ? { worstGap: { startLateMs: round1(lateness[ender]!), latencyMs: round1(records[ender]!.latencyMs) } } : {}),
    maxStartLateMs: round1(lateness.reduce((m, x) => Math.max(m, x), 0)),
    ...(latencies.length ? { p99LatencyMs: round1(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!) } : {}),
  };
}

/** Probes `url` for `ms` at the given cadence (the demo's 10 ms by default) and returns its floor. */
export async function measureFloor(
  url: string,
  topology: Topology | undefined,
  ms: number,
  intervalMs = 10,
  signal?: AbortSignal,
): Promise<ProbeFloor> {
  return floorOf(await runProbe({ url, topology, intervalMs, timeoutMs: 2000, maxDurationMs: ms, signal }), intervalMs);
}

/** The floor in a line, the way the demo prints it before its first scenario. */
export function formatFloor(f: ProbeFloor): string {
  const failed = f.failed ? ` (${f.failed} of ${f.requests} requests failed)` : '';
  const why = f.worstGap
    ? `; it ended with a request that started ${f.worstGap.startLateMs} ms late and took ${f.worstGap.latencyMs} ms`
    : '';
  return `probe floor: longest gap between successes ${f.longestGapMs} ms over ${(f.durationMs / 1000).toFixed(0)} s with no fault${failed}${why}`;
}
