// The shortener against its real servers on loopback (scripts/testing/shortener-lab.ts: three
// nats-servers with JetStream, three etcd members with auth, Patroni + Postgres 15, a Redis per
// backend), through the kit's own entrypoints. No mocks: each check can fail on a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../scripts/testing/prerequisites.js';
import { until } from '../../scripts/testing/redis-lab.js';
import { ShortenerLab } from '../../scripts/testing/shortener-lab.js';
import { cacheClient, LinkCache } from './cache.js';
import { CLICKS, encode } from './log.js';
import { applyClicks, totals } from './postgres.js';
import { Shortener } from './service.js';

const missing = await missingPrerequisites(
  ['nats-server', 'etcd', 'etcdctl', 'patroni', 'redis-server', '/usr/lib/postgresql/15/bin/postgres'],
  true,
);

describe.skipIf(skipOutsideCi(missing))('the URL shortener on its real servers', () => {
  let lab: ShortenerLab;
  const started: Shortener[] = [];
  const open = async (node: 'backend1' | 'backend2') => {
    const sh = new Shortener(lab.settings(node), process.env.SHORTENER_DEBUG ? (m) => console.error(`${node}: ${m}`) : () => undefined);
    started.push(sh);
    await sh.start();
    return sh;
  };
  const appOf = (sh: Shortener, name: string) => createApp({ serverId: name.slice(-1), serverName: name, shortener: sh });
  const masterOf = async (...all: Shortener[]) => {
    let m: Shortener | undefined;
    await until(
      'one master',
      async () => {
        const ms = all.filter((s) => s.isMaster);
        m = ms[0];
        return ms.length === 1;
      },
      15_000,
    );
    return m!;
  };

  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ShortenerLab.start({ postgres: 1 });
  }, 240_000);
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop(3000)));
    await lab?.stop();
  });

  it('creates on the master, redirects on both replicas, counts each request id once, exactly once into Postgres', async () => {
    const b1 = await open('backend1');
    const b2 = await open('backend2');
    const master = await masterOf(b1, b2);
    const other = master === b1 ? b2 : b1;
    const mApp = appOf(master, master.s.node);
    const oApp = appOf(other, other.s.node);

    // URL validation, through the route
    for (const bad of ['ftp://x.test/', 'https://u:p@x.test/', 'not a url']) {
      const r = await mApp.request('/api/links', {
        method: 'POST',
        body: JSON.stringify({ url: bad }),
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status, bad).toBe(400);
    }
    const notJson = await mApp.request('/api/links', { method: 'POST', body: 'x' });
    expect(notJson.status).toBe(400);
    // Creates go to the master only.
    const refused = await oApp.request('/api/links', { method: 'POST', body: JSON.stringify({ url: 'https://example.test/a' }) });
    expect(refused.status).toBe(503);

    const made = await mApp.request('/api/links', { method: 'POST', body: JSON.stringify({ url: 'https://example.test/a' }) });
    expect(made.status).toBe(201);
    const link = (await made.json()) as { code: string; shortUrl: string };
    expect(link.shortUrl).toBe(`http://short.test/${link.code}`);
    // The same URL twice: the same code, not a second link.
    const again = await mApp.request('/api/links', { method: 'POST', body: JSON.stringify({ url: 'https://example.test/a' }) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { code: string }).code).toBe(link.code);

    // Both replicas redirect (the other one may answer from the log before its Redis has it).
    for (const app of [mApp, oApp]) {
      const r = await app.request(`/${link.code}`, { headers: { 'x-request-id': `rid-${app === mApp ? 'm' : 'o'}` } });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe('https://example.test/a');
    }
    if (process.env.SHORTENER_DEBUG) setTimeout(() => console.error(JSON.stringify([b1.follower?.state, b2.follower?.state])), 3000);
    await until(
      'the other replica to hold the link in its Redis',
      async () => (await other.cache.url(link.code)) === 'https://example.test/a',
    );
    expect((await oApp.request('/zzzzzz9')).status).toBe(404);
    expect((await oApp.request('/healthz')).status).toBe(200); // a kit path is never a code

    // 250 clicks, each request id sent twice (HAProxy's retry on the other backend): 250 counted.
    for (let i = 0; i < 250; i++) {
      const id = `click-${i}`;
      expect((await mApp.request(`/${link.code}`, { headers: { 'x-request-id': id } })).status).toBe(302);
      expect((await oApp.request(`/${link.code}`, { headers: { 'x-request-id': id } })).status).toBe(302);
    }
    await until(
      '252 clicks in Postgres',
      async () => {
        const s = await master.stats(link.code);
        return s?.clicks === 252 && s.pending === 0;
      },
      15_000,
    );
    const stats = await mApp.request(`/api/links/${link.code}/stats`);
    expect(await stats.json()).toEqual({ code: link.code, url: 'https://example.test/a', clicks: 252, pending: 0 });

    // Exactly once by sequence: the same batch delivered again, and published again under a new
    // sequence (a crash before the outbox was cleared, past the dedup window), counts nothing.
    const before = await totals(master.db);
    const batch = { code: link.code, ids: ['click-1', 'click-2'] };
    expect(await applyClicks(master.db, [{ seq: before.positions.CLICKS!, value: batch }])).toBe(0);
    const ack = await master.js!.publish('clicks.backend1', encode({ node: 'backend1', ...batch }));
    expect(ack.stream).toBe(CLICKS);
    await until('the aggregator to pass the republished batch', async () => (await totals(master.db)).positions.CLICKS! >= ack.seq);
    expect((await totals(master.db)).clicks).toBe(before.clicks);
  }, 90_000);

  it('moves the master role when the master resigns, and a replica catches up from its stored position', async () => {
    const [b1, b2] = started;
    const master = await masterOf(b1!, b2!);
    const other = master === b1 ? b2! : b1!;
    await master.election!.stop(); // resigns: etcd names the other at once
    const t0 = Date.now();
    await until('the other candidate to be master', async () => other.isMaster, 5000);
    expect(Date.now() - t0).toBeLessThan(5000);

    // The old master's replica stops; links are created meanwhile; a fresh one resumes after its
    // stored position (not from 1), and catches up.
    await master.follower!.stop();
    const pos = await master.cache.position();
    for (let i = 0; i < 50; i++) await other.create(`https://example.test/later/${i}`);
    const node = master.s.node as 'backend1' | 'backend2';
    const revived = new Shortener(lab.settings(node), () => undefined);
    started.push(revived);
    await revived.start();
    await until('the revived replica to catch up', async () => (await revived.cache.position()) >= pos + 50, 15_000);
    expect(revived.follower!.state.rebuilds).toBe(0);
    expect(await revived.cache.url((await other.create('https://example.test/later/7')).link.code)).toBe('https://example.test/later/7');

    // Its Redis loses its data: it reads the stream again from the start.
    const admin = cacheClient(lab.settings(node).redis.get(node)!, 'admin', lab.secrets.cache.admin);
    await new Promise((r) => admin.once('ready', r));
    await admin.flushall();
    admin.disconnect();
    await until('the replica to rebuild', async () => (await revived.cache.position()) >= pos + 50, 15_000);
    expect(revived.follower!.state.rebuilds).toBeGreaterThanOrEqual(1);
    expect(await new LinkCache(revived.cache.redis).count()).toBeGreaterThanOrEqual(51);
  }, 60_000);
});
