import { describe, expect, it } from 'vitest';
import { hashTagOf, weatherKeys } from './keys.js';
import { checkCity, checkDate, parseObservation } from './observation.js';

describe('weather keys', () => {
  it('tag the entry and its lock with the city, one spelling per city', () => {
    expect(weatherKeys.entry('São  Paulo', '2026-11-29')).toBe('weather:{são paulo}:2026-11-29');
    expect(hashTagOf(weatherKeys.lock('SÃO PAULO', '2026-11-29'))).toBe(hashTagOf(weatherKeys.entry('são paulo', '2026-01-01')));
  });
});

describe('checks', () => {
  it('accepts real city names and refuses the rest', () => {
    for (const ok of ['Paris', 'São Paulo', "N'Djamena", 'St. Louis', 'Zürich', 'Kraków', 'Ho Chi Minh City'])
      expect(checkCity(ok)).toBeUndefined();
    for (const bad of ['', ' ', 'R2D2', '{tag}', 'a'.repeat(65), '-Paris', 'Paris  Texas', 'a/b']) expect(checkCity(bad)).toBeDefined();
  });

  it('accepts calendar days from 1900 to 16 days ahead', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(checkDate('2026-11-29', now)).toBeUndefined();
    expect(checkDate('2026-12-15', now)).toBeUndefined();
    expect(checkDate('2026-12-16', now)).toMatch(/out of range/);
    expect(checkDate('1899-12-31', now)).toMatch(/out of range/);
    expect(checkDate('2026-02-29', now)).toMatch(/calendar day/);
    expect(checkDate('29.11.2026', now)).toMatch(/YYYY-MM-DD/);
  });

  it('parses an observation and names every problem of a bad one', () => {
    expect(parseObservation({ temperature: { min: -2, max: 3 }, conditions: 'snow', humidity: 80 }, 'Oslo', '2026-11-29')).toEqual({
      ok: { city: 'Oslo', date: '2026-11-29', temperature: { min: -2, max: 3 }, units: 'C', conditions: 'snow', humidity: 80 },
    });
    const r = parseObservation(
      { temperature: { min: 3, max: -2 }, conditions: 'x', units: 'K', date: '2026-01-01', junk: 1 },
      'Oslo',
      '2026-11-29',
    );
    expect('problems' in r && r.problems).toEqual([
      'unknown field "junk"',
      '"date", when given, must be 2026-11-29 (the query\'s date, today by default)',
      '"units" must be "C" or "F"',
      '"temperature": min must not exceed max',
      '"conditions" must be one of clear, partly-cloudy, cloudy, fog, drizzle, rain, snow, sleet, thunderstorm, wind',
    ]);
    expect(parseObservation({ temperature: { min: 150, max: 151 }, units: 'F', conditions: 'clear' }, 'Oslo', '2026-11-29')).toHaveProperty(
      'ok',
    );
    expect(parseObservation([], 'Oslo', '2026-11-29')).toEqual({ problems: ['body must be a JSON object'] });
  });
});
