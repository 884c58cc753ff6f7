// Deterministic synthetic weather: the same city and day always give the same answer, so a
// cached answer can be checked against a fresh one. Seasons follow the day of the year (north of
// the equator or south, from the city's hash), each city has its own climate offset.
import { createHash } from 'node:crypto';
import { cityId } from '../weather/keys.js';
import { conditions, type Observation } from '../weather/observation.js';

/** Four 32-bit numbers from the city and day: a tiny deterministic generator's seed. */
function seed(city: string, date: string): number[] {
  const h = createHash('sha256')
    .update(`${cityId(city)}|${date}`)
    .digest();
  return [0, 4, 8, 12].map((i) => h.readUInt32LE(i));
}

const unit = (n: number) => n / 0x1_0000_0000;

export function syntheticWeather(city: string, date: string): Observation {
  const [a = 0, b = 0, c = 0, d = 0] = seed(city, date);
  const [climate = 0] = seed(city, 'climate');
  const dayOfYear = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000;
  const south = climate % 4 === 0;
  const season = Math.cos(((dayOfYear - 196) / 365) * 2 * Math.PI) * (south ? -1 : 1); // 1 in July (north)
  const mean = 4 + (climate % 20) + season * 12 + (unit(a) - 0.5) * 8;
  const spread = 3 + unit(b) * 9;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const min = round1(mean - spread / 2);
  const wet = unit(c);
  const kind = mean < 0 && wet > 0.6 ? 'snow' : conditions[Math.floor(wet * conditions.length)]!;
  return {
    city: city.normalize('NFC').trim().replace(/\s+/g, ' '),
    date,
    temperature: { min, max: round1(min + spread) },
    units: 'C',
    conditions: kind,
    humidity: Math.round(30 + unit(d) * 70),
    windKph: Math.round(unit(d ^ a) * 60),
  };
}
