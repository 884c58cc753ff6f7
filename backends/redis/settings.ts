// How a backend reaches Redis, read from its environment. No REDIS_SENTINELS: no Redis at all, and
// the page is the tier's plain "Hello, World!" (so the web tier runs, and is tested, alone).
import { parseTimeZone, type TimeZone } from '../visits/day.js';

export interface RedisSettings {
  /** Sentinels to ask for the primary (REDIS_SENTINELS="host:port,host:port"). */
  sentinels: { host: string; port: number }[];
  /** The monitored primary's name in the Sentinels' config (REDIS_MASTER_NAME). */
  masterName: string;
  /** The backend's ACL user on the data nodes (REDIS_USER, REDIS_PASSWORD). */
  user?: string;
  password?: string;
  /** The user the Sentinels ask for (SENTINEL_USER, SENTINEL_PASSWORD). */
  sentinelUser?: string;
  sentinelPassword?: string;
  /** Longest wait for one command's reply (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
  /** How long a write waits for a replica's acknowledgement before it is "pending" (REDIS_WAIT_MS). */
  waitMs: number;
  /**
   * Follow a failover as Sentinel announces it (REDIS_FAILOVER_DETECTION, default on): off is the
   * textbook client the bench compares against, which asks Sentinel again only when a command fails.
   */
  failoverDetection: boolean;
}

export interface VisitSettings {
  /** The zone whose calendar day a visit counts in (VISITS_TZ: UTC, +03:00 or an IANA name). */
  timeZone: TimeZone;
  /** Daily keys expire this many days after their day's last write (VISITS_RETAIN_DAYS). */
  retainDays: number;
  /** Entries kept in a day's log, newest first (VISITS_LOG_CAP). */
  logCap: number;
  /** The page gives up on the count after this long and says "unavailable" (VISITS_DEADLINE_MS). */
  deadlineMs: number;
}

export type Env = Record<string, string | undefined>;

export class SettingsError extends Error {}

function positiveInt(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new SettingsError(`${name}=${raw}: expected an integer from 1 to ${max}`);
  return n;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new SettingsError(`${name}=${raw}: expected on or off`);
}

/** A comma-separated host:port list (REDIS_SENTINELS, REDIS_CLUSTER_NODES), `name` in the error. */
export function parseHostPorts(name: string, list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(.+):(\d{1,5})$/.exec(s);
      const port = Number(m?.[2]);
      if (!m?.[1] || port < 1 || port > 65535) throw new SettingsError(`${name}: "${s}" is not host:port`);
      return { host: m[1], port };
    });
}

export const parseSentinels = (list: string) => parseHostPorts('REDIS_SENTINELS', list);

/** Undefined when REDIS_SENTINELS is unset or empty: the backend runs without Redis. */
export function redisSettingsFromEnv(env: Env): RedisSettings | undefined {
  const sentinels = parseSentinels(env.REDIS_SENTINELS ?? '');
  if (!sentinels.length) return undefined;
  return {
    sentinels,
    masterName: env.REDIS_MASTER_NAME || 'hakit',
    user: env.REDIS_USER || undefined,
    password: env.REDIS_PASSWORD || undefined,
    sentinelUser: env.SENTINEL_USER || undefined,
    sentinelPassword: env.SENTINEL_PASSWORD || undefined,
    commandTimeoutMs: positiveInt(env, 'REDIS_COMMAND_TIMEOUT_MS', 150, 10_000),
    waitMs: positiveInt(env, 'REDIS_WAIT_MS', 100, 10_000),
    failoverDetection: onOff(env, 'REDIS_FAILOVER_DETECTION', true),
  };
}

export function visitSettingsFromEnv(env: Env): VisitSettings {
  let timeZone: TimeZone;
  try {
    timeZone = parseTimeZone(env.VISITS_TZ || 'UTC');
  } catch (err) {
    throw new SettingsError(`VISITS_TZ: ${(err as Error).message}`);
  }
  return {
    timeZone,
    retainDays: positiveInt(env, 'VISITS_RETAIN_DAYS', 30, 366),
    logCap: positiveInt(env, 'VISITS_LOG_CAP', 1000, 100_000),
    deadlineMs: positiveInt(env, 'VISITS_DEADLINE_MS', 250, 10_000),
  };
}
