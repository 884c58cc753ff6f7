// Wires the app to a port and to signals. SIGTERM drains: health turns 503 at once, the server
// keeps serving until HAProxy has noticed, then stops accepting, lets in-flight requests finish
// and exits, all bounded by a timeout.
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Data } from './data.js';
import { redisSettingsFromEnv, visitSettingsFromEnv } from './redis/settings.js';
import type { ClusterClients } from './cluster/client.js';
import { clusterSettingsFromEnv } from './cluster/settings.js';
import type { WeatherCache } from './weather/cache.js';
import type { ChatService } from './chat/service.js';
import type { Shortener } from './shortener/service.js';
import { shortenerSettingsFromEnv } from './shortener/settings.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const serverId = env('SERVER_ID', '1');
const serverName = env('SERVER_NAME', `backend${serverId}`);
const port = Number(env('PORT', '8080'));
// Long enough for HAProxy's health check (inter 200ms × fall 2) to take us out of rotation.
const drainDelayMs = Number(env('DRAIN_DELAY_MS', '1000'));
const drainTimeoutMs = Number(env('DRAIN_TIMEOUT_MS', '10000'));

// Redis is optional (REDIS_SENTINELS): without it the page is the tier's own, with no count, and
// ioredis is not even loaded. A malformed setting stops the start with its message rather than
// running half-configured.
let data: Data | undefined;
try {
  const redis = redisSettingsFromEnv(process.env);
  if (redis) {
    const { openData } = await import('./data.js');
    data = openData(redis, visitSettingsFromEnv(process.env), serverName);
    console.log(`${serverName}: counting visits on Redis "${redis.masterName}" via ${redis.sentinels.length} sentinel(s)`);
  }
} catch (err) {
  console.error(`${serverName}: ${(err as Error).message}`);
  process.exit(1);
}

// The Redis Cluster is optional too (REDIS_CLUSTER_NODES, `hakit up --with weather`): without it
// /api/weather answers 503.
let weather: WeatherCache | undefined;
let cluster: ClusterClients | undefined;
// The chat shares the cluster (docs/architecture.md#the-chat): on wherever the cluster is, unless CHAT=off.
let chat: ChatService | undefined;
try {
  const settings = clusterSettingsFromEnv(process.env);
  if (settings) {
    const [{ createClusterClients }, { logErrors }, { WeatherCache }, { httpSource }, { weatherSettingsFromEnv }] = await Promise.all([
      import('./cluster/client.js'),
      import('./redis/client.js'),
      import('./weather/cache.js'),
      import('./weather/source.js'),
      import('./weather/settings.js'),
    ]);
    const w = weatherSettingsFromEnv(process.env);
    cluster = createClusterClients(settings);
    logErrors(cluster.primary, `${serverName} (cluster)`);
    logErrors(cluster.replicas, `${serverName} (cluster replicas)`);
    weather = new WeatherCache(cluster, httpSource(w.sourceUrl, w.sourceTimeoutMs), w);
    console.log(
      `${serverName}: weather cache on the Redis Cluster (${settings.nodes.length} nodes, ${settings.profile} client), source ${w.sourceUrl}`,
    );
    if (process.env.CHAT !== 'off') {
      const [{ ChatService }, { createChatClients }, { chatSettingsFromEnv }] = await Promise.all([
        import('./chat/service.js'),
        import('./chat/clients.js'),
        import('./chat/settings.js'),
      ]);
      const clients = createChatClients(settings, cluster.primary);
      logErrors(clients.subscriber, `${serverName} (chat subscriber)`);
      chat = new ChatService(clients, serverName, chatSettingsFromEnv(process.env));
      console.log(`${serverName}: chat on the Redis Cluster (WebSocket /chat/ws)`);
    }
  }
} catch (err) {
  console.error(`${serverName}: ${(err as Error).message}`);
  process.exit(1);
}

// The shortener is optional too (SHORTENER_NATS): nats and pg are loaded only with it.
let shortener: Shortener | undefined;
try {
  const settings = shortenerSettingsFromEnv(process.env, serverName);
  if (settings) {
    const { Shortener } = await import('./shortener/service.js');
    shortener = new Shortener(settings);
    void shortener.start();
    console.log(`${serverName}: shortener on ${settings.nats.servers.length} log node(s)`);
  }
} catch (err) {
  console.error(`${serverName}: ${(err as Error).message}`);
  process.exit(1);
}

let draining = false;
const app = createApp({ serverId, serverName, isDraining: () => draining, data, weather, chat, shortener });

const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, (info) => {
  console.log(`${serverName} listening on :${info.port}`);
}) as Server;
// Timeouts on our side too: HAProxy keeps idle connections for reuse, slow clients get cut.
server.keepAliveTimeout = 30_000;
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
// WebSocket upgrades: the chat's, or none.
server.on('upgrade', (req, socket, head) => {
  if (!chat?.upgrade(req, socket, head)) socket.destroy();
});

function drain(signal: string): void {
  if (draining) return;
  draining = true;
  console.log(`${serverName}: ${signal}, draining (health 503) for ${drainDelayMs} ms`);
  // Chat sockets are told to go at once (1001): their clients reconnect through HAProxy, which
  // opens them on the other server (this one refuses new sockets with 503 while it drains).
  chat?.drain();
  setTimeout(() => {
    server.close(() => {
      console.log(`${serverName}: drained, exiting`);
      data?.client.disconnect();
      chat?.close();
      chat?.clients.subscriber.disconnect();
      cluster?.primary.disconnect();
      cluster?.replicas.disconnect();
      // The master role resigned (the other candidate takes it at once), the last partial click
      // batches sent, so none is stranded in this node's Redis.
      void (shortener?.stop() ?? Promise.resolve()).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  }, drainDelayMs).unref();
  setTimeout(() => {
    console.error(`${serverName}: drain timeout after ${drainTimeoutMs} ms, exiting`);
    process.exit(1);
  }, drainDelayMs + drainTimeoutMs).unref();
}

process.on('SIGTERM', () => drain('SIGTERM'));
process.on('SIGINT', () => drain('SIGINT'));
