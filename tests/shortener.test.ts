// The URL shortener on a real netns stack (`up --with shortener`): a link created through the VIP
// goes to the master, every redirect through the VIP is a 302 from a backend's own Redis, and the
// click total Postgres holds equals the redirects served, exactly; `down` keeps the data and the
// next `up` serves the same links and totals; `down --volumes` leaves nothing. netns only: the
// shortener's Docker services are checked by `docker compose config`
// (scripts/runtime/docker.test.ts), not run here. U1: the Postgres primary killed hard under
// redirects costs no redirect and no click; U2–U5 through the tour's CLI: no redirect fails, no
// click is lost or doubled (U5: its wiped Redis's unsent clicks are lost, at most a batch, never
// doubled) (docs/architecture.md#the-url-shortener).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { packageRoot } from '../scripts/paths.js';
import { CLICK_BATCH } from '../scripts/demo/shortener-scenarios.js';
import type { ShortenerTally } from '../scripts/faults/shortener-ops.js';
import { silentProgress } from '../scripts/progress.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import { openRuntime } from '../scripts/runtime/select.js';
import { bringUp, killNode, restoreNode } from '../scripts/stack/actions.js';
import { getStatus } from '../scripts/observe/status.js';
import { defaultTopology, withFeatures } from '../scripts/stack/topology.js';
import { waitFor } from '../scripts/sh.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',');
const missing = await integrationPrerequisites([
  'ip',
  'haproxy',
  'keepalived',
  'nsenter',
  'nats-server',
  'etcd',
  'etcdctl',
  'patroni',
  'redis-server',
]);
const topology = withFeatures(defaultTopology, ['shortener']);
const vip = `http://${topology.vip}`;
const target = 'https://example.test/hakit-shortener';
const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

interface DemoJson {
  scenarios: Array<{
    id: string;
    note?: string;
    checks: Array<{ expect: string; ok: boolean }>;
    shortener?: ShortenerTally;
  }>;
}

interface Stats {
  clicks: number;
  pending: number;
}

/** One redirect through the VIP: true when it was the link's 302. */
async function follow(code: string): Promise<boolean> {
  try {
    const r = await fetch(`${vip}/${code}`, { redirect: 'manual', signal: AbortSignal.timeout(3000) });
    await r.arrayBuffer();
    return r.status === 302 && r.headers.get('location') === target;
  } catch {
    return false;
  }
}

/** `n` redirects one after the other (bounded in count), each 5 ms apart: how many failed. */
async function followMany(code: string, n: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < n; i++) {
    if (!(await follow(code))) failed++;
    await new Promise((r) => setTimeout(r, 5));
  }
  return failed;
}

async function stats(code: string): Promise<Stats | undefined> {
  try {
    const r = await fetch(`${vip}/api/links/${code}/stats`, { signal: AbortSignal.timeout(3000) });
    return r.status === 200 ? ((await r.json()) as Stats) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The link's total in Postgres once every click served is applied (nothing pending on a replica,
 * the batches in the log applied); a total that stays short is what the assertion shows.
 */
async function settled(code: string, expected: number, timeoutMs: number): Promise<number> {
  let last: Stats | undefined;
  await waitFor(
    `${expected} clicks in Postgres`,
    async () => {
      last = (await stats(code)) ?? last;
      return last && last.pending === 0 && last.clicks >= expected ? true : undefined;
    },
    timeoutMs,
    250,
  ).catch(() => undefined);
  // A batch applied twice would show a little later: read again.
  await new Promise((r) => setTimeout(r, 1500));
  return (await stats(code))?.clicks ?? last?.clicks ?? -1;
}

describe.skipIf(skipOutsideCi(missing) || !runtimes.includes('netns'))('the URL shortener on netns', () => {
  let rt: Runtime;
  let code = '';
  let served = 0;

  beforeAll(async () => {
    failUnderCi(missing);
    rt = await openRuntime('netns', topology);
    await claimStack(rt);
    await bringUp(rt, silentProgress);
  }, 150_000);

  afterAll(async () => {
    await releaseStack(rt);
  }, 60_000);

  it('creates a link through the VIP on the master, the same URL again gives the same code', async () => {
    const create = () =>
      fetch(`${vip}/api/links`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: target }),
        signal: AbortSignal.timeout(5000),
      });
    const first = await waitFor(
      'a create to be acknowledged',
      async () => {
        const r = await create();
        return r.status === 201 ? ((await r.json()) as { code: string; shortUrl: string }) : undefined;
      },
      20_000,
      250,
    );
    code = first.code;
    expect(first.shortUrl).toBe(`${vip}/${code}`);
    // The same URL again: its code, created false. A 503 (Retry-After: the master role or the
    // log's leader moving, as on a stack just up) is retried the way a client would; each one seen
    // is kept, so a create that never settles says why.
    const refused: string[] = [];
    const again = await waitFor(
      'the same URL to be acknowledged again',
      async () => {
        const r = await create();
        if (r.status !== 503) return { status: r.status, body: (await r.json()) as { code?: string; created?: boolean } };
        refused.push(await r.text());
        return undefined;
      },
      10_000,
      250,
    ).catch(() => ({ status: 503, body: { refused } }));
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ code, created: false }) });
    const bad = await fetch(`${vip}/api/links`, {
      method: 'POST',
      body: JSON.stringify({ url: 'ftp://x' }),
      signal: AbortSignal.timeout(3000),
    });
    expect(bad.status).toBe(400);
  });

  it('follows the link N times: every redirect a 302, the total in Postgres exactly N', async () => {
    // Both replicas hold the link (fed by the log) before the count starts.
    await waitFor('both replicas to redirect', async () => ((await follow(code)) && (await follow(code)) ? true : undefined), 15_000, 200);
    served = 2;
    const n = 250;
    expect(await followMany(code, n)).toBe(0);
    served += n;
    expect(await settled(code, served, 20_000)).toBe(served);
  });

  it('U1: the Postgres primary dies hard under redirects: none fails, the total stays exact', async () => {
    const primary = (await getStatus(rt)).nodes.find((n) => n.role === 'postgres' && n.state === 'PRIMARY')?.name;
    expect(primary).toBeDefined();
    const n = 400;
    const redirects = followMany(code, n);
    await new Promise((r) => setTimeout(r, 1000));
    await killNode(rt, primary!, 'hard');
    expect(await redirects).toBe(0);
    served += n;
    // Patroni promotes the standby; the batches it had not received are applied again from the log.
    expect(await settled(code, served, 60_000)).toBe(served);
    expect(await restoreNode(rt, primary!)).toBe(true);
  }, 120_000);

  it('U2–U5 through the tour: no redirect fails, Σ clicks in Postgres == redirects served (U5: lost ≤ a batch, none doubled)', async () => {
    const r = await $({ nothrow: true, quiet: true })`node ${cli} --runtime netns demo --only U2,U3,U4,U5 --json`;
    const out = JSON.parse(r.stdout) as DemoJson;
    expect(out.scenarios.map((s) => s.id)).toEqual(['U2', 'U3', 'U4', 'U5']);
    // A scenario that did not reach its expected state says why.
    expect(out.scenarios.filter((s) => s.note).map((s) => `${s.id}: ${s.note}`)).toEqual([]);
    for (const s of out.scenarios) {
      const u = s.shortener!;
      console.log(
        `${s.id}: ${u.redirects.served} redirects, ${u.redirects.failed + u.redirects.unknown} failed; ` +
          `create blackout ${u.createBlackoutMs} ms; clicks lost ${u.lost}, doubled ${u.doubled}`,
      );
      expect(u.redirects.served).toBeGreaterThan(0);
      expect({ id: s.id, failed: u.redirects.failed + u.redirects.unknown, doubled: u.doubled }).toEqual({
        id: s.id,
        failed: 0,
        doubled: 0,
      });
      if (s.id === 'U5') expect(u.lost).toBeLessThanOrEqual(CLICK_BATCH);
      else expect({ id: s.id, lost: u.lost }).toEqual({ id: s.id, lost: 0 });
      expect(s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.expect}`)).toEqual([]);
    }
    expect(r.exitCode).toBe(0);
  }, 240_000);

  it('down keeps the data, and the next up serves the same links with their clicks', async () => {
    expect(await settled(code, served, 20_000)).toBe(served);
    await rt.down(silentProgress);
    expect((await rt.keptData()).length).toBeGreaterThan(0);
    // From kept data the log nodes take seconds to elect before JetStream answers: the backends wait.
    await bringUp(rt, silentProgress);
    await waitFor('the link to redirect after the restart', async () => ((await follow(code)) ? true : undefined), 15_000, 200);
    served++;
    expect(await settled(code, served, 20_000)).toBe(served);
  }, 180_000);

  it('down --volumes leaves nothing behind', async () => {
    await rt.down(silentProgress, { volumes: true });
    expect(await rt.leftovers()).toEqual([]);
    expect(await rt.keptData()).toEqual([]);
  }, 60_000);
});
