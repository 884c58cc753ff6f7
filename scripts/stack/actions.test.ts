// The actions over the Runtime seam, against the in-memory runtime.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// restoreNode reads the stats credentials from the state directory: a private one for this file.
process.env.HAKIT_STATE_DIR = mkdtempSync(join(tmpdir(), 'hakit-actions-'));
const { killNode, restoreNode, waitHealthy } = await import('./actions.js');
const { getStatus, isHealthy, masters } = await import('../observe/status.js');
const { FakeRuntime } = await import('../testing/fake-runtime.js');
const { ExitCode, HakitError } = await import('../errors.js');

describe('actions', () => {
  it('kill refuses an unknown node and lists the valid ones', async () => {
    const err = await killNode(new FakeRuntime(), 'lb9', 'hard').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HakitError);
    expect((err as InstanceType<typeof HakitError>).exitCode).toBe(ExitCode.usage);
    expect((err as Error).message).toMatch(/lb9/);
    expect((err as InstanceType<typeof HakitError>).hint).toMatch(/lb1, lb2, backend1, backend2/);
  });

  it('kill --mode haproxy applies to load balancers only, and kills HAProxy alone there', async () => {
    const rt = new FakeRuntime();
    await expect(killNode(rt, 'backend1', 'haproxy')).rejects.toThrow(/applies to load balancers, not to backend1/);
    await killNode(rt, 'lb1', 'haproxy');
    expect(rt.calls).toEqual(['kill haproxy lb1']);
    expect(masters(await getStatus(rt))).toEqual(['lb2']);
  });

  it('restore leaves a whole node alone, and brings a dead one (or one whose HAProxy died) back', async () => {
    const rt = new FakeRuntime();
    expect(await restoreNode(rt, 'lb2')).toBe(false);
    await killNode(rt, 'backend1', 'hard');
    expect(await restoreNode(rt, 'backend1')).toBe(true);
    await killNode(rt, 'lb2', 'haproxy');
    expect(await restoreNode(rt, 'lb2')).toBe(true);
    expect(rt.calls).toEqual(['stop backend1 hard', 'restore backend1', 'kill haproxy lb2', 'restore lb2']);
    expect(isHealthy(await getStatus(rt))).toBe(true);
  });

  it('waitHealthy gives up with what it saw last', async () => {
    const rt = new FakeRuntime();
    await killNode(rt, 'backend2', 'hard');
    await expect(waitHealthy(rt, 300)).rejects.toThrow(/within 0.3 s \(lb1 MASTER, lb2 BACKUP, backend1 UP, backend2 DOWN\)/);
  });
});

describe('status', () => {
  it('reads each group: LBs from the VIP and the notify log, backends from HAProxy', async () => {
    const rt = new FakeRuntime();
    const s = await getStatus(rt);
    expect(s.nodes.map((n) => `${n.name} ${n.role} ${n.state} ${n.address}`)).toEqual([
      'lb1 lb MASTER 10.213.0.11',
      'lb2 lb BACKUP 10.213.0.12',
      'backend1 backend UP 10.213.0.21',
      'backend2 backend UP 10.213.0.22',
    ]);
    expect(isHealthy(s)).toBe(true);
  });

  it('a cut between the LBs shows two MASTERs and an unhealthy stack', async () => {
    const rt = new FakeRuntime();
    await rt.partition({ a: ['lb1'], b: ['lb2'], only: 'vrrp' }, true);
    const s = await getStatus(rt);
    expect(masters(s)).toEqual(['lb1', 'lb2']);
    expect(isHealthy(s)).toBe(false);
  });

  it('with every LB down, backends are DOWN too: nobody can say otherwise', async () => {
    const rt = new FakeRuntime();
    await rt.stop('lb1', 'hard');
    await rt.stop('lb2', 'hard');
    expect((await getStatus(rt)).nodes.map((n) => n.state)).toEqual(['DOWN', 'DOWN', 'DOWN', 'DOWN']);
  });
});
