// The weather API: GET /api/weather/:city[?date=] answers from the cache (X-Cache: HIT, MISS or
// STALE), PUT (or POST) /api/weather/:city saves an observation once a replica holds it.
// docs/architecture.md#the-weather-cache.
import type { Context, Hono } from 'hono';
import { apiError, badRequest } from '../api-errors.js';
import { WeatherUnavailable, type WeatherCache } from './cache.js';
import { checkCity, checkDate, dayOfMs, parseObservation } from './observation.js';

/** The largest observation body accepted, bytes (a real one is ~200). */
export const weatherBodyMaxBytes = 4096;

const unavailable = (c: Context, err: WeatherUnavailable) => {
  c.header('Retry-After', String(err.retryAfterS));
  return apiError(c, 503, 'weather unavailable', { reason: err.message });
};

/** The city and day of a request, or the 400 that says what is wrong with them. */
function where(c: Context, bodyDate?: unknown): { city: string; date: string } | Response {
  const city = decodeURIComponent(c.req.param('city') ?? '');
  const bad = checkCity(city);
  if (bad) return badRequest(c, bad, { city });
  const query = c.req.query('date');
  if (query !== undefined && typeof bodyDate === 'string' && bodyDate !== query)
    return badRequest(c, 'the body\'s "date" and the query\'s ?date= differ', { body: bodyDate, query });
  const date = query ?? (typeof bodyDate === 'string' ? bodyDate : dayOfMs(Date.now()));
  const badDate = checkDate(date);
  return badDate ? badRequest(c, badDate, { date }) : { city, date };
}

export function registerWeatherRoutes(app: Hono, cache: WeatherCache | undefined): void {
  const path = '/api/weather/:city';
  const notConfigured = (c: Context) => {
    c.header('Retry-After', '5');
    return apiError(c, 503, 'weather cache not configured', { reason: 'this backend runs without the Redis Cluster' });
  };

  app.get(path, async (c) => {
    const at = where(c);
    if (at instanceof Response) return at;
    if (!cache) return notConfigured(c);
    try {
      const a = await cache.get(at.city, at.date);
      c.header('X-Cache', a.state);
      if (a.waitedMs !== undefined) c.header('X-Cache-Waited-Ms', String(a.waitedMs));
      if (a.stored === false) c.header('X-Cache-Stored', 'no');
      return c.json(a.weather);
    } catch (err) {
      if (err instanceof WeatherUnavailable) return unavailable(c, err);
      throw err;
    }
  });

  const save = async (c: Context) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return apiError(c, 415, 'unsupported content type', { got: type || 'none', supported: ['application/json'] });
    const text = await c.req.text();
    if (Buffer.byteLength(text) > weatherBodyMaxBytes) return apiError(c, 413, 'payload too large', { limit: weatherBodyMaxBytes });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return badRequest(c, 'body is not valid JSON');
    }
    const at = where(c, (body as { date?: unknown } | null)?.date);
    if (at instanceof Response) return at;
    const parsed = parseObservation(body, at.city, at.date);
    if ('problems' in parsed) return badRequest(c, 'invalid observation', { problems: parsed.problems });
    if (!cache) return notConfigured(c);
    try {
      const r = await cache.put(parsed.ok);
      return c.json({ saved: true, city: parsed.ok.city, date: at.date, replicas: r.replicas, attempts: r.attempts });
    } catch (err) {
      if (err instanceof WeatherUnavailable) return unavailable(c, err);
      throw err;
    }
  };
  app.put(path, save);
  app.post(path, save);
  app.on(['DELETE', 'PATCH'], path, (c) => {
    c.header('Allow', 'GET, HEAD, PUT, POST');
    return apiError(c, 405, 'method not allowed');
  });
}
