// The backend web app, built by a function so tests can drive it with app.request() and no socket.
import { Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';

export interface BackendOptions {
  /** Number shown to users: "Server N". */
  serverId: string;
  /** Node name, e.g. "backend1"; sent as X-Served-By. */
  serverName: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** True while the server drains (after SIGTERM): health turns 503 so HAProxy stops sending. */
  isDraining?: () => boolean;
}

// The page's two forms. HTML only when Accept ranks text/html above text/plain (a browser does);
// curl's "any type", a missing header and a tie listed plain first get plain text.
const pageTypes: Parameters<typeof accepts>[1] = { header: 'Accept', supports: ['text/plain', 'text/html'], default: 'text/plain' };

export function createApp(opts: BackendOptions): Hono {
  const app = new Hono();
  const isDraining = opts.isDraining ?? (() => false);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;

  app.use('*', async (c, next) => {
    c.header('X-Served-By', opts.serverName);
    c.header('Cache-Control', 'no-store');
    await next();
  });
  // Counts the bytes actually read, so a chunked body without Content-Length is caught too.
  app.use('*', bodyLimit({ maxSize: maxBody, onError: (c) => c.json({ error: 'payload too large', limit: maxBody }, 413) }));

  // The page declares an empty icon: a browser's /favicon.ico request would take a turn in the
  // round-robin, and a reload would show the same server again.
  app.get('/', (c) => {
    const text = `Hello, World!\nServer ${opts.serverId}`;
    if (accepts(c, pageTypes) !== 'text/html') return c.text(text);
    const lb = c.req.header('x-lb') ?? 'none (direct request)';
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>Server ${opts.serverId}</title>
            <link rel="icon" href="data:," />
            <style>
              body {
                font:
                  18px system-ui,
                  sans-serif;
                margin: 3em;
                color: #222;
              }
              h1 {
                margin: 0 0 0.3em;
              }
              .tag {
                display: inline-block;
                padding: 0.2em 0.6em;
                border-radius: 0.3em;
                background: #e8eef9;
                margin-right: 0.5em;
              }
            </style>
          </head>
          <body>
            <h1>Hello, World!</h1>
            <p id="server">Server ${opts.serverId}</p>
            <p><span class="tag" id="backend">backend: ${opts.serverName}</span><span class="tag" id="lb">load balancer: ${lb}</span></p>
            <p>Reload to see the next server in the round-robin.</p>
          </body>
        </html>`,
    );
  });

  app.get('/healthz', (c) =>
    isDraining() ? c.json({ status: 'draining', server: opts.serverName }, 503) : c.json({ status: 'ok', server: opts.serverName }),
  );

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
