// The weather cache and its API on a real Redis Cluster (nine nodes on loopback, the kit's node
// entrypoint and config, the app user's ACL) and the real weather source over HTTP: hits and
// misses, the stampede guard across two backends, writes acknowledged by a replica, stale reads
// while a shard's primary is away, a write that outlives a failover, and the 4xx/503 rules.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import { createApp } from '../app.js';
import { createClusterClients, type ClusterClients } from '../cluster/client.js';
import { createSourceApp } from '../weather-source/app.js';
import { syntheticWeather } from '../weather-source/weather.js';
import { ClusterLab } from '../../scripts/testing/cluster-lab.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../scripts/testing/prerequisites.js';
import { until } from '../../scripts/testing/redis-lab.js';
import { WeatherCache, WeatherUnavailable } from './cache.js';
import { weatherKeys } from './keys.js';
import type { WeatherSettings } from './settings.js';
import { httpSource } from './source.js';

const missing = await missingPrerequisites(['redis-server', 'redis-cli', 'setpriv']);

const settings = (over: Partial<WeatherSettings> = {}): WeatherSettings => ({
  sourceUrl: '',
  // Generous: these tests check behaviour, on a machine that may be busy (the budgets' own
  // figures are the bench's).
  sourceTimeoutMs: 3000,
  ttlSeconds: 600,
  waitMs: 100,
  writeDeadlineMs: 8000,
  readBudgetMs: 400,
  lockMs: 3500,
  ...over,
});

const today = new Date().toISOString().slice(0, 10);
let n = 0;
/** A city no other test uses (letters only: the city rule has no digits). */
const freshCity = () => `Testville ${String.fromCharCode(97 + (n % 26))}${String.fromCharCode(97 + Math.floor(n++ / 26))}`;

describe.skipIf(skipOutsideCi(missing))('the weather cache on a real Redis Cluster', () => {
  let lab: ClusterLab;
  let source: ServerType;
  let sourceUrl: string;
  const clients: ClusterClients[] = [];
  let a: WeatherCache;
  let b: WeatherCache;

  const served = async (city: string, date = today) =>
    ((await (await fetch(`${sourceUrl}/stats?city=${encodeURIComponent(city)}&date=${date}`)).json()) as { served: number }).served;

  const backend = async (over: Partial<WeatherSettings> = {}, url = sourceUrl) => {
    const c = createClusterClients(lab.clientSettings());
    for (const x of [c.primary, c.replicas]) x.on('error', () => undefined);
    clients.push(c);
    await until('the cluster clients to be ready', async () => c.primary.status === 'ready' && c.replicas.status === 'ready');
    // Connected to every replica now, not on the first replica read: under the unit tests' load a
    // first connection could take the whole read budget, and STALE would turn into MISS.
    await Promise.all(c.replicas.nodes('slave').map((node) => node.ping()));
    return new WeatherCache(c, httpSource(url, 3000), settings(over));
  };

  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ClusterLab.start();
    source = serve({ fetch: createSourceApp({ delayMs: 150, serverName: 'weather' }).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => source.once('listening', r));
    sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
    a = await backend();
    b = await backend();
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) {
      c.primary.disconnect();
      c.replicas.disconnect();
    }
    source?.close();
    await lab?.stop();
  });

  it('misses once, fills from the source, then hits; the answer is the source’s', async () => {
    const city = freshCity();
    const first = await a.get(city, today);
    expect(first.state).toBe('MISS');
    expect(first.stored).toBe(true);
    const again = await b.get(city, today);
    expect(again.state).toBe('HIT');
    expect(again.weather).toEqual(first.weather);
    expect(again.weather.temperature).toEqual(syntheticWeather(city, today).temperature);
    expect(await served(city)).toBe(1);
    // A filled entry expires (the TTL); the lock is gone.
    const primary = lab.admin(await lab.primaryOfSlot(calculateSlot(weatherKeys.entry(city, today))));
    expect(await primary.pttl(weatherKeys.entry(city, today))).toBeGreaterThan(590_000);
    expect(await primary.exists(weatherKeys.lock(city, today))).toBe(0);
  });

  it('sends concurrent misses from two backends to the source once (the stampede guard)', async () => {
    const city = freshCity();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).get(city, today)));
    expect(await served(city)).toBe(1);
    expect(answers.filter((x) => x.state === 'MISS')).toHaveLength(1);
    expect(answers.filter((x) => x.state === 'HIT' && x.waitedMs !== undefined).length).toBeGreaterThanOrEqual(28);
    expect(new Set(answers.map((x) => JSON.stringify(x.weather))).size).toBe(1);
  });

  it('acknowledges a saved observation once a replica holds it, with no TTL, over a cached answer', async () => {
    const city = freshCity();
    await a.get(city, today); // a cached, expiring answer first
    const r = await a.put({ city, date: today, temperature: { min: -4, max: 1.5 }, units: 'C', conditions: 'snow' });
    expect(r.replicas).toBeGreaterThanOrEqual(1);
    const key = weatherKeys.entry(city, today);
    const primary = await lab.primaryOfSlot(calculateSlot(key));
    expect(await lab.admin(primary).pttl(key)).toBe(-1);
    const onReplicas = await Promise.all((await lab.replicasOf(primary)).map((x) => lab.admin(x).get(key)));
    expect(onReplicas.filter((v) => v && JSON.parse(v).origin === 'observation').length).toBeGreaterThanOrEqual(1);
    const read = await b.get(city, today);
    expect(read).toMatchObject({ state: 'HIT', weather: { origin: 'observation', conditions: 'snow' } });
  });

  it('answers STALE from a replica while the shard’s primary does not answer, and never asks the source', async () => {
    const city = freshCity();
    await a.get(city, today);
    const primary = await lab.primaryOfSlot(calculateSlot(weatherKeys.entry(city, today)));
    // Replication is asynchronous: the fill (no WAIT, a cache entry) reaches the replicas soon after.
    await lab.admin(primary).call('WAIT', '2', '2000');
    primary.pause();
    try {
      const t0 = Date.now();
      const r = await b.get(city, today);
      expect(r.state).toBe('STALE');
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(await served(city)).toBe(1);
      // A city on another shard is unaffected: a HIT from its own primary.
      let other = freshCity();
      while ((await lab.primaryOfSlot(calculateSlot(weatherKeys.entry(other, today)))) === primary) other = freshCity();
      await a.get(other, today);
      expect((await b.get(other, today)).state).toBe('HIT');
    } finally {
      primary.resume();
    }
  });

  it('keeps a write through its primary’s death: retried until a promoted replica acknowledges it', async () => {
    const city = freshCity();
    const key = weatherKeys.entry(city, today);
    const primary = await lab.primaryOfSlot(calculateSlot(key));
    await primary.kill();
    const t0 = Date.now();
    const r = await a.put({ city, date: today, temperature: { min: 10, max: 20 }, units: 'C', conditions: 'clear' });
    const took = Date.now() - t0;
    expect(r.attempts).toBeGreaterThan(1);
    expect(took).toBeLessThan(8000);
    const promoted = await lab.primaryOfSlot(calculateSlot(key));
    expect(promoted).not.toBe(primary);
    expect(JSON.parse((await lab.admin(promoted).get(key))!)).toMatchObject({ origin: 'observation', conditions: 'clear' });
    primary.start();
    await lab.waitHealthy();
    expect((await lab.check()).ok).toBe(true);
  }, 60_000);

  it('answers 503 when neither the cluster nor the source can, and serves cached cities with the source down', async () => {
    const cached = freshCity();
    await a.get(cached, today);
    const noSource = await backend({}, 'http://127.0.0.1:9'); // nothing listens on the discard port
    expect((await noSource.get(cached, today)).state).toBe('HIT');
    await expect(noSource.get(freshCity(), today)).rejects.toBeInstanceOf(WeatherUnavailable);
  });

  describe('the API (app.request, the same cluster)', () => {
    const app = () => createApp({ serverId: '1', serverName: 'backend1', weather: a });
    const put = (city: string, body: unknown, type = 'application/json') =>
      app().request(`/api/weather/${encodeURIComponent(city)}`, {
        method: 'PUT',
        headers: { 'content-type': type },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('says HIT, MISS in X-Cache and saves a PUT', async () => {
      const city = freshCity();
      const miss = await app().request(`/api/weather/${encodeURIComponent(city)}?date=${today}`);
      expect(miss.status).toBe(200);
      expect(miss.headers.get('x-cache')).toBe('MISS');
      expect((await app().request(`/api/weather/${encodeURIComponent(city)}`)).headers.get('x-cache')).toBe('HIT');
      const saved = await put(city, { temperature: { min: 1, max: 2 }, conditions: 'fog' });
      expect(saved.status).toBe(200);
      expect(await saved.json()).toMatchObject({ saved: true, date: today });
      expect(await (await app().request(`/api/weather/${encodeURIComponent(city)}`)).json()).toMatchObject({ conditions: 'fog' });
    });

    it('refuses bad cities, dates and bodies with a clear 4xx', async () => {
      const bad = async (path: string, init?: RequestInit) => {
        const r = await app().request(path, init);
        return { status: r.status, error: ((await r.json()) as { error: string }).error };
      };
      expect(await bad('/api/weather/R2D2')).toMatchObject({ status: 400, error: expect.stringMatching(/invalid city/) });
      expect(await bad('/api/weather/%7Bx%7D')).toMatchObject({ status: 400 });
      expect(await bad('/api/weather/Paris?date=2026-02-30')).toMatchObject({ status: 400, error: expect.stringMatching(/calendar day/) });
      expect(await bad('/api/weather/Paris?date=1800-01-01')).toMatchObject({ status: 400, error: expect.stringMatching(/out of range/) });
      expect((await put('Paris', 'not json')).status).toBe(400);
      expect((await put('Paris', { temperature: { min: 5, max: 1 }, conditions: 'rain' })).status).toBe(400);
      expect((await put('Paris', { temperature: { min: 1, max: 5 }, conditions: 'meteors' })).status).toBe(400);
      expect((await put('Paris', { temperature: { min: 1, max: 5 }, conditions: 'rain', extra: 1 })).status).toBe(400);
      expect((await put('Paris', 'x', 'text/plain')).status).toBe(415);
      expect((await put('Paris', { pad: 'x'.repeat(5000) })).status).toBe(413);
      expect((await app().request('/api/weather/Paris', { method: 'DELETE' })).status).toBe(405);
    });

    it('answers 503 with Retry-After without a cluster, and when the source is down on a miss', async () => {
      const none = await createApp({ serverId: '1', serverName: 'b' }).request('/api/weather/Paris');
      expect(none.status).toBe(503);
      expect(none.headers.get('retry-after')).toBeTruthy();
      const down = createApp({ serverId: '1', serverName: 'b', weather: await backend({}, 'http://127.0.0.1:9') });
      const r = await down.request(`/api/weather/${encodeURIComponent(freshCity())}`);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
    });
  });

  it('gives the app user nothing outside its keys and commands (ACL)', async () => {
    await expect(clients[0]!.primary.set('other:key', '1')).rejects.toThrow(/NOPERM/);
    await expect(clients[0]!.primary.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
  });
});
