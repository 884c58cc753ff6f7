// End to end on the real stack: the scenarios every runtime must pass. Which runtimes run is
// set by HAKIT_TEST_RUNTIMES (default: netns); .ci/run runs all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bringUp, killNode, restoreNode, waitHealthy } from '../scripts/stack/actions.js';
import { isSuccess, probeOnce, probeSequential, runProbe } from '../scripts/observe/probe.js';
import { silentProgress } from '../scripts/progress.js';
import { openRuntime, type RuntimeChoice } from '../scripts/runtime/select.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import { waitFor } from '../scripts/sh.js';
import { getStatus, masters } from '../scripts/observe/status.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',') as RuntimeChoice[];
const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter']);

describe.skipIf(skipOutsideCi(missing)).each(runtimes)('the stack on %s', (name) => {
  let rt: Runtime;
  let url: string;

  beforeAll(async () => {
    failUnderCi(missing);
    rt = await openRuntime(name);
    await claimStack(rt);
    const status = await bringUp(rt, silentProgress);
    url = status.url;
  });

  afterAll(async () => {
    // Runs even when a test failed: nothing may be left behind.
    await releaseStack(rt);
  });

  it('alternates Server 1 / Server 2 exactly over 20 sequential requests', async () => {
    const records = await probeSequential(url, 20);
    expect(records.map((r) => r.status)).toEqual(Array(20).fill(200));
    const backends = records.map((r) => r.backend);
    const first = backends[0];
    const second = first === 'backend1' ? 'backend2' : 'backend1';
    expect(backends).toEqual(backends.map((_, i) => (i % 2 === 0 ? first : second)));
    const body = await (await fetch(url)).text();
    // The tier's two lines, then the visit count from the data nodes.
    expect(body).toMatch(/^Hello, World!\nServer [12]\nVisits today: \d+ · unique visitors today: \d+$/);
  });

  it('kill lb1 --mode hard: lb2 takes the VIP and requests succeed again', async () => {
    expect(masters(await getStatus(rt))).toEqual(['lb1']);
    await killNode(rt, 'lb1', 'hard');
    await waitFor('lb2 to hold the VIP', async () => (masters(await getStatus(rt)).join() === 'lb2' ? true : undefined), 10_000);
    const records = await probeSequential(url, 10);
    expect(records.every(isSuccess)).toBe(true);
    expect(new Set(records.map((r) => r.lb))).toEqual(new Set(['lb2']));
    const lb1 = (await getStatus(rt)).nodes.find((n) => n.name === 'lb1');
    expect(lb1?.state).toBe('DOWN');
  });

  it('restore lb1: exactly one MASTER, both LBs healthy, and the VIP does not move back', async () => {
    expect(await restoreNode(rt, 'lb1')).toBe(true);
    const status = await waitHealthy(rt, 15_000);
    const states = Object.fromEntries(status.nodes.map((n) => [n.name, n.state]));
    expect(states).toMatchObject({ lb1: 'BACKUP', lb2: 'MASTER' });
    expect(await restoreNode(rt, 'lb1')).toBe(false); // already whole: nothing to do
  });

  it('kill backend1 under load: no request fails, Server 2 answers everything after', async () => {
    const load = runProbe({ url, intervalMs: 10, maxDurationMs: 2500, timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    await killNode(rt, 'backend1', 'hard');
    const during = await load;
    expect(during.filter((r) => !isSuccess(r))).toEqual([]);
    const after = await probeSequential(url, 10);
    expect(after.every(isSuccess)).toBe(true);
    expect(new Set(after.map((r) => r.backend))).toEqual(new Set(['backend2']));
    await restoreNode(rt, 'backend1');
    await waitHealthy(rt, 15_000);
  });

  it('HAProxy dies on the active LB: keepalived stays up and the VIP moves', async () => {
    const [active] = masters(await getStatus(rt));
    const other = active === 'lb1' ? 'lb2' : 'lb1';
    await killNode(rt, active!, 'haproxy');
    await waitFor(`${other} to hold the VIP`, async () => (masters(await getStatus(rt)).join() === other ? true : undefined), 10_000);
    const status = await getStatus(rt);
    expect(status.nodes.find((n) => n.name === active)?.state).toBe('FAULT');
    expect((await probeSequential(url, 5)).every(isSuccess)).toBe(true);
    await restoreNode(rt, active!);
    await waitHealthy(rt, 15_000);
  });

  it('down leaves nothing behind, and a second down is harmless', async () => {
    await rt.down(silentProgress);
    expect(await rt.isUp()).toBe(false);
    await rt.down(silentProgress);
    expect(await rt.isUp()).toBe(false);
    // With the kit's network gone, the probe refuses to send at all (it would leave the machine).
    expect(() => probeOnce(url, 300)).toThrow(/not the kit's network right now/);
  });
});
