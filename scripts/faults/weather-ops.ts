// The weather workload: the tour's C-scenarios send a request every 10 ms through the VIP,
// alternating a read of a cached city and a write of a new observation (each write its own city
// and day, so every acknowledged one can be looked up afterwards), and optionally reads of
// cities never cached (C4: the source's death must show as a 503). What a fault cost it is
// counted per operation, as Jepsen checks a register: a write answered 200 was acknowledged (a
// replica held it), and must be in the cluster afterwards with the value written.
// docs/architecture.md#failure-modes-of-the-cluster.
import { longestBlackout, type Window } from '../observe/analysis.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';
import type { ProbeStep } from '../observe/probe-worker.js';
import { weatherKeys } from '../../backends/weather/keys.js';
import { emptyTally, type OperationTally } from './cost.js';
import { shardOfKey, type Shard } from '../groups/cluster/admin.js';

export type WeatherOp = 'read' | 'write' | 'miss';

export interface PlannedStep extends ProbeStep {
  op: WeatherOp;
  city: string;
  date: string;
  /** The cluster key the step reads or writes. */
  key: string;
  /** A write's body as sent, for the check afterwards. */
  observation?: { temperature: { min: number; max: number }; conditions: string };
}

const dayBefore = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

export interface PlanInput {
  /** Cities cached before the window (their reads should be HITs). */
  readCities: string[];
  /** Cities the writes cycle through; each write goes to one of them on a day of its own. */
  writeCities: string[];
  /** Cities never cached (C4): every tenth read asks for one of them, on `missDate`. */
  missCities?: string[];
  missDate?: string;
  today: string;
  steps: number;
}

const path = (city: string, date: string) => `/api/weather/${encodeURIComponent(city)}?date=${date}`;

/** The window's requests, in order: read, write, read, write, … */
export function weatherPlan(p: PlanInput): PlannedStep[] {
  const out: PlannedStep[] = [];
  let reads = 0;
  let writes = 0;
  for (let i = 0; i < p.steps; i++) {
    if (i % 2 === 0) {
      const miss = p.missCities?.length && reads % 10 === 9;
      const city = miss ? p.missCities![Math.floor(reads / 10) % p.missCities!.length]! : p.readCities[reads % p.readCities.length]!;
      const date = miss ? (p.missDate ?? p.today) : p.today;
      out.push({ method: 'GET', path: path(city, date), op: miss ? 'miss' : 'read', city, date, key: weatherKeys.entry(city, date) });
      reads++;
    } else {
      const city = p.writeCities[writes % p.writeCities.length]!;
      // Days going back from yesterday, one per round over the write cities: no key written twice.
      const date = dayBefore(p.today, 1 + Math.floor(writes / p.writeCities.length));
      const min = Math.round(((writes % 700) / 10 - 35) * 10) / 10;
      const observation = { temperature: { min, max: Math.round((min + 5) * 10) / 10 }, conditions: writes % 2 ? 'rain' : 'clear' };
      out.push({
        method: 'PUT',
        path: path(city, date),
        body: JSON.stringify(observation),
        op: 'write',
        city,
        date,
        key: weatherKeys.entry(city, date),
        observation,
      });
      writes++;
    }
  }
  return out;
}

export interface OpCounts {
  total: number;
  ok: number;
  failed: number;
  /** No answer within the probe's timeout. */
  unknown: number;
}

export interface WeatherTally extends OperationTally {
  reads: OpCounts & { hit: number; stale: number; miss: number };
  writes: OpCounts & { lost: number };
  /** Reads of cities never cached, from the fault on (C4: the source's death): answered 503 with Retry-After, or otherwise. */
  misses: OpCounts & { unavailable: number; withRetryAfter: number };
  /** Failures by kind ("PUT HTTP 503", "GET ETIMEDOUT", …). */
  failures: Record<string, number>;
  /** The faulted shard: the longest time without an acknowledged write to it, ms (null: no shard faulted). */
  writeBlackoutMs: number | null;
  /** The other shards' request latency, p99, before the fault and from the fault on, ms. */
  otherShardsP99Ms: { before: number | null; during: number | null };
}

const empty = (): OpCounts => ({ total: 0, ok: 0, failed: 0, unknown: 0 });

function count(c: OpCounts, r: ProbeRecord): void {
  c.total++;
  if (isSuccess(r)) c.ok++;
  else if (r.error === 'ETIMEDOUT') c.unknown++;
  else c.failed++;
}

export function p99(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]! * 10) / 10;
}

export interface TallyInput {
  records: ProbeRecord[];
  plan: PlannedStep[];
  window: Window;
  faultAtMs: number;
  /** The shards when the window opened, and the one the fault hit (its primary's name). */
  shards: Shard[];
  faultedPrimary?: string;
  /** Each acknowledged write's key → what the cluster holds under it afterwards (null: missing). */
  stored: Map<string, string | null>;
}

/** What the window's operations saw, and which acknowledged writes the cluster no longer holds. */
export function tallyWeather(t: TallyInput): WeatherTally {
  const reads = { ...empty(), hit: 0, stale: 0, miss: 0 };
  const writes = { ...empty(), lost: 0 };
  const misses = { ...empty(), unavailable: 0, withRetryAfter: 0 };
  const failures: Record<string, number> = {};
  const faulted: ProbeRecord[] = [];
  const others = { before: [] as number[], during: [] as number[] };
  for (const r of t.records) {
    const step = r.step !== undefined ? t.plan[r.step % t.plan.length] : undefined;
    if (!step) continue;
    if (!isSuccess(r) && step.op !== 'miss') {
      const kind = `${step.method} ${r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? 'error')}`;
      failures[kind] = (failures[kind] ?? 0) + 1;
    }
    if (step.op === 'miss') {
      // Before the fault a miss is an ordinary fill from the source.
      if (r.atMs < t.faultAtMs) continue;
      count(misses, r);
      if (r.status === 503) misses.unavailable++;
      if (r.status === 503 && r.retryAfter) misses.withRetryAfter++;
      continue;
    }
    if (step.op === 'read') {
      count(reads, r);
      if (r.cache === 'HIT') reads.hit++;
      else if (r.cache === 'STALE') reads.stale++;
      else if (r.cache === 'MISS') reads.miss++;
    } else {
      count(writes, r);
      if (isSuccess(r)) {
        const held = t.stored.get(step.key);
        const body = held ? (JSON.parse(held) as { temperature?: unknown; conditions?: unknown }) : undefined;
        const same =
          body !== undefined &&
          JSON.stringify(body.temperature) === JSON.stringify(step.observation!.temperature) &&
          body.conditions === step.observation!.conditions;
        if (!same) writes.lost++;
      }
    }
    const shard = shardOfKey(t.shards, step.key)?.primary;
    if (t.faultedPrimary && shard === t.faultedPrimary) {
      if (step.op === 'write') faulted.push(r);
    } else if (isSuccess(r)) (r.atMs < t.faultAtMs ? others.before : others.during).push(r.latencyMs);
  }
  const tally = emptyTally();
  tally.acknowledged = reads.ok + writes.ok;
  tally.failed = reads.failed + writes.failed;
  tally.unknown = reads.unknown + writes.unknown;
  tally.lost = writes.lost;
  let writeBlackoutMs: number | null = null;
  if (t.faultedPrimary) {
    const span = longestBlackout(faulted, t.window);
    writeBlackoutMs = Math.round(span.toMs - span.fromMs);
  }
  return {
    ...tally,
    reads,
    writes,
    misses,
    failures,
    writeBlackoutMs,
    otherShardsP99Ms: { before: p99(others.before), during: p99(others.during) },
  };
}

/** The acknowledged writes' keys (to read back from the cluster). */
export const acknowledgedKeys = (records: ProbeRecord[], plan: PlannedStep[]): string[] =>
  records
    .filter((r) => isSuccess(r) && r.step !== undefined && plan[r.step % plan.length]?.op === 'write')
    .map((r) => plan[r.step! % plan.length]!.key);
