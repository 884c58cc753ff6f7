// What a weather observation is, and the checks a request passes before anything is stored or
// fetched: a bad city, date or body is the client's error (400), said precisely.

export const conditions = ['clear', 'partly-cloudy', 'cloudy', 'fog', 'drizzle', 'rain', 'snow', 'sleet', 'thunderstorm', 'wind'] as const;
export type Condition = (typeof conditions)[number];
export type Units = 'C' | 'F';

export interface Observation {
  city: string;
  /** The calendar day, YYYY-MM-DD. */
  date: string;
  temperature: { min: number; max: number };
  units: Units;
  conditions: Condition;
  /** Relative humidity, %. */
  humidity?: number;
  windKph?: number;
}

/** An observation as stored: where it came from and when it was stored. */
export interface StoredWeather extends Observation {
  origin: 'observation' | 'source';
  storedAtMs: number;
}

export const cityRule = '1 to 64 letters, spaces, hyphens, apostrophes or dots, starting with a letter';
// Unicode letters and combining marks ("São Paulo", "Zürich", "Kraków"); no digits, no braces
// (a brace would change the key's hash tag: keys.ts).
const cityPattern = /^\p{L}[\p{L}\p{M} '’.-]{0,63}$/u;

export function checkCity(name: string): string | undefined {
  const n = name.normalize('NFC').trim();
  return cityPattern.test(n) && !/\s{2,}/.test(n) ? undefined : `invalid city: ${cityRule}`;
}

/** The earliest date kept (the probe writes days going back from today) and how far ahead a forecast goes. */
export const dateLimits = { earliest: '1900-01-01', aheadDays: 16 } as const;

export const dayOfMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A real calendar day within the limits, or why not. */
export function checkDate(date: string, nowMs = Date.now()): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return 'invalid date: expected YYYY-MM-DD';
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || dayOfMs(ms) !== date) return `invalid date: ${date} is not a calendar day`;
  const latest = dayOfMs(nowMs + dateLimits.aheadDays * 86_400_000);
  if (date < dateLimits.earliest || date > latest) return `date out of range: from ${dateLimits.earliest} to ${latest}`;
  return undefined;
}

const tempRange: Record<Units, [number, number]> = { C: [-100, 70], F: [-148, 158] };

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * A PUT's JSON body as an observation for `city` on `date` (the body's own date, if it has one,
 * must be the same), or every problem with it.
 */
export function parseObservation(body: unknown, city: string, date: string): { ok: Observation } | { problems: string[] } {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problems: ['body must be a JSON object'] };
  const b = body as Record<string, unknown>;
  const known = new Set(['city', 'date', 'temperature', 'units', 'conditions', 'humidity', 'windKph']);
  for (const k of Object.keys(b)) if (!known.has(k)) problems.push(`unknown field "${k}"`);
  if (
    b.city !== undefined &&
    (typeof b.city !== 'string' || b.city.normalize('NFC').trim().toLowerCase() !== city.normalize('NFC').trim().toLowerCase())
  )
    problems.push('"city", when given, must be the city of the path');
  if (b.date !== undefined && b.date !== date) problems.push(`"date", when given, must be ${date} (the query's date, today by default)`);
  const units = b.units ?? 'C';
  if (units !== 'C' && units !== 'F') problems.push('"units" must be "C" or "F"');
  const t = b.temperature as Record<string, unknown> | undefined;
  const [lo, hi] = tempRange[units === 'F' ? 'F' : 'C'];
  if (typeof t !== 'object' || t === null || !isNum(t.min) || !isNum(t.max))
    problems.push('"temperature" must be {"min": number, "max": number}');
  else if (t.min > t.max) problems.push('"temperature": min must not exceed max');
  else if (t.min < lo || t.max > hi) problems.push(`"temperature" must be within ${lo}..${hi} °${units === 'F' ? 'F' : 'C'}`);
  if (!conditions.includes(b.conditions as Condition)) problems.push(`"conditions" must be one of ${conditions.join(', ')}`);
  if (b.humidity !== undefined && (!isNum(b.humidity) || b.humidity < 0 || b.humidity > 100)) problems.push('"humidity" must be 0..100');
  if (b.windKph !== undefined && (!isNum(b.windKph) || b.windKph < 0 || b.windKph > 500)) problems.push('"windKph" must be 0..500');
  if (problems.length) return { problems };
  const tt = t as { min: number; max: number };
  return {
    ok: {
      city: city.normalize('NFC').trim().replace(/\s+/g, ' '),
      date,
      temperature: { min: tt.min, max: tt.max },
      units: units as Units,
      conditions: b.conditions as Condition,
      ...(b.humidity !== undefined ? { humidity: b.humidity as number } : {}),
      ...(b.windKph !== undefined ? { windKph: b.windKph as number } : {}),
    },
  };
}
