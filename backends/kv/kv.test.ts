// The key-value API against a real redis-server with a replica (scripts/testing/redis-lab.ts).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { dataOnClient } from '../data.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../scripts/testing/prerequisites.js';
import { backendDirectClient, ready, RedisLab, testVisitSettings } from '../../scripts/testing/redis-lab.js';
import { KvStore, kvLimits } from './store.js';

const missing = await missingPrerequisites(['redis-server'], false);
let n = 0;
const key = () => `k${process.pid}-${++n}`;

describe.skipIf(skipOutsideCi(missing))('key-value API', () => {
  let lab: RedisLab;
  let client: Redis;
  let app: ReturnType<typeof createApp>;
  let small: ReturnType<typeof createApp>;
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await RedisLab.start({ replicas: 1 });
    client = backendDirectClient(lab, lab.nodes[0]!, 2000);
    await ready(client);
    const data = dataOnClient(client, testVisitSettings({ deadlineMs: 2000 }), 1000, 'backend1');
    app = createApp({ serverId: '1', serverName: 'backend1', data });
    // The same store with room for 3 values per key, to reach the bound in a test.
    small = createApp({ serverId: '1', serverName: 'backend1', data: { ...data, kv: new KvStore(client, data.visits.ack, 2000, 3) } });
  });
  afterAll(async () => {
    client?.disconnect();
    await lab?.stop();
  });

  const post = (a: typeof app, k: string, body: string, type = 'text/plain', requestId?: string) =>
    a.request(`/api/kv/${k}`, {
      method: 'POST',
      body,
      headers: { 'content-type': type, ...(requestId ? { 'x-request-id': requestId } : {}) },
    });
  const getText = async (k: string) => (await app.request(`/api/kv/${k}`)).text();

  it('appends values in order and reads them back as storage.py printed them, or as JSON', async () => {
    const k = key();
    expect((await post(app, k, 'test_value')).status).toBe(201);
    await post(app, k, JSON.stringify({ value: 'test_value2' }), 'application/json');
    const last = await post(app, k, 'test_value3', 'text/plain; charset=utf-8');
    expect(await last.json()).toEqual({ key: k, values: 3, replayed: false, replicated: true });
    expect(await getText(k)).toBe('test_value, test_value2, test_value3\n');
    const json = await app.request(`/api/kv/${k}`, { headers: { accept: 'application/json' } });
    expect(await json.json()).toEqual(['test_value', 'test_value2', 'test_value3']);
    expect(await (await app.request(`/api/kv/${k}?format=json`)).json()).toEqual(['test_value', 'test_value2', 'test_value3']);
  });

  it('answers a missing key with an empty answer, not an error', async () => {
    const res = await app.request(`/api/kv/${key()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await (await app.request(`/api/kv/${key()}?format=json`)).json()).toEqual([]);
  });

  it('appends once per request id', async () => {
    const k = key();
    const id = `req-${k}`;
    await post(app, k, 'once', 'text/plain', id);
    const again = await post(app, k, 'once', 'text/plain', id);
    expect(await again.json()).toMatchObject({ values: 1, replayed: true });
    expect(await getText(k)).toBe('once\n');
  });

  it('refuses bad input with clear JSON errors', async () => {
    const bad = await post(app, 'no%20spaces', 'x');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid key' });
    expect((await post(app, 'k'.repeat(kvLimits.keyMaxLength + 1), 'x')).status).toBe(400);
    expect((await app.request(`/api/kv/${'k'.repeat(kvLimits.keyMaxLength + 1)}`)).status).toBe(400);
    const type = await post(app, key(), 'x', 'application/x-www-form-urlencoded');
    expect(type.status).toBe(415);
    expect(await type.json()).toMatchObject({ error: 'unsupported content type', supported: ['text/plain', 'application/json'] });
    expect((await post(app, key(), '{"value": 3}', 'application/json')).status).toBe(400);
    expect((await post(app, key(), '{nope', 'application/json')).status).toBe(400);
    expect((await post(app, key(), '')).status).toBe(400);
  });

  it('refuses a value over 64 KiB with 413, whatever the body form; accepts one of exactly 64 KiB', async () => {
    const k = key();
    const max = 'é'.repeat(kvLimits.valueMaxBytes / 2); // 2 bytes each in UTF-8
    expect((await post(app, k, max)).status).toBe(201);
    const over = await post(app, k, max + 'x');
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ error: 'value too large', bytes: kvLimits.valueMaxBytes + 1, limit: kvLimits.valueMaxBytes });
    expect((await post(app, k, JSON.stringify({ value: max + 'x' }), 'application/json')).status).toBe(413);
    // JSON escaping may double the body: a 64 KiB value of quotes still fits the body limit.
    expect((await post(app, k, JSON.stringify({ value: '"'.repeat(kvLimits.valueMaxBytes) }), 'application/json')).status).toBe(201);
  });

  it('refuses appends beyond the values-per-key bound with 409', async () => {
    const k = key();
    for (const v of ['a', 'b', 'c']) expect((await post(small, k, v)).status).toBe(201);
    const full = await post(small, k, 'd');
    expect(full.status).toBe(409);
    expect(await full.json()).toMatchObject({ error: 'too many values for this key', values: 3, limit: 3 });
    expect(await getText(k)).toBe('a, b, c\n');
  });

  it('describes itself at /api, and says 405 to PUT', async () => {
    const res = await app.request('/api');
    const body = (await res.json()) as { endpoints: { path: string }[]; limits: { valueBytes: number } };
    expect(body.endpoints.map((e) => e.path)).toContain('/api/kv/{key}');
    expect(body.limits.valueBytes).toBe(kvLimits.valueMaxBytes);
    const put = await app.request(`/api/kv/${key()}`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('key-value API without Redis', () => {
  const app = createApp({ serverId: '1', serverName: 'backend1' });
  it('answers 503 in JSON, and still describes itself', async () => {
    const res = await app.request('/api/kv/a', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'storage not configured' });
    expect((await app.request('/api/visits')).status).toBe(503);
    expect((await app.request('/api/visits/log')).status).toBe(503);
    expect((await app.request('/api')).status).toBe(200);
  });
});
