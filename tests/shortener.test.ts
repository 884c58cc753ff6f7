// The URL shortener on a real netns stack (`up --with shortener`): a link created through the VIP
// goes to the master, every redirect through the VIP is a 302 from a backend's own Redis, and the
// click total Postgres holds equals the redirects served, exactly; `down --volumes` leaves
// nothing. netns only: the shortener's Docker services are checked by `docker compose config`
// (scripts/runtime/docker.test.ts), not run here. U1: the Postgres primary killed hard under
// redirects costs no redirect and no click (docs/architecture.md#the-url-shortener).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const again = await create();
    expect(again.status).toBe(200);
    expect(((await again.json()) as { code: string }).code).toBe(code);
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

  it('down --volumes leaves nothing behind', async () => {
    await rt.down(silentProgress, { volumes: true });
    expect(await rt.leftovers()).toEqual([]);
    expect(await rt.keptData()).toEqual([]);
  }, 60_000);
});
