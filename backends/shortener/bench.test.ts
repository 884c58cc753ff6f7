// The shortener's figures on the loopback servers: redirect throughput and p50/p99 (in-process
// through the app, against the same loop on /healthz as the floor), create latency, an empty
// replica's catch-up on 100,000 links, and the batch lag from a click to Postgres. Not run by
// default: SHORTENER_BENCH=1 /work/slot N run npx vitest run backends/shortener/bench.test.ts
// Prints one JSON line. Through the VIP these belong in `hakit bench` (not wired yet).
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import { failUnderCi, missingPrerequisites } from '../../scripts/testing/prerequisites.js';
import { until } from '../../scripts/testing/redis-lab.js';
import { ShortenerLab } from '../../scripts/testing/shortener-lab.js';
import { cacheClient } from './cache.js';
import { encode, LINKS } from './log.js';
import { totals } from './postgres.js';
import { Shortener } from './service.js';

const on = process.env.SHORTENER_BENCH === '1';
const missing = await missingPrerequisites(['nats-server', 'etcd', 'patroni', 'redis-server'], true);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function loop(
  app: Hono,
  path: () => string,
  seconds: number,
  concurrency: number,
): Promise<{ rps: number; p50: number; p99: number; failed: number }> {
  const lat: number[] = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const r = await app.request(path(), { headers: { 'x-request-id': `b-${Math.random()}` } });
        lat.push(performance.now() - t0);
        if (r.status >= 400) failed++;
      }
    }),
  );
  return { rps: Math.round(lat.length / seconds), p50: round(pct(lat, 50)), p99: round(pct(lat, 99)), failed };
}

describe.runIf(on)('the shortener bench on the loopback servers', () => {
  let lab: ShortenerLab;
  const shs: Shortener[] = [];
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ShortenerLab.start({ postgres: 1 });
  }, 300_000);
  afterAll(async () => {
    await Promise.all(shs.map((s) => s.stop(3000)));
    await lab?.stop();
  });

  it('measures', async () => {
    const b1 = new Shortener(lab.settings('backend1', { flushMs: 1000 }), () => undefined);
    shs.push(b1);
    await b1.start();
    await until('b1 master', async () => b1.isMaster, 15_000);
    const app = createApp({ serverId: '1', serverName: 'backend1', shortener: b1 });
    const load = loadavg()[0]!;

    const createLat: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      codes.push((await b1.create(`https://bench.test/${i}`)).link.code);
      createLat.push(performance.now() - t0);
    }
    await until('the replica to hold the links', async () => (await b1.cache.url(codes.at(-1)!)) !== null);
    const floor = await loop(app, () => '/healthz', 5, 16);
    let k = 0;
    const redirect = await loop(app, () => `/${codes[k++ % codes.length]}`, 5, 16);

    // Batch lag: one click on a fresh link, then Postgres polled every 20 ms (flush timer 1 s).
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const c = (await b1.create(`https://bench.test/lag/${i}`)).link.code;
      await until('link applied', async () => (await b1.cache.url(c)) !== null);
      await b1.clicks.flush(true);
      const before = (await totals(b1.db)).clicks;
      const t0 = Date.now();
      await app.request(`/${c}`, { headers: { 'x-request-id': `lag-${i}-${Date.now()}` } });
      await until('the click in Postgres', async () => (await totals(b1.db)).clicks > before, 10_000);
      lags.push(Date.now() - t0);
    }

    // 100,000 links into the stream, then a replica whose Redis is empty catches up.
    const js = b1.js!;
    const t0 = Date.now();
    for (let i = 0; i < 100_000; i += 1000)
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) =>
          js.publish(
            `links.bench${String(i + j).padStart(6, '0')}`,
            encode({ code: `b${i + j}`, url: `https://bench.test/bulk/${i + j}`, createdAt: new Date().toISOString() }),
          ),
        ),
      );
    const publishMs = Date.now() - t0;
    const target = (await b1.jsm!.streams.info(LINKS)).state.last_seq;
    const admin = cacheClient(lab.settings('backend2').redis.get('backend2')!, 'admin', lab.secrets.cache.admin);
    await new Promise((r) => admin.once('ready', r));
    await admin.flushall();
    admin.disconnect();
    const t1 = Date.now();
    const b2 = new Shortener(lab.settings('backend2'), () => undefined);
    shs.push(b2);
    await b2.start();
    await until('the empty replica to catch up', async () => (await b2.cache.position()) >= target, 120_000);
    const catchUpMs = Date.now() - t1;

    const figures = {
      loadavg1: round(load),
      createMs: { p50: round(pct(createLat, 50)), p99: round(pct(createLat, 99)) },
      floor,
      redirect,
      batchLagMs: { min: Math.min(...lags), p50: pct(lags, 50), max: Math.max(...lags) },
      catchUp: { links: target, ms: catchUpMs, publishMs },
    };
    console.log(JSON.stringify(figures));
    expect(redirect.failed).toBe(0);
    await sleep(10);
  }, 600_000);
});
