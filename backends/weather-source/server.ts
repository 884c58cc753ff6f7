// The weather source's process: the app on a port, SIGTERM stops it at once (it keeps no state
// worth draining: a cache in front of it is what the stack is measured on).
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createSourceApp } from './app.js';

const env = (name: string, fallback: string): string => process.env[name] || fallback;
const serverName = env('SERVER_NAME', 'weather');
const port = Number(env('PORT', '8080'));
const delayMs = Number(env('WEATHER_DELAY_MS', '150'));
if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) {
  console.error(`${serverName}: WEATHER_DELAY_MS=${process.env.WEATHER_DELAY_MS}: expected an integer from 0 to 60000`);
  process.exit(1);
}

const app = createSourceApp({ delayMs, serverName });
const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, (info) => {
  console.log(`${serverName}: weather source on :${info.port}, answering after ${delayMs} ms`);
}) as Server;
server.keepAliveTimeout = 30_000;
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
