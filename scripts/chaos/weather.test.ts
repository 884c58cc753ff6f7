// The chaos soak's weather judge on synthetic timelines: a failed weather read or write counts
// against a cluster or weather-source fault's cycle and not against an LB fault's, and an
// acknowledged write missing from the cluster at the end is a violation whatever the fault.
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../observe/probe.js';
import { weatherPlan } from '../faults/weather-ops.js';
import type { InjectedFault } from './invariants.js';
import { judgeWeather } from './weather.js';

const plan = weatherPlan({ readCities: ['Oslo', 'Lima'], writeCities: ['Paris', 'Kyiv', 'Quito'], today: '2026-11-29', steps: 40 });
const rec = (step: number, atMs: number, over: Partial<ProbeRecord> = {}): ProbeRecord => ({
  step,
  atMs,
  latencyMs: 5,
  status: 200,
  ...over,
});
const fault = (kind: InjectedFault['kind'], atMs: number, endMs: number): InjectedFault => ({
  atMs,
  kind,
  target: 'x',
  targetHeldVip: true,
  restoreAtMs: atMs + 100,
  restoredAtMs: atMs + 200,
  endMs,
});
// Every write the records acknowledge, as the cluster holds it.
const storedAll = (records: ProbeRecord[]) =>
  new Map<string, string | null>(
    records
      .filter((r) => plan[r.step!]!.op === 'write')
      .map((r) => {
        const s = plan[r.step!]!;
        return [s.key, JSON.stringify({ city: s.city, date: s.date, ...s.observation })] as const;
      }),
  );

describe('judgeWeather', () => {
  const faults = [fault('lb-hard', 1000, 2000), fault('shard-primary-hard', 2000, 3000), fault('weather-source-hard', 3000, 4000)];

  it('passes a run where every weather operation succeeded and every write is held', () => {
    const records = Array.from({ length: 40 }, (_, i) => rec(i, 100 * i));
    const j = judgeWeather({ startMs: 0, endMs: 4000, records, plan, faults, stored: storedAll(records) });
    expect(j.violations).toEqual([]);
    expect(j.tally.writes).toMatchObject({ total: 20, ok: 20, lost: 0 });
  });

  it("counts failures only in a cluster or weather-source fault's cycle", () => {
    const records = [
      rec(0, 1100, { status: 503 }), // during the LB fault: its own cost rules, not this judge's
      rec(2, 2100, { status: 503 }), // a read during C1
      rec(3, 2200, { error: 'ETIMEDOUT', status: undefined }), // a write during C1, no answer
      rec(4, 3100),
      rec(6, 3200, { status: 503 }), // a cached read during C4
    ];
    const j = judgeWeather({ startMs: 0, endMs: 4000, records, plan, faults, stored: storedAll(records) });
    expect(j.violations.map((v) => [v.invariant, v.atMs])).toEqual([
      ['no-failed-operation', 2000],
      ['no-failed-operation', 3000],
    ]);
    expect(j.violations[0]!.detail).toMatch(/^C1 shard-primary-hard x: 1 of 1 weather reads and 1 of 1 writes failed/);
    expect(j.violations[1]!.detail).toMatch(/^C4 .*: 1 of 2 weather reads and 0 of 0 writes failed \(GET HTTP 503×1\)/);
  });

  it('finds an acknowledged write the cluster lost or holds another value for', () => {
    const records = [rec(1, 100), rec(3, 200), rec(5, 1500)];
    const stored = storedAll(records);
    stored.set(plan[1]!.key, null);
    stored.set(plan[3]!.key, JSON.stringify({ temperature: { min: 99, max: 100 }, conditions: 'snow' }));
    const j = judgeWeather({ startMs: 0, endMs: 4000, records, plan, faults, stored });
    expect(j.violations).toEqual([
      {
        atMs: 4000,
        invariant: 'no-lost-write',
        detail: '2 of 3 acknowledged weather writes are missing from the cluster or hold another value',
      },
    ]);
  });
});
