import { describe, expect, it } from 'vitest';
import { dayOf, daysBack, isDay, parseTimeZone } from '../visits/day.js';
import { redisSettingsFromEnv, SettingsError, visitSettingsFromEnv } from './settings.js';

describe('Redis settings from the environment', () => {
  it('is off without REDIS_SENTINELS', () => {
    expect(redisSettingsFromEnv({})).toBeUndefined();
    expect(redisSettingsFromEnv({ REDIS_SENTINELS: ' ' })).toBeUndefined();
  });

  it('reads the sentinels, names and credentials', () => {
    const s = redisSettingsFromEnv({
      REDIS_SENTINELS: '10.213.0.31:26379, redis2:26379',
      REDIS_MASTER_NAME: 'm',
      REDIS_USER: 'u',
      REDIS_PASSWORD: 'p',
      SENTINEL_USER: 'su',
      SENTINEL_PASSWORD: 'sp',
      REDIS_WAIT_MS: '50',
    });
    expect(s).toMatchObject({
      sentinels: [
        { host: '10.213.0.31', port: 26379 },
        { host: 'redis2', port: 26379 },
      ],
      masterName: 'm',
      user: 'u',
      password: 'p',
      sentinelUser: 'su',
      sentinelPassword: 'sp',
      waitMs: 50,
      commandTimeoutMs: 150,
      failoverDetection: true,
    });
    // The bench's textbook client: no failover detection.
    expect(redisSettingsFromEnv({ REDIS_SENTINELS: 'a:1', REDIS_FAILOVER_DETECTION: 'off' })?.failoverDetection).toBe(false);
  });

  it('refuses malformed values with the variable named', () => {
    expect(() => redisSettingsFromEnv({ REDIS_SENTINELS: 'redis1' })).toThrow(/REDIS_SENTINELS: "redis1"/);
    expect(() => redisSettingsFromEnv({ REDIS_SENTINELS: 'a:1', REDIS_WAIT_MS: '-1' })).toThrow(SettingsError);
    expect(() => redisSettingsFromEnv({ REDIS_SENTINELS: 'a:1', REDIS_FAILOVER_DETECTION: 'maybe' })).toThrow(/REDIS_FAILOVER_DETECTION/);
    expect(() => visitSettingsFromEnv({ VISITS_TZ: 'Mars/Base' })).toThrow(/VISITS_TZ/);
    expect(() => visitSettingsFromEnv({ VISITS_RETAIN_DAYS: '0' })).toThrow(/VISITS_RETAIN_DAYS/);
  });

  it('defaults the visit settings', () => {
    expect(visitSettingsFromEnv({})).toMatchObject({ retainDays: 30, logCap: 1000, deadlineMs: 250, timeZone: { name: 'UTC' } });
  });
});

describe('days', () => {
  const at = Date.parse('2026-11-29T22:30:00Z');
  it('are UTC by default, or shifted by an offset or an IANA zone', () => {
    expect(dayOf(at, parseTimeZone('UTC'))).toBe('2026-11-29');
    expect(dayOf(at, parseTimeZone('+03:00'))).toBe('2026-11-30');
    expect(dayOf(at, parseTimeZone('-0100'))).toBe('2026-11-29');
    expect(dayOf(at, parseTimeZone('Europe/Moscow'))).toBe('2026-11-30');
    expect(dayOf(at, parseTimeZone('America/New_York'))).toBe('2026-11-29');
    expect(() => parseTimeZone('+15:00')).toThrow(/out of range/);
  });

  it('count back across months, and validate', () => {
    expect(daysBack('2026-03-01', 3)).toEqual(['2026-03-01', '2026-02-28', '2026-02-27']);
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('26-1-1')).toBe(false);
  });
});
