// Every fault of the catalogue against the in-memory runtime: what inject does to the stack, and
// that heal leaves a healthy stack with one VIP holder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Restores read the stats credentials from the state directory: a private one for this file.
process.env.HAKIT_STATE_DIR = mkdtempSync(join(tmpdir(), 'hakit-catalogue-'));
const { catalogue, cuttable, drawable, faultById, faultByKind, faultOfCut, faultOfKill } = await import('./catalogue.js');
const { resolveTargets } = await import('./targets.js');
const { getStatus, isHealthy, masters } = await import('../observe/status.js');
const { FakeRuntime } = await import('../testing/fake-runtime.js');
const { lbGroup } = await import('../groups/lb/index.js');

type Fake = InstanceType<typeof FakeRuntime>;
const stateOf = async (rt: Fake, node: string) => (await getStatus(rt)).nodes.find((n) => n.name === node)?.state;

describe('the fault catalogue', () => {
  let rt: Fake;
  beforeEach(() => {
    rt = new FakeRuntime();
  });

  it('defines F1–F8, O1, R1–R5, C1–C4 and U1–U5 once each, with names and kinds that are unique', () => {
    expect(catalogue.map((f) => f.id)).toEqual([
      'F1',
      'F2',
      'F3',
      'F4',
      'F5',
      'F6',
      'F7',
      'F8',
      'O1',
      'R1',
      'R2',
      'R3',
      'R4',
      'R5',
      'C1',
      'C2',
      'C3',
      'C4',
      'U1',
      'U2',
      'U3',
      'U4',
      'U5',
    ]);
    expect(new Set(catalogue.map((f) => f.name)).size).toBe(catalogue.length);
    expect(new Set(catalogue.map((f) => f.kind)).size).toBe(catalogue.length);
    expect(faultByKind('partition').id).toBe('F7');
    expect(() => faultById('F9' as never)).toThrow(/F9/);
  });

  it('budgets 0 lost, doubled and reordered operations for every fault', () => {
    for (const f of catalogue) expect([f.cost.lost, f.cost.doubled, f.cost.reordered]).toEqual([0, 0, 0]);
  });

  it('O1 reloads both LBs in place, the BACKUP first: no restart, no VIP move, a new HAProxy worker on each', async () => {
    const check = vi.spyOn(lbGroup, 'checkConfig').mockResolvedValue([]);
    const workers = [...rt.haproxyMasters.values()].map((m) => m.worker);
    await faultById('O1').inject(rt, ['lb1', 'lb2']);
    expect(rt.calls).toEqual([]);
    expect(rt.delivered.map((d) => d.split(' ')[0])).toEqual(['lb2', 'lb2', 'lb2', 'lb1', 'lb1', 'lb1']);
    expect([...rt.haproxyMasters.values()].map((m) => m.worker)).not.toEqual(expect.arrayContaining(workers));
    expect(masters(await getStatus(rt))).toEqual(['lb1']);
    check.mockRestore();
  });

  it('chaos draws by node group: LB faults only on a stack of LBs, never F6 (every LB fault heals into it)', () => {
    expect(drawable(['lb']).map((f) => f.id)).toEqual(['F1', 'F2', 'F3', 'F7']);
    expect(drawable(['lb', 'backend']).map((f) => f.id)).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F7', 'F8']);
    expect(drawable(['lb', 'backend', 'redis']).map((f) => f.id)).toEqual([
      'F1',
      'F2',
      'F3',
      'F4',
      'F5',
      'F7',
      'F8',
      'R1',
      'R2',
      'R3',
      'R4',
      'R5',
    ]);
  });

  it('draws the shortener faults only on a stack with the shortener (its backends have their own Redis)', () => {
    const groups = ['lb', 'backend', 'nats', 'etcd', 'postgres', 'cache'] as const;
    expect(drawable([...groups]).map((f) => f.id)).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F7', 'F8', 'U1', 'U2', 'U3', 'U4', 'U5']);
    expect(drawable(['lb', 'backend', 'nats', 'postgres']).some((f) => f.id.startsWith('U'))).toBe(false);
  });

  it("aims the shortener faults at Patroni's primary, the links stream's leader, the master, the other backend and its Redis", async () => {
    const t = (await import('../stack/topology.js')).withFeatures((await import('../stack/topology.js')).defaultTopology, ['shortener']);
    const holders = { vip: '', shortener: { pgPrimary: 'pg2', logLeader: 'nats3', linksMaster: 'backend1' } };
    expect(resolveTargets(t, 'pg-primary', holders)).toEqual(['pg2']);
    expect(resolveTargets(t, 'log-leader', holders)).toEqual(['nats3']);
    expect(resolveTargets(t, 'links-master', holders)).toEqual(['backend1']);
    expect(resolveTargets(t, 'links-replica', holders)).toEqual(['backend2']);
    expect(resolveTargets(t, 'replica-cache', holders)).toEqual(['cache2']);
    expect(resolveTargets(t, 'replica-cache', { ...holders, shortener: { ...holders.shortener, linksMaster: 'backend2' } })).toEqual([
      'cache1',
    ]);
  });

  it('aims the data faults at the primary, a replica, or the primary against the rest', async () => {
    const t = (await import('../stack/topology.js')).defaultTopology;
    const holders = { vip: 'lb1', primary: 'redis2' };
    expect(resolveTargets(t, 'redis-primary', holders)).toEqual(['redis2']);
    expect(resolveTargets(t, 'redis-replica', holders)).toEqual(['redis1']);
    expect(resolveTargets(t, 'redis-primary-cut', holders)).toEqual(['redis2', 'redis1', 'redis3', 'backend1', 'backend2']);
  });

  it.each([
    ['F1', 'active-lb', ['lb1']],
    ['F4', 'one-backend', ['backend1']],
    ['F7', 'all-lbs', ['lb1', 'lb2']],
    ['F8', 'all-backends', ['backend1', 'backend2']],
  ] as const)('%s hits %s: %j', (id, rule, targets) => {
    expect(faultById(id).target).toBe(rule);
    expect(resolveTargets(rt.topology, rule, 'lb1')).toEqual(targets);
  });

  it.each(['F1', 'F2', 'F3'] as const)('%s on the VIP holder moves the VIP; heal brings the LB back as BACKUP', async (id) => {
    const f = faultById(id);
    await f.inject(rt, ['lb1']);
    expect(masters(await getStatus(rt))).toEqual(['lb2']);
    expect(await stateOf(rt, 'lb1')).toMatch(/DOWN|FAULT/);
    await f.heal(rt, ['lb1']);
    const s = await getStatus(rt);
    expect(masters(s)).toEqual(['lb2']);
    expect(isHealthy(s)).toBe(true);
  });

  it('F2 kills HAProxy alone: the node keeps running', async () => {
    await faultById('F2').inject(rt, ['lb1']);
    expect((await rt.nodes()).find((n) => n.spec.name === 'lb1')?.running).toBe(true);
    expect(rt.calls).toEqual(['kill haproxy lb1']);
  });

  it('F4 and F5 take one backend out; heal restores it', async () => {
    for (const id of ['F4', 'F5'] as const) {
      await faultById(id).inject(rt, ['backend2']);
      expect(await stateOf(rt, 'backend2')).toBe('DOWN');
      expect(await stateOf(rt, 'backend1')).toBe('UP');
      await faultById(id).heal(rt, ['backend2']);
      expect(isHealthy(await getStatus(rt))).toBe(true);
    }
    expect(rt.calls).toEqual(['stop backend2 hard', 'restore backend2', 'stop backend2 graceful', 'restore backend2']);
  });

  it('F7 cuts VRRP between the LBs only (two VIP holders), and heals to one', async () => {
    const f = faultById('F7');
    await f.inject(rt, ['lb1', 'lb2']);
    expect(masters(await getStatus(rt)).sort()).toEqual(['lb1', 'lb2']);
    expect(rt.calls).toEqual(['cut lb1 | lb2']);
    await f.heal(rt, ['lb1', 'lb2']);
    await f.heal(rt, ['lb1', 'lb2']);
    expect(masters(await getStatus(rt))).toHaveLength(1);
  });

  it('F8 takes every backend down; heal brings them all back', async () => {
    await faultById('F8').inject(rt, ['backend1', 'backend2']);
    expect((await getStatus(rt)).nodes.filter((n) => n.role === 'backend').map((n) => n.state)).toEqual(['DOWN', 'DOWN']);
    await faultById('F8').heal(rt, ['backend1', 'backend2']);
    expect(isHealthy(await getStatus(rt))).toBe(true);
  });

  it('F6 restores a down LB without moving the VIP (nopreempt)', async () => {
    await faultById('F1').inject(rt, ['lb2']);
    await faultById('F6').inject(rt, ['lb2']);
    expect(masters(await getStatus(rt))).toEqual(['lb1']);
    expect(await stateOf(rt, 'lb2')).toBe('BACKUP');
  });
});

describe("a kill named as the catalogue's fault (the dashboard's chart)", () => {
  it('names the kill of the primary, the replica, the active LB and a backend', () => {
    expect(faultOfKill('redis', 'PRIMARY', 'hard')).toBe('R1');
    expect(faultOfKill('redis', 'PRIMARY', 'graceful')).toBe('R2');
    expect(faultOfKill('redis', 'PRIMARY', 'sentinel')).toBe('R3');
    expect(faultOfKill('redis', 'REPLICA', 'hard')).toBe('R4');
    expect(faultOfKill('lb', 'MASTER', 'hard')).toBe('F1');
    expect(faultOfKill('lb', 'MASTER', 'haproxy')).toBe('F2');
    expect(faultOfKill('backend', 'UP', 'graceful')).toBe('F5');
    expect(faultOfKill('postgres', 'PRIMARY', 'hard')).toBe('U1');
    expect(faultOfKill('nats', 'FOLLOWER', 'hard')).toBe('U2');
    expect(faultOfKill('postgres', 'REPLICA', 'hard')).toBeUndefined();
    // Not a catalogue fault: a replica's graceful stop, the backup LB's death.
    expect(faultOfKill('redis', 'REPLICA', 'graceful')).toBeUndefined();
    expect(faultOfKill('lb', 'BACKUP', 'hard')).toBeUndefined();
  });
});

describe("a cut-off named as the catalogue's fault (the dashboard's chart)", () => {
  it('offers it on data nodes only, and names the cut of the primary R5', async () => {
    const { dataNodeCut } = await import('./targets.js');
    const { defaultTopology } = await import('../stack/topology.js');
    expect(faultOfCut('redis', 'PRIMARY')).toBe('R5');
    expect(faultOfCut('redis', 'REPLICA')).toBeUndefined();
    expect([cuttable('redis'), cuttable('lb'), cuttable('backend')]).toEqual([true, false, false]);
    // A replica cut off as R5 cuts the primary: from the other data nodes and the backends.
    expect(dataNodeCut(defaultTopology, 'redis2')).toEqual(['redis2', 'redis1', 'redis3', 'backend1', 'backend2']);
  });
});
