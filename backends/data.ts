// The backend's state on Redis: the visit counter and the key-value store, sharing one connection
// (one WAIT batcher) to the primary.
import type { Redis } from 'ioredis';
import { createSentinelClient, logErrors } from './redis/client.js';
import type { RedisSettings, VisitSettings } from './redis/settings.js';
import { KvStore } from './kv/store.js';
import { VisitCounter } from './visits/counter.js';

export interface Data {
  client: Redis;
  visits: VisitCounter;
  kv: KvStore;
}

export function dataOnClient(client: Redis, visits: VisitSettings, waitMs: number, serverName: string, reconnectOnTimeout = false): Data {
  const counter = new VisitCounter(client, visits, serverName, waitMs, reconnectOnTimeout);
  return { client, visits: counter, kv: new KvStore(client, counter.ack, visits.deadlineMs) };
}

export function openData(redis: RedisSettings, visits: VisitSettings, serverName: string): Data {
  const client = createSentinelClient(redis, (line) => console.error(`${new Date().toISOString()} ${serverName}: ${line}`));
  logErrors(client, serverName);
  return dataOnClient(client, visits, redis.waitMs, serverName, !redis.failoverDetection);
}
