// `hakit kv` against the real API (a backend app on loopback, on a real redis-server).
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../backends/app.js';
import { dataOnClient } from '../../../backends/data.js';
import { HakitError } from '../../errors.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../testing/prerequisites.js';
import { backendDirectClient, ready, RedisLab, testVisitSettings } from '../../testing/redis-lab.js';
import { kvAt } from './kv.js';

const missing = await missingPrerequisites(['redis-server'], false);

describe.skipIf(skipOutsideCi(missing))('hakit kv', () => {
  let lab: RedisLab;
  let client: Redis;
  let server: Server;
  let base = '';
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await RedisLab.start();
    client = backendDirectClient(lab, lab.nodes[0]!, 1000);
    await ready(client);
    const app = createApp({ serverId: '1', serverName: 'backend1', data: dataOnClient(client, testVisitSettings(), 50, 'backend1') });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server?.close();
    client?.disconnect();
    await lab?.stop();
  });

  it('prints nothing after an append, then the values as storage.py did', async () => {
    const key = `cli-${process.pid}`;
    expect(await kvAt(base, { key })).toBe('');
    expect(await kvAt(base, { key, val: 'test_value' })).toBeUndefined();
    expect(await kvAt(base, { key })).toBe('test_value');
    await kvAt(base, { key, val: 'test_value2' });
    await kvAt(base, { key, val: 'test value3, with a comma' });
    expect(await kvAt(base, { key })).toBe('test_value, test_value2, test value3, with a comma');
    expect(JSON.parse((await kvAt(base, { key, json: true }))!)).toEqual(['test_value', 'test_value2', 'test value3, with a comma']);
  });

  it("turns the API's JSON error into a message", async () => {
    const err = await kvAt(base, { key: 'bad key!', val: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HakitError);
    expect((err as HakitError).message).toMatch(/invalid key; 1 to 200 characters.*\(HTTP 400\)/);
  });
});
