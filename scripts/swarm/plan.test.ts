import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ExitCode, HakitError } from '../errors.js';
import { inSubnet } from '../stack/topology.js';
import { labPlan } from './lab.js';
import { defaultPlanFile, loadPlan, MAX_BACKENDS, networkOf, savePlan, swarmTopology, validatePlan, type SwarmPlan } from './plan.js';

/** A valid plan on another LAN than the lab's, so nothing below passes only by the lab's values. */
const good = (): SwarmPlan => ({
  vip: '192.168.40.200',
  prefix: 24,
  interface: 'ens18',
  lbs: { lb1: { node: 'edge-a', address: '192.168.40.5' }, lb2: { node: 'edge-b', address: '192.168.40.6' } },
  backends: 3,
});

const dir = mkdtempSync(join(tmpdir(), 'hkplan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validatePlan', () => {
  it('accepts the lab plan and a hand-written one', () => {
    expect(validatePlan(labPlan())).toEqual([]);
    expect(validatePlan(labPlan(MAX_BACKENDS))).toEqual([]);
    expect(validatePlan(good())).toEqual([]);
    expect(validatePlan({ ...good(), clientAddress: '192.168.40.1', registry: 'reg.local:5000' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    const errors = validatePlan({
      vip: '10.0.0.300',
      prefix: 31,
      interface: 'eth 0',
      lbs: { lb1: { node: 'same', address: 'nope' }, lb2: { node: 'same', address: '10.0.0.12' } },
      backends: 0,
      clientAddress: '1.2.3',
    });
    const expected = [
      /^vip: "10\.0\.0\.300"/,
      /^prefix:/,
      /^interface:/,
      /^lbs\.lb1\.address: "nope"/,
      /^lbs: lb1 and lb2 must be different nodes/,
      /^backends:/,
      /^clientAddress: "1\.2\.3"/,
    ];
    for (const re of expected)
      expect(
        errors.some((e) => re.test(e)),
        `${re} in ${JSON.stringify(errors)}`,
      ).toBe(true);
    expect(errors).toHaveLength(expected.length);
  });

  it('reports a missing node and an address off the network along with the rest', () => {
    // The network check needs a valid VIP and prefix, so this is a second set of problems.
    const errors = validatePlan({
      ...good(),
      interface: '',
      lbs: { lb1: { node: '', address: '192.168.40.5' }, lb2: { node: 'edge-b', address: '10.9.9.9' } },
      backends: MAX_BACKENDS + 1,
      clientAddress: 'x',
    });
    const expected = [
      /^interface:/,
      /^lbs\.lb1\.node:/,
      /^lbs\.lb2\.address: 10\.9\.9\.9 is not on the VIP's network/,
      /^backends:/,
      /^clientAddress:/,
    ];
    for (const re of expected)
      expect(
        errors.some((e) => re.test(e)),
        `${re} in ${JSON.stringify(errors)}`,
      ).toBe(true);
    expect(errors).toHaveLength(expected.length);
  });

  it('reports an empty plan field by field', () => {
    const errors = validatePlan({});
    for (const field of ['vip', 'prefix', 'interface', 'lbs.lb1.node', 'lbs.lb1.address', 'lbs.lb2.node', 'lbs.lb2.address', 'backends']) {
      expect(
        errors.some((e) => e.startsWith(`${field}:`)),
        `${field} in ${JSON.stringify(errors)}`,
      ).toBe(true);
    }
    expect(errors.some((e) => e.startsWith('clientAddress'))).toBe(false);
  });

  // Each a single change to a valid plan, so each must give exactly its one error.
  const cases: Array<[string, (p: SwarmPlan) => void, RegExp]> = [
    ['a VIP that is not IPv4', (p) => (p.vip = '192.168.40'), /^vip:/],
    ['a VIP octet over 255', (p) => (p.vip = '192.168.40.256'), /^vip:/],
    ['prefix 7', (p) => (p.prefix = 7), /^prefix:/],
    ['prefix 31', (p) => (p.prefix = 31), /^prefix:/],
    ['a fractional prefix', (p) => (p.prefix = 24.5), /^prefix:/],
    ['an interface name with a space', (p) => (p.interface = 'eth 0'), /^interface:/],
    ['an interface name over 15 characters', (p) => (p.interface = 'a-very-long-name0'), /^interface:/],
    ['an empty interface name', (p) => (p.interface = ''), /^interface:/],
    ['an empty lb2 node', (p) => (p.lbs.lb2.node = ''), /^lbs\.lb2\.node:/],
    ['an LB address that is not IPv4', (p) => (p.lbs.lb1.address = 'edge-a'), /^lbs\.lb1\.address: "edge-a" is not an IPv4/],
    [
      'an LB address off the VIP network',
      (p) => (p.lbs.lb2.address = '192.168.41.6'),
      /^lbs\.lb2\.address: 192\.168\.41\.6 is not on the VIP's network 192\.168\.40\.200\/24/,
    ],
    ['lb1 and lb2 on one node', (p) => (p.lbs.lb2.node = p.lbs.lb1.node), /^lbs: lb1 and lb2 must be different nodes/],
    ['0 backends', (p) => (p.backends = 0), new RegExp(`^backends: must be an integer from 1 to ${MAX_BACKENDS}`)],
    ['too many backends', (p) => (p.backends = MAX_BACKENDS + 1), /^backends:/],
    ['a fractional backend count', (p) => (p.backends = 1.5), /^backends:/],
    ['a bad client address', (p) => (p.clientAddress = '192.168.40.x'), /^clientAddress: "192\.168\.40\.x"/],
  ];
  it.each(cases)('rejects %s', (_, change, re) => {
    const p = good();
    change(p);
    const errors = validatePlan(p);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(re);
  });

  it('refuses an unknown field (a misspelt clientAddress would be ignored) and optional fields of the wrong type', () => {
    const errors = validatePlan({
      ...good(),
      clientAdress: '192.168.40.1',
      manager: 2375,
      engines: { 'edge-a': 7 },
      registry: ['reg.local'],
      lbs: { lb1: { node: 'edge-a', address: '192.168.40.5', port: 1 }, lb2: { node: 'edge-b', address: '192.168.40.6' } },
    });
    expect(errors).toEqual([
      expect.stringMatching(/^lbs\.lb1: unknown field "port"/),
      expect.stringMatching(/^manager: must be an engine URL/),
      expect.stringMatching(/^engines: must map/),
      expect.stringMatching(/^registry: must be a registry address/),
      'unknown field "clientAdress"',
    ]);
  });

  it('reports a plan that is not an object, and lbs that are not one', () => {
    expect(validatePlan([])).toEqual([expect.stringMatching(/^the plan must be an object/)]);
    expect(validatePlan({ ...good(), lbs: 'edge-a,edge-b' })).toEqual(['lbs: must be an object with lb1 and lb2']);
  });

  it('accepts the bounds', () => {
    for (const change of [
      (p: SwarmPlan) => (p.backends = 1),
      (p: SwarmPlan) => (p.backends = MAX_BACKENDS),
      (p: SwarmPlan) =>
        Object.assign(p, {
          prefix: 30,
          lbs: { lb1: { node: 'a', address: '192.168.40.201' }, lb2: { node: 'b', address: '192.168.40.202' } },
        }),
      (p: SwarmPlan) => (p.prefix = 8),
      (p: SwarmPlan) => (p.interface = 'br-lan.10'),
    ]) {
      const p = good();
      change(p);
      expect(validatePlan(p)).toEqual([]);
    }
    // A /16 puts an address of another /24 on the VIP's network.
    expect(validatePlan({ ...good(), prefix: 16, lbs: { ...good().lbs, lb2: { node: 'edge-b', address: '192.168.41.6' } } })).toEqual([]);
  });

  it('uses the prefix for the LB network check', () => {
    // .5 and .200 share a /24 but not a /30.
    expect(validatePlan({ ...good(), prefix: 30 }).filter((e) => e.startsWith('lbs.'))).toHaveLength(2);
  });
});

describe('networkOf', () => {
  it.each([
    ['10.214.0.10', 24, '10.214.0.0/24'],
    ['192.168.5.77', 16, '192.168.0.0/16'],
    ['172.31.255.254', 12, '172.16.0.0/12'],
    ['10.1.2.3', 32, '10.1.2.3/32'],
    ['10.1.2.7', 30, '10.1.2.4/30'],
    ['255.255.255.255', 1, '128.0.0.0/1'],
    ['200.1.2.3', 0, '0.0.0.0/0'],
  ])('%s/%i is on %s', (ip, prefix, net) => {
    expect(networkOf(ip, prefix)).toBe(net);
    expect(inSubnet(ip, net)).toBe(true);
  });
});

describe('swarmTopology', () => {
  it('has the LBs at the plan addresses, backend1..N, the subnet of the VIP', () => {
    const p = good();
    const t = swarmTopology(p);
    expect(t.vip).toBe(p.vip);
    expect(t.subnet).toBe('192.168.40.0/24');
    const lb = t.nodes.filter((n) => n.role === 'lb');
    expect(lb).toEqual([
      { name: 'lb1', role: 'lb', address: '192.168.40.5', priority: 101 },
      { name: 'lb2', role: 'lb', address: '192.168.40.6', priority: 100 },
    ]);
    const backends = t.nodes.filter((n) => n.role === 'backend');
    expect(backends.map((b) => b.name)).toEqual(['backend1', 'backend2', 'backend3']);
    expect(backends.map((b) => b.serverId)).toEqual(['1', '2', '3']);
    expect(t.ports).toEqual({ http: 80, stats: 8404, backend: 8080 });
  });

  it('follows the backend count and the prefix', () => {
    const t = swarmTopology({ ...good(), backends: MAX_BACKENDS, prefix: 20 });
    expect(t.nodes.filter((n) => n.role === 'backend')).toHaveLength(MAX_BACKENDS);
    expect(t.nodes.at(-1)?.name).toBe(`backend${MAX_BACKENDS}`);
    expect(t.subnet).toBe('192.168.32.0/20');
  });

  it('uses the client address as the host address, and 0.0.0.0 without one', () => {
    expect(swarmTopology({ ...good(), clientAddress: '192.168.40.77' }).hostAddress).toBe('192.168.40.77');
    expect(swarmTopology(good()).hostAddress).toBe('0.0.0.0');
    const lab = labPlan();
    expect(swarmTopology(lab).hostAddress).toBe(lab.clientAddress);
    expect(swarmTopology(lab).subnet).toBe('10.214.0.0/24');
  });
});

describe('loadPlan / savePlan', () => {
  const fails = (file: string): HakitError => {
    try {
      loadPlan(file);
    } catch (err) {
      expect(err).toBeInstanceOf(HakitError);
      return err as HakitError;
    }
    throw new Error('expected a HakitError');
  };
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('a missing file is a preflight error that names the file', () => {
    const file = join(dir, 'no-such-plan.json');
    const err = fails(file);
    expect(err.exitCode).toBe(ExitCode.preflight);
    expect(err.message).toContain(file);
    expect(err.hint).toMatch(/lab up/);
  });

  it('a file that is not JSON is a usage error', () => {
    const err = fails(write('garbage.json', '{ vip: '));
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toMatch(/not JSON/);
  });

  it('a bad plan is a usage error listing every problem', () => {
    const err = fails(write('bad.json', JSON.stringify({ ...good(), vip: 'x', backends: 99 })));
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toMatch(/vip: "x"/);
    expect(err.message).toMatch(/backends:/);
  });

  it('round-trips through savePlan, creating the directory', () => {
    const file = join(dir, 'nested', 'deeper', 'plan.json');
    const plan: SwarmPlan = { ...labPlan(4), registry: 'registry.example:5000/' };
    savePlan(plan, file);
    expect(loadPlan(file)).toEqual(plan);
    // Overwrites, not appends.
    savePlan(good(), file);
    expect(loadPlan(file)).toEqual(good());
  });

  it('defaultPlanFile follows HAKIT_SWARM_PLAN', () => {
    vi.stubEnv('HAKIT_SWARM_PLAN', join(dir, 'from-env.json'));
    try {
      expect(defaultPlanFile()).toBe(join(dir, 'from-env.json'));
      savePlan(good());
      expect(loadPlan()).toEqual(good());
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
