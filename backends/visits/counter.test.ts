// The visit counter against real redis-server processes (scripts/testing/redis-lab.ts): a primary
// with one replica, so a WAIT can be acknowledged, and a lone server, so it cannot.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOnClient, type Data } from '../data.js';
import { createApp } from '../app.js';
import { missingPrerequisites, skipOutsideCi, failUnderCi } from '../../scripts/testing/prerequisites.js';
import { backendDirectClient, ready, RedisLab, testVisitSettings } from '../../scripts/testing/redis-lab.js';
import { visitKeys } from './keys.js';
import type { DayTotals, LogPage } from './stats.js';

const missing = await missingPrerequisites(['redis-server'], false);
let n = 0;
const rid = () => `t-${process.pid}-${Date.now()}-${++n}`;

describe.skipIf(skipOutsideCi(missing))('visit counter on a primary with a replica', () => {
  let lab: RedisLab;
  let client: Redis;
  let data: Data;
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await RedisLab.start({ replicas: 1 });
    client = backendDirectClient(lab, lab.nodes[0]!, 2000);
    await ready(client);
    // Generous bounds: a loaded CI machine must not turn "counted" into "pending" here.
    data = dataOnClient(client, testVisitSettings({ logCap: 5, deadlineMs: 2000 }), 1000, 'backend1');
  });
  afterAll(async () => {
    client?.disconnect();
    await lab?.stop();
  });

  const view = (requestId: string, visitor = 'visitor-a', lb = 'lb1') => data.visits.record({ requestId, visitor, lb, atMs: Date.now() });
  const counterNow = async () => Number(await lab.admin(lab.nodes[0]!).get(visitKeys.counter(data.visits.today())));

  it('counts a view once a replica acknowledged it, and the counter moves by one', async () => {
    const before = await counterNow();
    const r = await view(rid());
    expect(r).toMatchObject({ state: 'counted', count: before + 1, replayed: false });
    expect(await counterNow()).toBe(before + 1);
    // The course's check: the replica holds the same count.
    expect(Number(await lab.admin(lab.nodes[1]!).get(visitKeys.counter(data.visits.today())))).toBe(before + 1);
  });

  it('counts the same request id once and shows the same number again', async () => {
    const id = rid();
    const first = await view(id);
    const again = await view(id, 'visitor-b');
    expect(first.state).toBe('counted');
    expect(again).toMatchObject({ state: 'counted', replayed: true });
    if (first.state !== 'counted' || again.state !== 'counted') return;
    expect(again.count).toBe(first.count);
    expect(again.uniques).toBe(first.uniques);
    expect(await counterNow()).toBe(first.count);
  });

  it('counts concurrent views each once, with distinct numbers', async () => {
    const before = await counterNow();
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => view(rid())));
    const shown = outcomes.flatMap((o) => (o.state === 'counted' ? [o.count] : []));
    expect(shown).toHaveLength(40);
    expect(new Set(shown).size).toBe(40);
    expect(Math.max(...shown)).toBe(before + 40);
    expect(await counterNow()).toBe(before + 40);
  });

  it('counts unique visitors per day (HyperLogLog)', async () => {
    const day = data.visits.today();
    await lab.admin(lab.nodes[0]!).del(visitKeys.visitors(day));
    for (const v of ['u1', 'u2', 'u1', 'u3', 'u2']) await view(rid(), v);
    const last = await view(rid(), 'u3');
    expect(last).toMatchObject({ state: 'counted', uniques: 3 });
  });

  it('keeps a capped log, newest first, served in pages', async () => {
    const app = createApp({ serverId: '1', serverName: 'backend1', data });
    for (let i = 0; i < 7; i++) await view(rid(), `log-${i}`, 'lb2');
    const first = (await (await app.request('/api/visits/log?size=2')).json()) as LogPage;
    expect(first).toMatchObject({ day: data.visits.today(), page: 1, size: 2, total: 5 });
    expect(first.entries.map((e) => e.visitor)).toEqual(['log-6', 'log-5']);
    expect(first.entries[0]).toMatchObject({ server: 'backend1', lb: 'lb2' });
    expect(Date.parse(first.entries[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    const third = (await (await app.request('/api/visits/log?size=2&page=3')).json()) as LogPage;
    expect(third.entries.map((e) => e.visitor)).toEqual(['log-2']);
    expect((await app.request('/api/visits/log?day=2026-13-40')).status).toBe(400);
    expect((await app.request('/api/visits/log?size=0')).status).toBe(400);
  });

  it('sets daily keys to expire after the retention', async () => {
    const ttl = await lab.admin(lab.nodes[0]!).ttl(visitKeys.counter(data.visits.today()));
    expect(ttl).toBeGreaterThan(29 * 86_400);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
  });

  it('reports per-day totals and uniques', async () => {
    const app = createApp({ serverId: '1', serverName: 'backend1', data });
    const body = (await (await app.request('/api/visits?days=3')).json()) as { days: DayTotals[] };
    expect(body.days).toHaveLength(3);
    expect(body.days[0]).toEqual({ day: data.visits.today(), visits: await counterNow(), uniques: expect.any(Number) });
    expect(body.days[1]!.visits).toBe(0);
    expect((await app.request('/api/visits?days=31')).status).toBe(400);
  });

  it('shows the count on the page, with a visitor cookie and X-Count', async () => {
    const app = createApp({ serverId: '1', serverName: 'backend1', data });
    const res = await app.request('/', { headers: { 'x-request-id': rid(), 'x-lb': 'lb1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-count')).toBe('counted');
    const lines = (await res.text()).split('\n');
    expect(lines.slice(0, 2)).toEqual(['Hello, World!', 'Server 1']);
    expect(lines[2]).toBe(`Visits today: ${await counterNow()} · unique visitors today: ${lines[2]!.split(': ').at(-1)}`);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^hakit_visitor=[A-Za-z0-9_-]{22}; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax$/);
    // A returning visitor keeps the id: no new cookie.
    const again = await app.request('/', { headers: { cookie: cookie.split(';')[0]! } });
    expect(again.headers.get('set-cookie')).toBeNull();
    const html = await (await app.request('/', { headers: { accept: 'text/html' } })).text();
    expect(html).toMatch(/<p id="count" data-state="counted">Visits today: \d+ · unique visitors today: \d+<\/p>/);
  });

  it('does not count ?count=0, HEAD, /healthz', async () => {
    const app = createApp({ serverId: '1', serverName: 'backend1', data });
    const before = await counterNow();
    const res = await app.request('/?count=0');
    expect(await res.text()).toBe('Hello, World!\nServer 1');
    expect(res.headers.get('x-count')).toBeNull();
    await app.request('/', { method: 'HEAD' });
    await app.request('/healthz');
    expect(await counterNow()).toBe(before);
  });
});

describe.skipIf(skipOutsideCi(missing))('visit counter without a replica, or without Redis', () => {
  let lab: RedisLab;
  const clients: Redis[] = [];
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await RedisLab.start();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await lab?.stop();
  });
  const appOn = async (port?: number) => {
    const c = port ? backendDirectClient(lab, { ...lab.nodes[0]!, port }) : backendDirectClient(lab, lab.nodes[0]!);
    clients.push(c);
    if (!port) await ready(c);
    return createApp({ serverId: '1', serverName: 'backend1', data: dataOnClient(c, testVisitSettings(), 100, 'backend1') });
  };

  it('says the count is pending when no replica acknowledges it', async () => {
    const app = await appOn();
    const res = await app.request('/');
    expect(res.headers.get('x-count')).toBe('pending');
    expect((await res.text()).split('\n')[2]).toMatch(/^Visits today: pending/);
  });

  it('answers 200 fast, count unavailable, when Redis is paused (slow)', async () => {
    const app = await appOn();
    const admin = lab.admin(lab.nodes[0]!);
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    try {
      const t0 = performance.now();
      const res = await app.request('/');
      const ms = performance.now() - t0;
      expect(res.status).toBe(200);
      expect(res.headers.get('x-count')).toBe('unavailable');
      expect(ms).toBeLessThan(300);
      expect((await res.text()).split('\n')).toEqual(['Hello, World!', 'Server 1', expect.stringMatching(/^Visits today: unavailable/)]);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
  });

  it('answers 200 fast, count unavailable, when nothing listens; the API says 503', async () => {
    const app = await appOn(1); // port 1 on loopback: refused
    const t0 = performance.now();
    const res = await app.request('/');
    expect(performance.now() - t0).toBeLessThan(300);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-count')).toBe('unavailable');
    const api = await app.request('/api/visits');
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: 'storage unavailable' });
  });

  it('refuses to count when min-replicas-to-write is not met (NOREPLICAS)', async () => {
    const admin = lab.admin(lab.nodes[0]!);
    await admin.config('SET', 'min-replicas-to-write', '1');
    try {
      const app = await appOn();
      const res = await app.request('/');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-count')).toBe('unavailable');
    } finally {
      await admin.config('SET', 'min-replicas-to-write', '0');
    }
  });
});
