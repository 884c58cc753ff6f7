import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, HakitError } from '../errors.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { runBench, type BenchOptions } from './run.js';
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
