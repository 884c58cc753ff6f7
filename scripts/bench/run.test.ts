import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, HakitError } from '../errors.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { profiles } from '../stack/profiles.js';
import { dataLayoutProblems, runBench, verifyProfile, type BenchOptions } from './run.js';
import { acquireLock } from './lock.js';

/** A runtime whose preflight finds the kit's network in use (another stack up). */
class BusyNetwork extends FakeRuntime {
  checks = 0;
  override async preflight() {
    this.checks++;
    return [{ problem: 'address range 10.213.0.0/24 is already in use on this host', fix: 'hakit down' }];
  }
}

const options = (lock: string): BenchOptions => ({
  profiles: ['tuned'],
  repeat: 1,
  loadSeconds: 1,
  connections: 1,
  flapSeconds: 0,
  flapHogs: 0,
  rrRequests: 10,
  lock,
  write: () => undefined,
});

describe('runBench with a lock', () => {
  it('checks the preflight only once it holds the lock, and stops there', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'hkbench-')), 'lock');
    const rt = new BusyNetwork();
    const held = await acquireLock(lock);
    const bench = runBench(rt, options(lock));
    await new Promise((r) => setTimeout(r, 300));
    // Someone else's stack holds the lock: nothing checked yet.
    expect(rt.checks).toBe(0);
    await held();
    const err = await bench.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HakitError);
    expect((err as HakitError).exitCode).toBe(ExitCode.preflight);
    expect((err as HakitError).message).toMatch(/already in use/);
    expect(rt.checks).toBe(1);
    // The lock was released: it can be taken again at once.
    await (
      await acquireLock(lock, 2000)
    )();
  });
});

describe('verifyProfile', () => {
  /** A stack under ucarp whose lb2 is still starting: no VIP manager recorded, no state yet. */
  const lateLb2 = () => {
    const rt = new FakeRuntime();
    rt.runFiles.set('lb1/vip-manager', 'ucarp\n');
    rt.runFiles.set('lb2/transitions.log', '');
    return rt;
  };

  it('waits for the second LB to start its VIP manager before reading what it runs', async () => {
    const rt = lateLb2();
    setTimeout(() => {
      rt.runFiles.set('lb2/vip-manager', 'ucarp\n');
      rt.runFiles.set('lb2/transitions.log', '1700000000000 ucarp BACKUP\n');
    }, 300);
    await expect(verifyProfile(rt, profiles.ucarp, 5000)).resolves.toBeUndefined();
  });

  it('refuses a stack whose LB runs keepalived under a peer profile', async () => {
    const rt = lateLb2();
    rt.runFiles.set('lb2/transitions.log', '1700000000000 VI_1 BACKUP 100\n');
    await expect(verifyProfile(rt, profiles.ucarp, 5000)).rejects.toThrow('the netns runtime did not apply the ucarp profile on lb2');
  });
});

describe('dataLayoutProblems', () => {
  const node = (name: string, state: string, sentinel: string) => ({ name, role: 'redis', state, detail: { sentinel } });
  it("passes the textbook's two Redis nodes and one Sentinel, and names what differs", () => {
    const applied = [node('redis1', 'PRIMARY', 'none'), node('redis2', 'REPLICA', 'none'), node('redis3', 'SENTINEL', 'redis1')];
    expect(dataLayoutProblems(profiles.textbook, applied)).toEqual([]);
    const kit = [node('redis1', 'PRIMARY', 'redis1'), node('redis2', 'REPLICA', 'redis1'), node('redis3', 'REPLICA', 'redis1')];
    expect(dataLayoutProblems(profiles.textbook, kit)).toEqual([
      'redis1 runs a Sentinel',
      'redis2 runs a Sentinel',
      'redis3 runs a Redis (REPLICA)',
    ]);
    expect(dataLayoutProblems(profiles.tuned, kit)).toEqual([]);
  });
});
