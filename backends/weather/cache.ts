// The weather cache on the Redis Cluster: reads from the cluster first, fills a miss from the
// source once across every backend (a short lock in the cluster), answers from a replica while a
// shard fails over, and acknowledges a saved observation only once a replica holds it.
// docs/architecture.md#the-weather-cache.
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import type { ClusterClients } from '../cluster/client.js';
import { weatherKeys } from './keys.js';
import type { Observation, StoredWeather } from './observation.js';
import type { WeatherSettings } from './settings.js';
import { SourceUnavailable, type WeatherSource } from './source.js';

/** Where an answer came from: the cluster's primary (HIT), the source (MISS), or a replica while its primary is away (STALE). */
export type CacheState = 'HIT' | 'MISS' | 'STALE';

export interface CachedAnswer {
  weather: StoredWeather;
  state: CacheState;
  /** A MISS whose answer could not be stored (the cluster is failing over): the next read asks the source again. */
  stored?: boolean;
  /** A HIT that waited for another backend's fill (the stampede guard), ms. */
  waitedMs?: number;
}

/** Neither the cluster nor the source can give the answer now: a 503 with Retry-After. */
export class WeatherUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterS = 1,
  ) {
    super(message);
  }
}

// The entry, else the fill lock if nobody holds it: one step, so two backends that miss together
// cannot both take it. Both keys carry the city's hash tag (keys.ts), so they share a slot.
const readOrLock = `
local v = redis.call('GET', KEYS[1])
if v then return {'hit', v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'fill'} end
return {'wait'}`;

// The filled entry, unless an observation was saved meanwhile (NX: an observation wins over the
// source's answer); then the lock, if it is still ours.
const storeFilled = `
local stored = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
if stored then return 1 end
return 0`;

const releaseLock = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** How often a backend that waits for another's fill looks again, ms. */
const fillPollMs = 20;

class BudgetExceeded extends Error {}

/** The promise, or BudgetExceeded after `ms` (the promise runs on; its result is dropped). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceeded(`${what}: no answer within ${ms} ms`)), ms);
  });
  p.catch(() => undefined); // a late rejection is not unhandled
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Errors after which the topology may have changed: a timeout (a silent dead primary sends no
 * MOVED), a dropped connection, a shard without a primary, a redirection.
 */
const topologyMayHaveChanged = (err: unknown) =>
  err instanceof BudgetExceeded || /timed out|Connection is closed|CLUSTERDOWN|MOVED|TRYAGAIN|redirections|connect/i.test(String(err));

export class WeatherCache {
  constructor(
    private readonly clients: ClusterClients,
    private readonly source: WeatherSource,
    private readonly s: WeatherSettings,
  ) {}

  private get primary(): Cluster {
    return this.clients.primary;
  }

  /** Asks the cluster for its topology now, once (ioredis coalesces concurrent refreshes). */
  private refresh(err: unknown): void {
    if (topologyMayHaveChanged(err)) this.primary.refreshSlotsCache();
  }

  async get(city: string, date: string): Promise<CachedAnswer> {
    const entry = weatherKeys.entry(city, date);
    const lock = weatherKeys.lock(city, date);
    const started = Date.now();
    // A lock that vanished without an entry (its filler failed) is tried once more.
    for (let round = 0; round < 2; round++) {
      const token = randomBytes(9).toString('base64url');
      const asked = this.primary.call('EVAL', readOrLock, 2, entry, lock, token, String(this.s.lockMs));
      let step: unknown;
      try {
        step = await within(asked, this.s.readBudgetMs, 'read');
      } catch (err) {
        this.refresh(err);
        // The primary is gone or slow: a replica may have the answer at once. If none has it, a
        // primary that was only slow still gets the lock's lifetime to answer, so that a busy
        // machine does not send every waiting request to the source.
        const stale = await this.fromReplica(entry);
        if (stale) return stale;
        if (!(err instanceof BudgetExceeded)) return this.fromSource(city, date);
        try {
          step = await within(asked, this.s.lockMs, 'read');
        } catch (again) {
          this.refresh(again);
          return this.fromSource(city, date);
        }
      }
      const [what, value] = step as [string, string | undefined];
      if (what === 'hit') return { weather: JSON.parse(value!) as StoredWeather, state: 'HIT' };
      if (what === 'fill') return this.fill(city, date, entry, lock, token);
      const filled = await this.awaitFill(entry, lock, started);
      if (filled === 'away') return (await this.fromReplica(entry)) ?? this.fromSource(city, date);
      if (filled) return { weather: filled, state: 'HIT', waitedMs: Date.now() - started };
    }
    // Fills keep failing: answer from the source without storing.
    return this.fromSource(city, date);
  }

  /** This backend holds the lock: the source, then the entry with its TTL, then the lock freed. */
  private async fill(city: string, date: string, entry: string, lock: string, token: string): Promise<CachedAnswer> {
    let obs: Observation;
    try {
      obs = await this.source.fetch(city, date);
    } catch (err) {
      await this.primary.call('EVAL', releaseLock, 1, lock, token).catch(() => undefined);
      throw new WeatherUnavailable(`not cached, and ${(err as Error).message}`);
    }
    const weather: StoredWeather = { ...obs, origin: 'source', storedAtMs: Date.now() };
    try {
      const r = await this.primary.call(
        'EVAL',
        storeFilled,
        2,
        entry,
        lock,
        JSON.stringify(weather),
        String(this.s.ttlSeconds * 1000),
        token,
      );
      // 0: an observation was saved meanwhile; it is what the cluster holds now.
      if (Number(r) === 0) {
        const saved = (await this.primary.get(entry).catch(() => null)) as string | null;
        if (saved) return { weather: JSON.parse(saved) as StoredWeather, state: 'HIT' };
      }
      return { weather, state: 'MISS', stored: true };
    } catch (err) {
      this.refresh(err);
      return { weather, state: 'MISS', stored: false };
    }
  }

  /**
   * Another backend fills the entry: look again until it is there (a HIT), or the lock is gone
   * without it (null: take it ourselves), or the lock's lifetime is over; 'away' when the
   * primary fails meanwhile. A slow answer is only looked at again: on a busy machine giving up
   * would send this request to the source too, which is what the lock is for.
   */
  private async awaitFill(entry: string, lock: string, started: number): Promise<StoredWeather | null | 'away'> {
    while (Date.now() - started < this.s.lockMs + this.s.readBudgetMs) {
      await sleep(fillPollMs);
      let r: [Error | null, unknown][] | null;
      try {
        r = await within(this.primary.pipeline().get(entry).get(lock).exec(), this.s.readBudgetMs, 'read');
      } catch (err) {
        if (err instanceof BudgetExceeded) continue;
        this.refresh(err);
        return 'away';
      }
      const failed = r?.find(([e]) => e)?.[0];
      if (failed) {
        this.refresh(failed);
        return 'away';
      }
      const [value, held] = (r ?? []).map(([, v]) => v as string | null);
      if (value) return JSON.parse(value) as StoredWeather;
      if (!held) return null;
    }
    return null;
  }

  /** The entry as a replica of its shard holds it (STALE: it may be a little behind), if one answers with it. */
  private async fromReplica(entry: string): Promise<CachedAnswer | undefined> {
    try {
      const v = (await within(this.clients.replicas.get(entry), this.s.readBudgetMs, 'replica read')) as string | null;
      if (v) return { weather: JSON.parse(v) as StoredWeather, state: 'STALE' };
    } catch {
      // no replica answered either: the source is what is left
    }
    return undefined;
  }

  private async fromSource(city: string, date: string): Promise<CachedAnswer> {
    try {
      const obs = await this.source.fetch(city, date);
      return { weather: { ...obs, origin: 'source', storedAtMs: Date.now() }, state: 'MISS', stored: false };
    } catch (err) {
      throw new WeatherUnavailable(
        err instanceof SourceUnavailable ? `the cluster does not answer for this city, and ${err.message}` : String(err),
      );
    }
  }

  /**
   * Saves an observation (no TTL: it is never evicted) and resolves once a replica acknowledged
   * it (WAIT on the connection the write went on). Tried again until the write deadline: a shard
   * failing over answers again within it, and a PUT is idempotent.
   */
  async put(obs: Observation): Promise<{ replicas: number; attempts: number }> {
    const entry = weatherKeys.entry(obs.city, obs.date);
    const value = JSON.stringify({ ...obs, origin: 'observation', storedAtMs: Date.now() } satisfies StoredWeather);
    const deadline = Date.now() + this.s.writeDeadlineMs;
    let last: string;
    for (let attempts = 1; ; attempts++) {
      try {
        // One pipeline: SET and WAIT on the same connection to the slot's primary, so the WAIT
        // covers this write.
        const r = await within(
          this.primary.pipeline().set(entry, value).call('WAIT', '1', String(this.s.waitMs)).exec(),
          this.s.waitMs + this.s.readBudgetMs,
          'write',
        );
        const err = r?.find(([e]) => e)?.[0];
        if (err) throw err;
        const replicas = Number(r?.[1]?.[1]);
        if (replicas >= 1) return { replicas, attempts };
        last = 'no replica acknowledged the write';
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
        this.refresh(err);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new WeatherUnavailable(`the cluster could not confirm the write on a replica: ${last}`);
      await sleep(Math.min(50, left));
    }
  }
}
