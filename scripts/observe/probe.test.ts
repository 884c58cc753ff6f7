import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backends/app.js';
import { assertKitAddress, isSuccess, probeOnce, runProbe } from './probe.js';
import { defaultTopology } from '../stack/topology.js';

let server: Server;
let url = '';

beforeAll(async () => {
  const app = createApp({ serverId: '1', serverName: 'backend1' });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('probe', () => {
  it('records status and the serving backend', async () => {
    const r = await probeOnce(url, 1000);
    expect(r.status).toBe(200);
    expect(r.backend).toBe('backend1');
    expect(isSuccess(r)).toBe(true);
  });

  it('records a refused connection as an error, not a success', async () => {
    const r = await probeOnce('http://127.0.0.1:1/', 1000);
    expect(r.error).toBe('ECONNREFUSED');
    expect(isSuccess(r)).toBe(false);
  });

  it('stops at maxRequests and keeps the interval', async () => {
    const records = await runProbe({ url, intervalMs: 5, maxRequests: 20 });
    expect(records).toHaveLength(20);
    expect(records.every(isSuccess)).toBe(true);
    const span = records.at(-1)!.atMs - records[0]!.atMs;
    expect(span).toBeGreaterThanOrEqual(19 * 5 - 5);
  });

  it('stops at maxDurationMs', async () => {
    const records = await runProbe({ url, intervalMs: 10, maxRequests: 10_000, maxDurationMs: 100 });
    expect(records.length).toBeGreaterThan(3);
    expect(records.length).toBeLessThanOrEqual(11);
  });

  it('reuses one connection with keepAlive', async () => {
    const records = await runProbe({ url, intervalMs: 2, maxRequests: 5, keepAlive: true });
    expect(records.every(isSuccess)).toBe(true);
  });

  it('refuses targets outside loopback and the kit network', () => {
    // A topology whose host address this machine has (loopback), so its subnet counts as present.
    const present = { ...defaultTopology, hostAddress: '127.0.0.1' };
    expect(() => assertKitAddress('http://10.213.0.10/', present)).not.toThrow();
    expect(() => assertKitAddress('http://127.0.0.1:8080/', defaultTopology)).not.toThrow();
    expect(() => assertKitAddress('http://192.168.1.1/', present)).toThrow(/refusing/);
    expect(() => assertKitAddress('http://example.com/', present)).toThrow(/refusing/);
  });

  it('refuses the kit subnet while no interface carries the kit host address', () => {
    const absent = { ...defaultTopology, hostAddress: '10.213.0.254' };
    expect(() => assertKitAddress('http://10.213.0.10/', absent)).toThrow(/not the kit's network right now/);
  });
});
