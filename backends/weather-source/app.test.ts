import { describe, expect, it } from 'vitest';
import { createSourceApp } from './app.js';
import { syntheticWeather } from './weather.js';

describe('the weather source', () => {
  it('answers the same weather for the same city and day, after its delay, and counts what it served', async () => {
    const app = createSourceApp({ delayMs: 50, serverName: 'weather' });
    const t0 = Date.now();
    const r = await app.request('/weather/Oslo?date=2026-11-29');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(await r.json()).toEqual({ ...syntheticWeather('oslo', '2026-11-29'), city: 'Oslo' });
    await app.request('/weather/oslo?date=2026-11-29');
    expect(await (await app.request('/stats?city=OSLO&date=2026-11-29')).json()).toMatchObject({ requests: 2, served: 2 });
    expect(syntheticWeather('Oslo', '2026-11-30')).not.toEqual(syntheticWeather('Oslo', '2026-11-29'));
  });

  it('refuses a bad city or date', async () => {
    const app = createSourceApp({ delayMs: 0, serverName: 'weather' });
    expect((await app.request('/weather/R2D2')).status).toBe(400);
    expect((await app.request('/weather/Oslo?date=2026-13-01')).status).toBe(400);
  });
});
