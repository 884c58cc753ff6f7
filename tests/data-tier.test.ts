// The data nodes on a real stack, per runtime (HAKIT_TEST_RUNTIMES, default netns): the page
// counts its visitors through the VIP; R1 (primary dies hard), R2 (planned switch) and R4 (a
// replica dies) through the tour's CLI lose and double no count, the page never fails, and after
// each restore the counter is equal on every data node; `down` keeps the data (the next `up`
// counts on from it), --volumes not.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { packageRoot } from '../scripts/paths.js';
import { silentProgress } from '../scripts/progress.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import { openRuntime, type RuntimeChoice } from '../scripts/runtime/select.js';
import { bringUp } from '../scripts/stack/actions.js';
import { urls } from '../scripts/stack/topology.js';
import { getStatus } from '../scripts/observe/status.js';
import { primaryCounter } from '../scripts/groups/redis/counter.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',') as RuntimeChoice[];
const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'redis-server', 'redis-sentinel', 'nsenter', 'nft']);
const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

interface DemoJson {
  ok: boolean;
  scenarios: Array<{
    id: string;
    failed: number;
    ok: boolean;
    note?: string;
    checks: Array<{ expect: string; ok: boolean }>;
    counts?: { acknowledged: number; lost: number; doubled: number; before: number; after: number };
    countersAfterRestore?: Record<string, number>;
  }>;
}

/** One page load through the VIP: the count it showed and the visitor cookie it set. */
async function view(rt: Runtime, cookie?: string) {
  const res = await fetch(urls(rt.topology).vip, { headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(3000) });
  const body = await res.text();
  const m = /Visits today: (\d+) · unique visitors today: (\d+)/.exec(body);
  return {
    status: res.status,
    lines: body.split('\n'),
    state: res.headers.get('x-count'),
    visits: Number(m?.[1]),
    uniques: Number(m?.[2]),
    cookie: res.headers.get('set-cookie')?.split(';')[0] ?? cookie,
  };
}

describe.skipIf(skipOutsideCi(missing)).each(runtimes)('the data nodes on %s', (name) => {
  let rt: Runtime;

  beforeAll(async () => {
    failUnderCi(missing);
    rt = await openRuntime(name);
    await claimStack(rt);
    await bringUp(rt, silentProgress);
  });

  afterAll(async () => {
    await releaseStack(rt);
  });

  it('lists one primary, two replicas and what each Sentinel believes', async () => {
    const data = (await getStatus(rt)).nodes.filter((n) => n.role === 'redis');
    expect(data.map((n) => n.state).sort()).toEqual(['PRIMARY', 'REPLICA', 'REPLICA']);
    const primary = data.find((n) => n.state === 'PRIMARY')!.name;
    expect(data.every((n) => n.detail?.sentinel === primary)).toBe(true);
  });

  it('counts views and unique visitors on the page', async () => {
    const first = await view(rt);
    expect(first.status).toBe(200);
    expect(first.lines.slice(0, 2)).toEqual(['Hello, World!', expect.stringMatching(/^Server \d+$/)]);
    expect(first.state).toBe('counted');
    const again = await view(rt, first.cookie);
    expect(again.visits).toBe(first.visits + 1);
    expect(again.uniques).toBe(first.uniques); // the same visitor
    const stranger = await view(rt);
    expect(stranger.uniques).toBe(first.uniques + 1);
  });

  it('R1, R2 and R4 lose and double no count, and the page never fails', async () => {
    const r = await $({ nothrow: true, quiet: true })`node ${cli} --runtime ${name} demo --only R1,R2,R4 --json`;
    const out = JSON.parse(r.stdout) as DemoJson;
    expect(out.scenarios.map((s) => s.id)).toEqual(['R1', 'R2', 'R4']);
    // A scenario that did not reach its expected state says why.
    expect(out.scenarios.filter((s) => s.note).map((s) => `${s.id}: ${s.note}`)).toEqual([]);
    for (const s of out.scenarios) {
      expect({ id: s.id, failed: s.failed, lost: s.counts?.lost, doubled: s.counts?.doubled }).toEqual({
        id: s.id,
        failed: 0,
        lost: 0,
        doubled: 0,
      });
      expect(s.counts!.acknowledged).toBeGreaterThan(0);
      // The course's check: after the restore, every data node holds the same counter.
      const counters = Object.values(s.countersAfterRestore ?? {});
      expect(counters).toHaveLength(3);
      expect(new Set(counters).size).toBe(1);
      expect(s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.expect}`)).toEqual([]);
    }
    expect(r.exitCode).toBe(0);
  });

  it("down keeps the data nodes' data and the next up counts on from it; down --volumes removes it", async () => {
    const before = await primaryCounter(rt);
    expect(before).toBeGreaterThan(0);
    await rt.down(silentProgress);
    expect(await rt.leftovers()).toEqual([]);
    expect(await rt.keptData()).toHaveLength(3);
    // Every node restarts from its AOF: the counts written by scripts (MULTI/EXEC there) are kept.
    await bringUp(rt, silentProgress);
    expect(await primaryCounter(rt)).toBe(before);
    await rt.down(silentProgress, { volumes: true });
    expect(await rt.keptData()).toEqual([]);
  });
});
