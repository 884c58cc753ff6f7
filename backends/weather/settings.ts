// The weather cache's settings, read from the backend's environment; each default says why.
import { intSetting } from '../cluster/settings.js';
import { SettingsError, type Env } from '../redis/settings.js';

export interface WeatherSettings {
  /** The weather source (WEATHER_SOURCE_URL, e.g. http://weather:8080). */
  sourceUrl: string;
  /** Longest wait for the source's answer (WEATHER_SOURCE_TIMEOUT_MS). */
  sourceTimeoutMs: number;
  /** How long an answer fetched from the source stays cached (WEATHER_TTL_S); PUT observations never expire. */
  ttlSeconds: number;
  /** How long one write waits for a replica's acknowledgement (WEATHER_WAIT_MS) before it is tried again. */
  waitMs: number;
  /**
   * How long a PUT keeps trying before it answers 503 (WEATHER_WRITE_DEADLINE_MS): longer than
   * the kit's failover (about 1.5 s at its node timeout), so a client never sees one.
   */
  writeDeadlineMs: number;
  /** How long a read waits for the primary before it asks a replica (WEATHER_READ_BUDGET_MS). */
  readBudgetMs: number;
  /** The fill lock's lifetime: the source's timeout and a margin, so a dead filler's lock frees itself. */
  lockMs: number;
}

export function weatherSettingsFromEnv(env: Env): WeatherSettings {
  const sourceUrl = env.WEATHER_SOURCE_URL || 'http://weather:8080';
  try {
    const u = new URL(sourceUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new SettingsError(`WEATHER_SOURCE_URL=${sourceUrl}: expected an http:// or https:// URL`);
  }
  const sourceTimeoutMs = intSetting(env, 'WEATHER_SOURCE_TIMEOUT_MS', 1000, 10, 30_000);
  return {
    sourceUrl: sourceUrl.replace(/\/+$/, ''),
    sourceTimeoutMs,
    ttlSeconds: intSetting(env, 'WEATHER_TTL_S', 1800, 1, 30 * 86_400),
    waitMs: intSetting(env, 'WEATHER_WAIT_MS', 100, 1, 10_000),
    writeDeadlineMs: intSetting(env, 'WEATHER_WRITE_DEADLINE_MS', 4000, 100, 60_000),
    readBudgetMs: intSetting(env, 'WEATHER_READ_BUDGET_MS', 150, 10, 10_000),
    lockMs: sourceTimeoutMs + 500,
  };
}
