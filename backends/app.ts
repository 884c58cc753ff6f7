// The backend web app, built by a function so tests can drive it with app.request() and no socket.
import { Hono, type MiddlewareHandler } from 'hono';
import { accepts } from 'hono/accepts';
import { bodyLimit } from 'hono/body-limit';
import type { Data } from './data.js';
import { kvBodyMaxBytes, registerKvRoutes } from './kv/routes.js';
import { pageHtml, pageText, type PageContent } from './page.js';
import { requestIdOf, visitorOf } from './request-identity.js';
import { registerVisitRoutes } from './visits/routes.js';
import { apiError } from './api-errors.js';
import type { WeatherCache } from './weather/cache.js';
import { registerWeatherRoutes } from './weather/routes.js';
import type { ChatService } from './chat/service.js';
import { registerChatRoutes } from './chat/routes.js';
import type { Shortener } from './shortener/service.js';
import { registerShortenerRoutes } from './shortener/routes.js';

export interface BackendOptions {
  /** Number shown to users: "Server N". */
  serverId: string;
  /** Node name, e.g. "backend1"; sent as X-Served-By. */
  serverName: string;
  /** Largest request body accepted, in bytes (the KV API has its own, larger limit). */
  maxBodyBytes?: number;
  /** True while the server drains (after SIGTERM): health turns 503 so HAProxy stops sending. */
  isDraining?: () => boolean;
  /** State on Redis; without it the page has no count and the API answers 503. */
  data?: Data;
  /** The weather cache on the Redis Cluster; without it /api/weather answers 503. */
  weather?: WeatherCache;
  /** The chat on the Redis Cluster (its WebSocket is served by server.ts); without it /api/chat answers 503. */
  chat?: ChatService;
  /** The URL shortener (hakit up --with shortener); without it its routes answer 503. */
  shortener?: Shortener;
}

// The page's two forms. HTML only when Accept ranks text/html above text/plain (a browser does);
// curl's "any type", a missing header and a tie listed plain first get plain text.
const pageTypes: Parameters<typeof accepts>[1] = { header: 'Accept', supports: ['text/plain', 'text/html'], default: 'text/plain' };

/** `GET /?count=0` shows the page without counting: the tier's probes and load use it. */
export const noCountQuery = 'count';

// Counts the bytes actually read, so a chunked body without Content-Length is caught too.
const limitBody = (maxSize: number): MiddlewareHandler =>
  bodyLimit({ maxSize, onError: (c) => c.json({ error: 'payload too large', limit: maxSize }, 413) });

export function createApp(opts: BackendOptions): Hono {
  const app = new Hono();
  const isDraining = opts.isDraining ?? (() => false);
  const pageBody = limitBody(opts.maxBodyBytes ?? 64 * 1024);
  const kvBody = limitBody(kvBodyMaxBytes);
  const { data } = opts;

  app.use('*', async (c, next) => {
    c.header('X-Served-By', opts.serverName);
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('*', (c, next) => (c.req.path.startsWith('/api/kv/') ? kvBody : pageBody)(c, next));

  // The page declares an empty icon: a browser's /favicon.ico request would take a turn in the
  // round-robin, and a reload would show the same server again. HEAD and ?count=0 never count.
  app.get('/', async (c) => {
    const page: PageContent = { serverId: opts.serverId, serverName: opts.serverName, lb: c.req.header('x-lb') ?? 'none (direct request)' };
    if (data && c.req.method === 'GET' && c.req.query(noCountQuery) !== '0') {
      page.count = await data.visits.record({
        requestId: requestIdOf(c),
        visitor: visitorOf(c),
        lb: c.req.header('x-lb') ?? 'direct',
        atMs: Date.now(),
      });
      c.header('X-Count', page.count.state);
      // The number shown, for a client that checks every count it was shown (the tour's probe).
      if (page.count.state === 'counted') c.header('X-Visits', String(page.count.count));
    }
    if (accepts(c, pageTypes) !== 'text/html') return c.text(pageText(page));
    return c.html(pageHtml(page));
  });

  app.get('/healthz', (c) =>
    isDraining() ? c.json({ status: 'draining', server: opts.serverName }, 503) : c.json({ status: 'ok', server: opts.serverName }),
  );

  if (data) registerVisitRoutes(app, data);
  else app.get('/api/visits/*', (c) => apiError(c, 503, 'counter not configured', { reason: 'this backend runs without Redis' }));
  registerKvRoutes(app, data?.kv);
  registerWeatherRoutes(app, opts.weather);
  registerChatRoutes(app, opts.chat);
  // Last: a redirect's /<code> must not shadow a path above (codes have a digit; the kit's paths are words).
  registerShortenerRoutes(app, opts.shortener);

  // A known path with a method it does not serve gets 405 and an Allow header, not a 404.
  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], ['/', '/healthz'], (c) => {
    c.header('Allow', 'GET, HEAD');
    return c.json({ error: 'method not allowed' }, 405);
  });

  app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));
  app.onError((err, c) => {
    console.error(`[${opts.serverName}] ${err.message}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
