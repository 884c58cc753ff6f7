// What a backend reads to run the shortener (no SHORTENER_NATS: no shortener, its routes
// answer 503). The kit sets them from the topology and the credentials (scripts/groups/shortener).
import { parseHostPorts } from '../redis/settings.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ShortenerSettings {
  /** This backend's name: its durable consumer, its click batches' ids. */
  node: string;
  nats: { servers: string[]; user: string; password: string };
  /** The Postgres nodes; the primary is whichever is not in recovery. */
  postgres: { hosts: HostPort[]; user: string; password: string; database: string };
  /** The etcd members, for the master election. */
  etcd: { endpoints: string[]; user: string; password: string };
  /** Every backend's own Redis, by backend name (this node's serves its redirects; all: stats). */
  redis: Map<string, HostPort>;
  redisUser: string;
  redisPassword: string;
  /** The short URL's prefix, e.g. http://10.213.0.10/ */
  baseUrl: string;
  /** Clicks of one link that make a batch. */
  batchSize: number;
  /** A partial batch waits at most this long. */
  flushMs: number;
  /** The master lease's time to live (etcd's shortest is 2 s with a 1 s election timeout). */
  leaseTtlS: number;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function need(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set (the shortener needs it with SHORTENER_NATS)`);
  return v;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${raw}" is not a positive whole number`);
  return n;
}

/** The settings, or undefined when SHORTENER_NATS is unset; a malformed value throws with its name. */
export function shortenerSettingsFromEnv(env: NodeJS.ProcessEnv, node: string): ShortenerSettings | undefined {
  if (!env.SHORTENER_NATS) return undefined;
  const redis = new Map<string, HostPort>();
  for (const pair of list(need(env, 'SHORTENER_REDIS'))) {
    const [name, at] = pair.split('=');
    if (!name || !at) throw new Error(`SHORTENER_REDIS: "${pair}" is not backend=host:port`);
    redis.set(name, parseHostPorts('SHORTENER_REDIS', at)[0]!);
  }
  if (!redis.has(node)) throw new Error(`SHORTENER_REDIS names no Redis for ${node}`);
  return {
    node,
    nats: { servers: list(env.SHORTENER_NATS), user: env.SHORTENER_NATS_USER ?? 'app', password: need(env, 'SHORTENER_NATS_PASSWORD') },
    postgres: {
      hosts: parseHostPorts('SHORTENER_PG_HOSTS', need(env, 'SHORTENER_PG_HOSTS')),
      user: env.SHORTENER_PG_USER ?? 'shortener',
      password: need(env, 'SHORTENER_PG_PASSWORD'),
      database: env.SHORTENER_PG_DATABASE ?? 'shortener',
    },
    etcd: {
      endpoints: list(need(env, 'SHORTENER_ETCD')),
      user: env.SHORTENER_ETCD_USER ?? 'app',
      password: need(env, 'SHORTENER_ETCD_PASSWORD'),
    },
    redis,
    redisUser: env.SHORTENER_REDIS_USER ?? 'app',
    redisPassword: need(env, 'SHORTENER_REDIS_PASSWORD'),
    baseUrl: env.SHORTENER_BASE_URL ?? 'http://localhost/',
    batchSize: positive(env, 'SHORTENER_BATCH_SIZE', 100),
    flushMs: positive(env, 'SHORTENER_FLUSH_MS', 1000),
    leaseTtlS: positive(env, 'SHORTENER_LEASE_TTL_S', 2),
  };
}
