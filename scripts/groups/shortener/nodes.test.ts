import { describe, expect, it } from 'vitest';
import { checkTopology } from '../index.js';
import { defaultTopology } from '../../stack/topology.js';
import { shortenerSettingsFromEnv } from '../../../backends/shortener/settings.js';
import { shortenerClientEnv, shortenerNodes } from './nodes.js';

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
