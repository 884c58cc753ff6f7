// Smoke run of `hakit bench`: one run per profile with tiny durations, through the real CLI. It
// keeps the command working and checks the comparison's direction, not any timing figure.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../scripts/bench/report.js';
import { packageRoot } from '../scripts/paths.js';
import { NetnsRuntime } from '../scripts/runtime/netns.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'flock']);
const run = promisify(execFile);

describe.skipIf(skipOutsideCi(missing))('hakit bench (smoke: --repeat 1, tiny durations)', () => {
  const rt = new NetnsRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'hkbench-'));
  let report: BenchReport;
  let exitCode = 0;

  beforeAll(async () => {
    failUnderCi(missing);
    await claimStack(rt);
    const args = [
      '--runtime',
      'netns',
      'bench',
      // The kit against the textbook only: the other profiles have their own tests' worth of time.
      '--profiles',
      'textbook,tuned',
      '--repeat',
      '1',
      '--load-seconds',
      '1',
      '--flap-seconds',
      '1',
      '--rr-requests',
      '20',
      '--json',
      '--markdown',
      join(dir, 'bench.md'),
    ];
    const r = await run(process.execPath, [join(packageRoot, 'dist', 'scripts', 'cli.js'), ...args], { maxBuffer: 64 * 2 ** 20 }).catch(
      (err: { stdout: string; code: number }) => {
        exitCode = err.code;
        return err;
      },
    );
    report = JSON.parse(r.stdout) as BenchReport;
  }, 600_000);

  afterAll(async () => {
    await releaseStack(rt);
  });

  it('prints {machine, profiles: {textbook, tuned}, ratios}, every figure as {min, median, max}', () => {
    expect(exitCode).toBe(0);
    expect(Object.keys(report)).toEqual(['machine', 'profiles', 'ratios']);
    expect(Object.keys(report.profiles).sort()).toEqual(['textbook', 'tuned']);
    for (const p of [report.profiles.textbook!, report.profiles.tuned!]) {
      expect(p.runs).toBe(1);
      expect(p.problems).toEqual([]);
      for (const figure of [
        p.f1.blackoutMs,
        p.f1.failed,
        p.f2.blackoutMs,
        p.f3.failed,
        p.f4.failed,
        p.f5.failed,
        p.f6.vipMoved,
        p.roundRobin.maxDeviationPct,
        p.throughput.vip.rps,
        p.throughput.haproxy.p99Ms,
        p.up.coldMs,
        p.up.warmMs,
        p.memoryMiB.haproxy,
        p.flap.masterTransitions,
      ]) {
        expect(figure).toEqual({ min: expect.any(Number), median: expect.any(Number), max: expect.any(Number) });
      }
    }
    expect(report.ratios.textbookOverTuned.f1BlackoutMs).toEqual({
      min: expect.any(Number),
      median: expect.any(Number),
      max: expect.any(Number),
    });
    expect(readFileSync(join(dir, 'bench.md'), 'utf8')).toContain('| F1 active LB killed hard: blackout |');
  });

  it('the tuned profile fails over faster than the textbook one on a hard kill (F1)', () => {
    expect(report.profiles.tuned!.f1.blackoutMs!.median).toBeLessThan(report.profiles.textbook!.f1.blackoutMs!.median);
  });

  it('the textbook profile pre-empts on restore (F6) and the tuned one does not', () => {
    expect(report.profiles.textbook!.f6.runsMoved).toBe(1);
    expect(report.profiles.tuned!.f6.runsMoved).toBe(0);
  });

  it('left no stack behind', async () => {
    expect(await rt.leftovers()).toEqual([]);
  });
});
