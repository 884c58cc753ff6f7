// The weather workload's plan and its tally, on synthetic records: reads and writes alternate,
// no key is written twice, an acknowledged write missing afterwards (or holding another value)
// is lost, the faulted shard's write blackout and the other shards' latency are told apart.
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../observe/probe.js';
import type { Shard } from '../groups/cluster/admin.js';
import { tallyWeather, weatherPlan } from './weather-ops.js';

const shards: Shard[] = [
  { primary: 'cluster1', slots: [[0, 5460]], replicas: ['cluster4', 'cluster7'] },
  { primary: 'cluster2', slots: [[5461, 10922]], replicas: ['cluster5', 'cluster8'] },
  { primary: 'cluster3', slots: [[10923, 16383]], replicas: ['cluster6', 'cluster9'] },
];

const plan = weatherPlan({
  readCities: ['Oslo', 'Lima', 'Rome'],
  // The hash tag is the city: a city's writes all fall on one shard, so enough cities for all three.
  writeCities: ['Paris', 'Kyiv', 'Quito', 'Dakar', 'Accra', 'Baku', 'Bern', 'Cairo', 'Delhi', 'Doha', 'Hanoi', 'Havana'],
  missCities: ['Nuuk'],
  missDate: '2026-12-02',
  today: '2026-11-29',
  steps: 400,
});

describe('the weather plan', () => {
  it('alternates reads and writes, writes no key twice, asks for an uncached city every tenth read', () => {
    expect(plan.filter((s, i) => (i % 2 === 0) !== (s.method === 'GET'))).toEqual([]);
    const writes = plan.filter((s) => s.op === 'write');
    expect(new Set(writes.map((s) => s.key)).size).toBe(writes.length);
    expect(writes[0]).toMatchObject({ method: 'PUT', path: '/api/weather/Paris?date=2026-11-28', key: 'weather:{paris}:2026-11-28' });
    expect(writes[12]!.date).toBe('2026-11-27');
    expect(plan.filter((s) => s.op === 'miss')).toHaveLength(20);
    expect(plan.find((s) => s.op === 'miss')).toMatchObject({ city: 'Nuuk', date: '2026-12-02' });
  });
});

describe('the weather tally', () => {
  const faultAtMs = 1000;
  const rec = (step: number, atMs: number, over: Partial<ProbeRecord> = {}): ProbeRecord => ({
    step,
    atMs,
    latencyMs: 5,
    status: 200,
    ...over,
  });
  const shardOf = (i: number) =>
    shards.find((s) => s.slots.some(([a, b]) => calculateSlot(plan[i]!.key) >= a && calculateSlot(plan[i]!.key) <= b))!.primary;
  const writesOn = (primary: string) => plan.map((s, i) => i).filter((i) => plan[i]!.op === 'write' && shardOf(i) === primary);

  it('counts failed reads and writes, and an acknowledged write the cluster lost or changed', () => {
    const [w1, w2, w3] = plan.map((s, i) => i).filter((i) => plan[i]!.op === 'write');
    const records = [
      rec(0, 0, { cache: 'HIT' }),
      rec(2, 10, { cache: 'STALE' }),
      rec(4, 20, { status: 503 }),
      rec(6, 30, { error: 'ETIMEDOUT', status: undefined }),
      rec(w1!, 40),
      rec(w2!, 50),
      rec(w3!, 60, { status: 503 }),
    ];
    const stored = new Map<string, string | null>([
      [plan[w1!]!.key, JSON.stringify({ ...plan[w1!]!.observation, origin: 'observation' })],
      [plan[w2!]!.key, JSON.stringify({ temperature: { min: 99, max: 100 }, conditions: 'snow' })],
    ]);
    const t = tallyWeather({ records, plan, window: { startMs: 0, endMs: 100 }, faultAtMs, shards, stored });
    expect(t.reads).toMatchObject({ total: 4, ok: 2, failed: 1, unknown: 1, hit: 1, stale: 1 });
    expect(t.writes).toMatchObject({ total: 3, ok: 2, failed: 1, lost: 1 });
    expect(t.failures).toEqual({ 'GET HTTP 503': 1, 'GET ETIMEDOUT': 1, 'PUT HTTP 503': 1 });
    expect(t.writeBlackoutMs).toBeNull();
  });

  it("measures the faulted shard's longest time without an acknowledged write, and the others' p99 apart", () => {
    const mine = writesOn('cluster1');
    const records: ProbeRecord[] = [];
    const stored = new Map<string, string | null>();
    for (let n = 0; n < 35; n++) {
      const i = mine[n % mine.length]!;
      const at = n * 100;
      // Writes between 1000 and 2500 ms fail: the blackout.
      const ok = at < 1000 || at >= 2500;
      records.push(rec(i, at, ok ? {} : { status: 503 }));
      if (ok) stored.set(plan[i]!.key, JSON.stringify(plan[i]!.observation));
    }
    for (const i of writesOn('cluster2').slice(0, 20)) {
      records.push(rec(i, 500, { latencyMs: 4 }), rec(i, 1500, { latencyMs: 6 }));
      stored.set(plan[i]!.key, JSON.stringify(plan[i]!.observation));
    }
    const end = 3500;
    const t = tallyWeather({ records, plan, window: { startMs: 0, endMs: end }, faultAtMs, shards, faultedPrimary: 'cluster1', stored });
    // From the last acknowledged write before (900 + 5 ms) to the first after (2500 + 5 ms).
    expect(t.writeBlackoutMs).toBe(1600);
    expect(t.otherShardsP99Ms).toEqual({ before: 4, during: 6 });
    expect(t.writes.lost).toBe(0);
  });

  it('counts uncached reads from the fault on only, and which got 503 with Retry-After', () => {
    const misses = plan.map((s, i) => i).filter((i) => plan[i]!.op === 'miss');
    const records = [
      rec(misses[0]!, 500, { cache: 'MISS' }),
      rec(misses[1]!, 1500, { status: 503, retryAfter: true }),
      rec(misses[2]!, 1600, { status: 503 }),
    ];
    const t = tallyWeather({ records, plan, window: { startMs: 0, endMs: 2000 }, faultAtMs, shards, stored: new Map() });
    expect(t.misses).toMatchObject({ total: 2, unavailable: 2, withRetryAfter: 1 });
    expect(t.reads.total).toBe(0);
  });
});
