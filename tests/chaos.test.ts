// A short real chaos soak (netns) through the CLI: a fixed seed whose first faults cover F4, F5,
// F1, F7 and R4 (a data node's replica); asserts the report's shape, that faults were injected, that no invariant was
// violated, that the VIP serves again right after the partition heals, and that the stack is gone after.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import type { ChaosJson } from '../scripts/chaos/report.js';
import { packageRoot } from '../scripts/paths.js';
import type { NetnsRuntime } from '../scripts/runtime/netns.js';
import { openRuntime } from '../scripts/runtime/select.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'nft']);
const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

describe.skipIf(skipOutsideCi(missing))('hakit chaos --duration 25s --seed 49 (netns)', () => {
  let rt: NetnsRuntime;
  let out: ChaosJson;
  let exitCode: number | null;
  let stderr: string;

  beforeAll(async () => {
    failUnderCi(missing);
    rt = (await openRuntime('netns')) as NetnsRuntime;
    await claimStack(rt);
    // chaos brings the stack up itself and takes it down at the end.
    const r = await $({ nothrow: true, quiet: true })`node ${cli} --runtime netns chaos --duration 25s --seed 49 --json`;
    exitCode = r.exitCode;
    stderr = r.stderr;
    out = JSON.parse(r.stdout) as ChaosJson;
  }, 150_000);

  afterAll(async () => {
    await releaseStack(rt);
  });

  it('injects at least 5 faults from the seeded plan, each with its figures', () => {
    expect(out.seed).toBe(49);
    expect(out.runtime).toBe('netns');
    expect(out.faults.length).toBeGreaterThanOrEqual(5);
    // Seed 49's plan starts F4 backend2, F5 backend1, F1 active LB, F7 partition, R4 a replica.
    expect(out.faults.slice(0, 5).map((f) => f.mode)).toEqual(['F4', 'F5', 'F1', 'F7', 'R4']);
    expect(out.faults[0]!.target).toBe('backend2');
    expect(out.faults[3]!.target).toBe('lb1+lb2');
    expect(out.faults[4]!.target).toMatch(/^redis\d$/);
    // The partition really cut VRRP: both LBs were seen holding the VIP while it lasted.
    expect(out.faults[3]!.splitBrainMs).toBeGreaterThan(0);
    for (const f of out.faults) {
      expect(f.requests).toBeGreaterThan(0);
      expect(f.recoveredMs).not.toBeNull();
    }
    expect(out.requests).toBeGreaterThan(500);
    expect(stderr).toMatch(/F1 lb-hard/);
  });

  it('carries the longest gap after the heal for every F7, and the VIP serves again at once (generous bound)', () => {
    const partitions = out.faults.filter((f) => f.mode === 'F7');
    expect(partitions.length).toBeGreaterThan(0);
    console.log(`chaos: F7 longest gap after the heal ${partitions.map((f) => `${f.afterHealBlackoutMs} ms`).join(', ')}`);
    for (const f of partitions) {
      expect(f.afterHealBlackoutMs).not.toBeNull();
      expect(f.afterHealBlackoutMs!).toBeLessThan(2000);
    }
    for (const f of out.faults.filter((x) => x.mode !== 'F7')) expect(f.afterHealBlackoutMs).toBeNull();
  });

  it('violates no invariant and exits 0', () => {
    // chaos's own bound after a heal is 0.5 s; a busy test machine is held to the 2 s above.
    expect(out.violations.filter((v) => v.invariant !== 'served-after-heal')).toEqual([]);
    expect(exitCode).toBe(out.violations.length ? 1 : 0);
  });

  it('backend faults cost no request; the stack is gone after', async () => {
    for (const f of out.faults.filter((x) => x.kind === 'backend-hard' || x.kind === 'backend-graceful')) expect(f.failed).toBe(0);
    expect(await rt.leftovers()).toEqual([]);
    expect(await rt.isUp()).toBe(false);
  });
});
