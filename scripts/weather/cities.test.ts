// The shipped cities: 10,000 distinct names, each a valid city for the API, and their keys spread
// over three primaries (redis-cli's even split of the 16384 slots) within ±3 % of a third.
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { cityId, weatherKeys } from '../../backends/weather/keys.js';
import { checkCity } from '../../backends/weather/observation.js';
import { shippedCities } from './cities.js';

describe('the shipped cities', () => {
  const cities = shippedCities();

  it('are 10,000 distinct valid city names, most populous first', () => {
    expect(cities).toHaveLength(10_000);
    expect(new Set(cities.map((c) => cityId(c.name))).size).toBe(10_000);
    expect(cities.filter((c) => checkCity(c.name) !== undefined)).toEqual([]);
    expect(cities[0]!.population).toBeGreaterThan(cities[9999]!.population);
  });

  it('spread over three primaries within ±3 % for any day (the hash tag is the city)', () => {
    // redis-cli --cluster create's split of the slots over three primaries.
    const shardOf = (slot: number) => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
    for (const date of ['2026-01-01', '2026-07-15']) {
      const counts = [0, 0, 0];
      for (const c of cities) counts[shardOf(calculateSlot(weatherKeys.entry(c.name, date)))]!++;
      for (const n of counts) expect(Math.abs(n / (cities.length / 3) - 1)).toBeLessThanOrEqual(0.03);
    }
  });
});
