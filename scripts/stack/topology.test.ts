import { describe, expect, it } from 'vitest';
import { checkTopology } from '../groups/index.js';
import { defaultTopology, hostsFile, inSubnet, validateTopology, type Topology } from './topology.js';

const clone = (): Topology => structuredClone(defaultTopology);

describe('validateTopology', () => {
  it('accepts the default topology', () => {
    expect(validateTopology(defaultTopology)).toEqual([]);
  });

  it('reports every problem at once', () => {
    const t = clone();
    t.vip = '192.168.1.10';
    t.nodes[1]!.name = 'lb1';
    t.nodes[1]!.priority = 101;
    t.ports.http = 70000;
    const errors = checkTopology(t);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/vip: 192\.168\.1\.10 is outside the subnet/),
        expect.stringMatching(/"lb1" is used twice/),
        expect.stringMatching(/equal priorities/),
        expect.stringMatching(/port http: 70000/),
      ]),
    );
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it('catches duplicate addresses and bad ones', () => {
    const t = clone();
    t.nodes[2]!.address = t.vip;
    t.nodes[3]!.address = '10.213.0.300';
    const errors = validateTopology(t);
    expect(errors.some((e) => /already used by vip/.test(e))).toBe(true);
    expect(errors.some((e) => /not an IPv4 address/.test(e))).toBe(true);
  });
});

describe('checkTopology', () => {
  it('adds the rules of each node group and refuses a node of no group', () => {
    expect(checkTopology(defaultTopology)).toEqual([]);
    const t = clone();
    t.nodes = t.nodes.filter((n) => n.name !== 'lb2' && n.role !== 'backend');
    t.nodes.push({ name: 'db1', role: 'database' as never, address: '10.213.0.41' });
    expect(checkTopology(t)).toEqual([
      'node db1: no node group "database" (groups: lb, backend, redis, cluster, weather, nats, etcd, postgres, cache)',
      'expected 2 load balancers, found 1',
      'expected at least 1 backend',
    ]);
    expect(validateTopology(t)).toEqual([]);
  });
});

describe('inSubnet', () => {
  it.each([
    ['10.213.0.10', '10.213.0.0/24', true],
    ['10.213.1.10', '10.213.0.0/24', false],
    ['127.0.0.1', '127.0.0.0/8', true],
    ['10.213.0.0', '10.213.0.0/32', true],
    ['nonsense', '10.0.0.0/8', false],
    ['10.0.0.1', '10.0.0.0', false],
    ['10.0.0.1', '10.0.0.0/33', false],
    ['10.0.0.1', '10.0.0.0/24/8', false],
    ['010.0.0.1', '10.0.0.0/8', false],
    ['255.255.255.255', '0.0.0.0/0', true],
  ])('%s in %s → %s', (ip, net, expected) => {
    expect(inSubnet(ip, net)).toBe(expected);
  });
});

it('hostsFile names every node', () => {
  const text = hostsFile(defaultTopology);
  for (const n of defaultTopology.nodes) expect(text).toContain(`${n.address} ${n.name}\n`);
});
