// A C-scenario's measuring window: the cities it reads are cached first, its writes get cities
// and days of their own (acknowledged ones are looked up afterwards), the shards are read before
// the fault so that each request is known by the shard it hit. faults/weather-ops.ts counts.
import { randomInt } from 'node:crypto';
import { dayOfMs } from '../../backends/weather/observation.js';
import { readShards, withClusterAdmin, type Shard } from '../groups/cluster/admin.js';
import { acknowledgedKeys, tallyWeather, weatherPlan, type PlannedStep, type WeatherTally } from '../faults/weather-ops.js';
import type { Window } from '../observe/analysis.js';
import { probeOnce, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls } from '../stack/topology.js';
import { shippedCities } from '../weather/cities.js';

export interface WeatherWindow {
  plan: PlannedStep[];
  shards: Shard[];
  tally(records: ProbeRecord[], window: Window, faultAtMs: number, faultedPrimary: string | undefined): Promise<WeatherTally>;
}

/** Cities the reads ask for: the first 30 of the shipped list (they fall on every shard). */
export const readCities = () =>
  shippedCities()
    .slice(0, 30)
    .map((c) => c.name);

/** Caches the read cities through the VIP (a GET each; bounded: 30 requests, 5 s each at most). */
export async function warmReads(rt: Runtime, cities = readCities()): Promise<void> {
  const base = urls(rt.topology).vip;
  for (const city of cities) await probeOnce(`${base}api/weather/${encodeURIComponent(city)}`, 5000, false, rt.topology);
}

export async function openWeatherWindow(rt: Runtime, o: { misses: boolean; steps: number }): Promise<WeatherWindow> {
  await warmReads(rt);
  const all = shippedCities().map((c) => c.name);
  const today = dayOfMs(Date.now());
  // Cities of their own for this window's writes (a random run of 60 after the read cities) and,
  // for C4, 400 more whose forecast three days ahead nobody has asked for.
  const w = randomInt(100, all.length - 500);
  const plan = weatherPlan({
    readCities: readCities(),
    writeCities: all.slice(w, w + 60),
    ...(o.misses ? { missCities: all.slice(w + 60, w + 460), missDate: dayOfMs(Date.now() + 3 * 86_400_000) } : {}),
    today,
    steps: o.steps,
  });
  const shards = await readShards(rt);
  return {
    plan,
    shards,
    async tally(records, window, faultAtMs, faultedPrimary) {
      const keys = acknowledgedKeys(records, plan);
      const stored = new Map<string, string | null>();
      await withClusterAdmin(rt, async (c) => {
        for (let i = 0; i < keys.length; i += 200) {
          const batch = keys.slice(i, i + 200);
          const values = await Promise.all(batch.map((k) => c.get(k).catch(() => null)));
          batch.forEach((k, j) => stored.set(k, values[j] ?? null));
        }
      });
      return tallyWeather({
        records,
        plan,
        window,
        faultAtMs,
        shards,
        faultedPrimary: shards.some((s) => s.primary === faultedPrimary) ? faultedPrimary : undefined,
        stored,
      });
    },
  };
}
