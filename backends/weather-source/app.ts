// The weather source: the third-party weather API the cache exists to spare, played by a small
// Hono service on its own node (`weather`). It answers after a configurable delay, counts what
// it was asked (the tests' and the bench's evidence that the cache spared it), and can be killed
// like any node (C4).
import { Hono } from 'hono';
import { cityId } from '../weather/keys.js';
import { checkCity, checkDate, dayOfMs } from '../weather/observation.js';
import { syntheticWeather } from './weather.js';

export interface SourceOptions {
  /** How long each answer takes, ms (WEATHER_DELAY_MS). */
  delayMs: number;
  serverName: string;
}

/** Requests served, in all and per city and day; bounded (a flood of distinct keys resets it). */
class Tally {
  total = 0;
  private perKey = new Map<string, number>();
  add(city: string, date: string): void {
    this.total++;
    if (this.perKey.size >= 200_000) this.perKey.clear();
    const k = `${cityId(city)}|${date}`;
    this.perKey.set(k, (this.perKey.get(k) ?? 0) + 1);
  }
  of(city: string, date: string): number {
    return this.perKey.get(`${cityId(city)}|${date}`) ?? 0;
  }
}

export function createSourceApp(opts: SourceOptions): Hono {
  const app = new Hono();
  const tally = new Tally();
  app.use('*', async (c, next) => {
    c.header('X-Served-By', opts.serverName);
    await next();
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', server: opts.serverName }));
  app.get('/weather/:city', async (c) => {
    const city = c.req.param('city');
    const date = c.req.query('date') ?? dayOfMs(Date.now());
    const bad = checkCity(city) ?? checkDate(date);
    if (bad) return c.json({ error: bad }, 400);
    tally.add(city, date);
    if (opts.delayMs > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
    return c.json(syntheticWeather(city, date));
  });
  // What the source was asked: all requests, or one city's day (?city=&date=).
  app.get('/stats', (c) => {
    const city = c.req.query('city');
    const date = c.req.query('date') ?? dayOfMs(Date.now());
    return c.json(city ? { requests: tally.total, city, date, served: tally.of(city, date) } : { requests: tally.total });
  });
  app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));
  return app;
}
