// GET /api/visits?days=7 (per-day totals and uniques) and GET /api/visits/log?day=…&page=&size=.
import type { Hono } from 'hono';
import type { Data } from '../data.js';
import { isDay } from './day.js';
import { dayTotals, logPage } from './stats.js';
import { badRequest, unavailable } from '../api-errors.js';

const intParam = (raw: string | undefined, fallback: number, min: number, max: number): number | undefined => {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
};

export const logMaxPageSize = 200;

export function registerVisitRoutes(app: Hono, data: Data): void {
  const { visits } = data;
  const retain = visits.settings.retainDays;

  app.get('/api/visits', async (c) => {
    const days = intParam(c.req.query('days'), 7, 1, retain);
    if (days === undefined) return badRequest(c, `days must be an integer from 1 to ${retain} (days are kept ${retain} days)`);
    const today = visits.today();
    try {
      const list = await dayTotals(data.client, today, days, visits.settings.deadlineMs);
      return c.json({ timeZone: visits.settings.timeZone.name, today, days: list });
    } catch (err) {
      return unavailable(c, err);
    }
  });

  app.get('/api/visits/log', async (c) => {
    const day = c.req.query('day') || visits.today();
    if (!isDay(day)) return badRequest(c, 'day must be a date written YYYY-MM-DD');
    const page = intParam(c.req.query('page'), 1, 1, 1_000_000);
    const size = intParam(c.req.query('size'), 50, 1, logMaxPageSize);
    if (page === undefined) return badRequest(c, 'page must be an integer ≥ 1');
    if (size === undefined) return badRequest(c, `size must be an integer from 1 to ${logMaxPageSize}`);
    try {
      return c.json(await logPage(data.client, day, page, size, visits.settings.deadlineMs));
    } catch (err) {
      return unavailable(c, err);
    }
  });
}
