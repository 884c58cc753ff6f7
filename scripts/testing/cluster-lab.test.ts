// The loopback cluster itself: nine nodes from the kit's entrypoint and config form a clean
// cluster, a primary's SIGKILL promotes one of its replicas, and it rejoins as a replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterLab } from './cluster-lab.js';
import { missingPrerequisites, skipOutsideCi, failUnderCi } from './prerequisites.js';
import { until } from './redis-lab.js';

const missing = await missingPrerequisites(['redis-server', 'redis-cli', 'setpriv']);

describe.skipIf(skipOutsideCi(missing))('the loopback Redis Cluster', () => {
  let lab: ClusterLab;
  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ClusterLab.start();
  }, 90_000);
  afterAll(() => lab?.stop());

  it('has three primaries, each with two replicas, every slot covered', async () => {
    const v = await lab.view();
    const primaries = v.filter((l) => l.primary);
    expect(primaries).toHaveLength(3);
    for (const p of primaries) expect(v.filter((l) => l.masterId === p.id)).toHaveLength(2);
    expect((await lab.check()).ok).toBe(true);
  });

  it('runs the kit node config: AOF on, replica validity 0, the node timeout, default user off', async () => {
    const a = lab.admin(lab.nodes[0]!);
    const get = async (k: string) => ((await a.call('CONFIG', 'GET', k)) as string[])[1];
    expect(await get('appendonly')).toBe('yes');
    expect(await get('cluster-replica-validity-factor')).toBe('0');
    expect(await get('cluster-node-timeout')).toBe('250');
    expect(await get('cluster-require-full-coverage')).toBe('no');
    const users = (await a.call('ACL', 'LIST')) as string[];
    expect(users.find((u) => u.startsWith('user default '))).toMatch(/ off /);
  });

  it('promotes a replica when a primary is SIGKILLed, and the old one rejoins as a replica', async () => {
    const old = await lab.primaryOfSlot(0);
    const replicas = await lab.replicasOf(old);
    await old.kill();
    await until('a replica to be promoted', async () => (await lab.primaryOfSlot(0).catch(() => old)) !== old, 10_000);
    const promoted = await lab.primaryOfSlot(0);
    expect(replicas).toContain(promoted);
    old.start();
    await lab.waitHealthy();
    expect((await lab.replicasOf(promoted)).map((n) => n.name)).toContain(old.name);
  }, 60_000);
});
