import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HakitError } from '../errors.js';
import { differencesFromConfigs, loadTopologyFile, topologyFromData } from './topology-file.js';
import { defaultTopology } from './topology.js';

const dir = mkdtempSync(join(tmpdir(), 'hktopo-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fails = (path: string): HakitError => {
  try {
    loadTopologyFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(HakitError);
    return err as HakitError;
  }
  throw new Error('expected a HakitError');
};

describe('topology files', () => {
  it('accepts the default plan as JSON and as YAML', () => {
    expect(loadTopologyFile(file('ok.json', JSON.stringify(defaultTopology)))).toEqual(defaultTopology);
    const yaml = [
      'subnet: 10.213.0.0/24',
      'vip: 10.213.0.10',
      'nodes:',
      ...defaultTopology.nodes.map(
        (n) =>
          `  - { name: ${n.name}, role: ${n.role}, address: ${n.address}${n.priority ? `, priority: ${n.priority}` : ''}${n.serverId ? `, serverId: "${n.serverId}"` : ''} }`,
      ),
    ].join('\n');
    expect(loadTopologyFile(file('ok.yaml', yaml))).toEqual(defaultTopology);
  });

  it('reports every problem at once, with exit code 2', () => {
    const t = structuredClone(defaultTopology) as unknown as Record<string, unknown>;
    t.vip = '192.168.1.10';
    const nodes = t.nodes as Array<Record<string, unknown>>;
    nodes[1]!.name = 'lb1';
    nodes[1]!.priority = 101;
    nodes[2]!.role = 'database';
    t.ports = { http: 70000, stats: 8404, backend: 8080 };
    t.colour = 'blue';
    const err = fails(file('bad.json', JSON.stringify(t)));
    expect(err.exitCode).toBe(2);
    for (const m of [
      /outside the subnet/,
      /"lb1" is used twice/,
      /equal priorities/,
      /port http: 70000/,
      /node backend1: no node group "database" \(groups: lb, backend, redis, cluster, weather, nats, etcd, postgres, cache\)/,
      /unknown field "colour"/,
    ]) {
      expect(err.message).toMatch(m);
    }
    expect(err.message).toMatch(/nothing was started/);
  });

  it('reports a file that is not an object, or has no nodes', () => {
    expect(topologyFromData([]).errors).toEqual(expect.arrayContaining([expect.stringMatching(/must hold an object/)]));
    expect(topologyFromData({ subnet: '10.0.0.0/24', vip: '10.0.0.5' }).errors).toEqual(
      expect.arrayContaining(['nodes must be a list', 'expected 2 load balancers, found 0']),
    );
  });

  it('says where each shape problem is, and reports a port once though two checks refuse it', () => {
    const t = structuredClone(defaultTopology) as unknown as Record<string, unknown>;
    delete t.subnet;
    t.ports = { http: 'eighty', stats: 8404, backend: 8080, admin: 9000 };
    const nodes = t.nodes as unknown[];
    (nodes[0] as Record<string, unknown>).weight = 3;
    nodes.push('backend3', { role: 'backend', address: '10.213.0.23' });
    expect(topologyFromData(t).errors).toEqual([
      'subnet is missing',
      'port http: eighty is not a port number (1–65535)',
      'ports.admin: unknown (known: http, stats, backend)',
      'node lb1: unknown field "weight"',
      'nodes[7]: must be an object with name, role and address',
      'nodes[8]: name must be a string',
    ]);
    t.subnet = defaultTopology.subnet;
    // With a subnet the topology's own rules run too; the port's line is still there once.
    const errors = topologyFromData(t).errors;
    expect(errors.filter((e) => e.startsWith('port http:'))).toHaveLength(1);
    expect(errors).toContain('nodes[8]: name must be a string');
  });

  it('takes a numeric serverId as its name, and a list is not a topology', () => {
    const t = structuredClone(defaultTopology) as unknown as { nodes: Array<Record<string, unknown>> };
    t.nodes[2]!.serverId = 7;
    expect(topologyFromData(t).topology?.nodes[2]?.serverId).toBe('7');
    expect(topologyFromData([defaultTopology]).errors).toEqual(['the file must hold an object with subnet, vip and nodes']);
  });

  it('refuses a valid plan the configs do not carry', () => {
    const t = structuredClone(defaultTopology);
    t.subnet = '10.99.0.0/24';
    t.hostAddress = '10.99.0.1';
    t.vip = '10.99.0.10';
    t.nodes.forEach((n, i) => (n.address = `10.99.0.${20 + i}`));
    expect(topologyFromData(t).errors).toEqual([]);
    expect(differencesFromConfigs(t).length).toBeGreaterThan(0);
    const err = fails(file('other.json', JSON.stringify(t)));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/differs from the address plan/);
  });

  it('names unreadable and unparsable files', () => {
    expect(fails(join(dir, 'absent.json')).message).toMatch(/cannot read .*ENOENT/);
    expect(fails(file('broken.json', '{ "subnet": ')).message).toMatch(/not valid JSON/);
    expect(fails(file('broken.yaml', 'subnet: [')).message).toMatch(/not valid YAML/);
  });
});
