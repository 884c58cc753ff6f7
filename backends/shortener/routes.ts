// The shortener's HTTP side: create on the master (POST /api/links), redirect on every backend
// (GET /<code>), stats (GET /api/links/<code>/stats), and the probes the kit reads.
import type { Context, Hono } from 'hono';
import { apiError, badRequest } from '../api-errors.js';
import { requestIdOf } from '../request-identity.js';
import { codeRoutePattern, isCode } from './code.js';
import type { Shortener } from './service.js';
import { checkUrl } from './url.js';

export function registerShortenerRoutes(app: Hono, sh: Shortener | undefined): void {
  const off = (c: Context) =>
    apiError(c, 503, 'shortener not configured', { reason: 'this backend runs without the shortener (hakit up --with shortener)' });
  if (!sh) {
    app.all('/api/links', off);
    app.all('/api/links/*', off);
    app.get('/healthz/master', (c) => c.json({ master: false, reason: 'no shortener' }, 503));
    return;
  }

  // HAProxy sends creates to the backend that answers 200 here (haproxy.cfg, be_links_master).
  app.get('/healthz/master', (c) => (sh.isMaster ? c.json({ master: true }) : c.json({ master: false }, 503)));

  app.post('/api/links', async (c) => {
    if (!sh.isMaster) {
      c.header('Retry-After', '1');
      return apiError(c, 503, 'not the master', { reason: 'creates go to the master role; it is moving', node: sh.s.node });
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return badRequest(c, 'body must be JSON: {"url": "https://…"}');
    }
    const check = checkUrl((body as { url?: unknown } | null)?.url);
    if (!check.ok) return badRequest(c, 'invalid url', { reason: check.reason });
    try {
      const { link, created } = await sh.create(check.url);
      return c.json({ code: link.code, shortUrl: new URL(link.code, sh.s.baseUrl).href, url: link.url, created }, created ? 201 : 200);
    } catch (err) {
      c.header('Retry-After', '1');
      return apiError(c, 503, 'log unavailable', { reason: (err as Error).message });
    }
  });

  app.get('/api/links/status', async (c) => c.json(await sh.status()));

  app.get('/api/links/:code/stats', async (c) => {
    const code = c.req.param('code');
    if (!isCode(code)) return apiError(c, 404, 'no such link', { code });
    try {
      const stats = await sh.stats(code);
      return stats ? c.json(stats) : apiError(c, 404, 'no such link', { code });
    } catch (err) {
      c.header('Retry-After', '1');
      return apiError(c, 503, 'stats unavailable', { reason: (err as Error).message });
    }
  });

  // 302, not 301: a browser keeps a 301 forever and would not come back, so its later clicks
  // would never be counted (and a link could not be changed or removed for it).
  app.get(`/:code{${codeRoutePattern}}`, async (c, next) => {
    const code = c.req.param('code');
    if (!isCode(code)) return next();
    let url: string | undefined;
    try {
      url = await sh.resolve(code);
    } catch (err) {
      c.header('Retry-After', '1');
      return apiError(c, 503, 'links unavailable', { reason: (err as Error).message });
    }
    if (!url) return apiError(c, 404, 'no such link', { code });
    if (c.req.method === 'GET') await sh.clicks.record(code, requestIdOf(c));
    return c.redirect(url, 302);
  });
}
