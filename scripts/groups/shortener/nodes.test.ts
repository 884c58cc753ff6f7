import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkTopology } from '../index.js';
import { defaultTopology } from '../../stack/topology.js';
import { shortenerSettingsFromEnv } from '../../../backends/shortener/settings.js';
import { linksDetail, shortenerClientEnv, shortenerNodes } from './nodes.js';

const withShortener = { ...defaultTopology, nodes: [...defaultTopology.nodes, ...shortenerNodes] };

describe("the shortener's nodes", () => {
  it('fit the address plan (.61–.79) and every group rule', () => {
    for (const n of shortenerNodes) expect(Number(n.address.split('.')[3])).toBeGreaterThanOrEqual(61);
    for (const n of shortenerNodes) expect(Number(n.address.split('.')[3])).toBeLessThanOrEqual(79);
    expect(checkTopology(withShortener)).toEqual([]);
  });

  it('refuses a log of two nodes and a lone database node', () => {
    const t = { ...withShortener, nodes: withShortener.nodes.filter((n) => n.name !== 'nats3' && n.name !== 'pg2') };
    expect(checkTopology(t)).toEqual(
      expect.arrayContaining([expect.stringContaining('3 log nodes'), expect.stringContaining('2 database nodes')]),
    );
  });

  it('gives every backend what its own settings parser accepts, each backend its own Redis', () => {
    const secrets = { NATS_APP_PASSWORD: 'n', PG_APP_PASSWORD: 'p', ETCD_APP_PASSWORD: 'e', CACHE_APP_PASSWORD: 'c' };
    const env = shortenerClientEnv(withShortener, { user: 'admin', password: 'x', secrets });
    const s1 = shortenerSettingsFromEnv(env, 'backend1')!;
    expect(s1.nats.servers).toEqual(['10.213.0.61:4222', '10.213.0.62:4222', '10.213.0.63:4222']);
    expect(s1.redis.get('backend1')).toEqual({ host: '10.213.0.71', port: 6379 });
    expect(shortenerSettingsFromEnv(env, 'backend2')!.redis.get('backend2')).toEqual({ host: '10.213.0.72', port: 6379 });
    expect(s1.baseUrl).toBe('http://10.213.0.10/');
    // The tier alone: no shortener environment at all.
    expect(shortenerClientEnv(defaultTopology, { user: 'admin', password: 'x', secrets })).toEqual({});
  });
});

describe("a backend's shortener facts (status, dashboard)", () => {
  it("reads /api/links/status: master or replica, position, pending, the master's Postgres totals; nothing from a backend that does not answer", async () => {
    const bodies: Record<string, unknown> = {
      '/m': { isMaster: true, replica: { position: 42, behind: 0 }, pending: 3, postgres: { links: 40, clicks: 1200 } },
      '/r': { isMaster: false, replica: { position: 40, behind: 2 }, pending: 0 },
    };
    let which = '/m';
    const server = createServer((_req, res) => res.end(JSON.stringify(bodies[which])));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await linksDetail('127.0.0.1', port)).toEqual({
        shortener: 'master',
        position: 42,
        pending: 3,
        linksInPostgres: 40,
        clicksInPostgres: 1200,
      });
      which = '/r';
      expect(await linksDetail('127.0.0.1', port)).toEqual({ shortener: 'replica', position: 40, behind: 2, pending: 0 });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect(await linksDetail('127.0.0.1', port)).toBeUndefined();
  });
});
