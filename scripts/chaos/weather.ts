// The chaos soak's second workload on a stack with the weather feature: the tour's weather reads
// and writes through the VIP every 10 ms (demo/weather-window.ts, faults/weather-ops.ts) for the
// whole run, beside the web probe. Each cluster or weather-source fault's cycle is judged on it:
// no read or write fails (a write is retried within its request), and at the end no acknowledged
// write is missing from the cluster. docs/architecture.md#failure-modes-of-the-cluster.
import { faultByKind } from '../faults/catalogue.js';
import { tallyWeather, type PlannedStep, type WeatherTally } from '../faults/weather-ops.js';
import { openWeatherWindow, type WeatherWindow } from '../demo/weather-window.js';
import { runProbe, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls } from '../stack/topology.js';
import type { InjectedFault, Violation } from './invariants.js';

/** The weather workload runs when the stack has the cluster and the weather source. */
export const hasWeather = (rt: Runtime): boolean =>
  rt.topology.nodes.some((n) => n.role === 'cluster') && rt.topology.nodes.some((n) => n.role === 'weather');

/** The faults judged on the weather workload: the catalogue's cluster and weather-source entries. */
export const isWeatherFault = (f: InjectedFault): boolean => faultByKind(f.kind).groups.some((g) => g === 'cluster' || g === 'weather');

export interface RunningWeather {
  readonly records: ProbeRecord[];
  stop(): Promise<ProbeRecord[]>;
  /** What the cluster holds under each acknowledged write's key now (null: missing). */
  stored(records: ProbeRecord[]): Promise<Map<string, string | null>>;
  plan: PlannedStep[];
}

/** Every 10 ms, bounded by maxDurationMs; the plan repeats (a write repeated writes the same value). */
export async function startWeather(rt: Runtime, maxDurationMs: number): Promise<RunningWeather> {
  const w: WeatherWindow = await openWeatherWindow(rt, { misses: false, steps: 20_000 });
  const records: ProbeRecord[] = [];
  const stop = new AbortController();
  // The probe's timeout outlasts a write's retries within its request (as in the tour).
  const done = runProbe({
    url: urls(rt.topology).vip,
    topology: rt.topology,
    plan: w.plan,
    intervalMs: 10,
    timeoutMs: 6000,
    maxDurationMs,
    signal: stop.signal,
    onRecord: (r) => records.push(r),
  });
  return {
    records,
    plan: w.plan,
    stop: () => {
      stop.abort();
      return done;
    },
    stored: (rs) => w.storedFor(rs),
  };
}

export interface WeatherJudged {
  /** The whole run's reads and writes. */
  tally: WeatherTally;
  violations: Violation[];
}

/**
 * Pure: within each cluster or weather-source fault's cycle (its start to the next fault) no
 * weather read or write failed or timed out; over the whole run no acknowledged write is missing.
 */
export function judgeWeather(input: {
  startMs: number;
  endMs: number;
  records: ProbeRecord[];
  plan: PlannedStep[];
  faults: InjectedFault[];
  stored: Map<string, string | null>;
}): WeatherJudged {
  const rel = (t: number) => Math.round(t - input.startMs);
  const tallyOf = (records: ProbeRecord[], startMs: number, endMs: number) =>
    tallyWeather({ records, plan: input.plan, window: { startMs, endMs }, faultAtMs: startMs, shards: [], stored: input.stored });
  const violations: Violation[] = [];
  for (const f of input.faults.filter(isWeatherFault)) {
    const t = tallyOf(
      input.records.filter((r) => r.atMs >= f.atMs && r.atMs < f.endMs),
      f.atMs,
      f.endMs,
    );
    const reads = t.reads.failed + t.reads.unknown;
    const writes = t.writes.failed + t.writes.unknown;
    if (reads + writes > 0)
      violations.push({
        atMs: rel(f.atMs),
        invariant: 'no-failed-operation',
        detail: `${faultByKind(f.kind).id} ${f.kind} ${f.target}: ${reads} of ${t.reads.total} weather reads and ${writes} of ${t.writes.total} writes failed (${Object.entries(
          t.failures,
        )
          .map(([k, n]) => `${k}×${n}`)
          .join(', ')})`,
      });
  }
  const tally = tallyOf(input.records, input.startMs, input.endMs);
  if (tally.writes.lost > 0)
    violations.push({
      atMs: rel(input.endMs),
      invariant: 'no-lost-write',
      detail: `${tally.writes.lost} of ${tally.writes.ok} acknowledged weather writes are missing from the cluster or hold another value`,
    });
  return { tally, violations };
}
