// `hakit reload` on a live stack (netns): a changed config reaches both LBs under the probe with no
// failed request and no VIP move, and a config that fails its check is refused with the
// validator's own words while nothing changes (issue: "hakit reload [--check]").
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShowProc } from '../scripts/groups/lb/reload.js';
import { getStatus, masters } from '../scripts/observe/status.js';
import { isSuccess } from '../scripts/observe/probe.js';
import { silentProgress } from '../scripts/progress.js';
import { NetnsRuntime } from '../scripts/runtime/netns.js';
import { sh, waitFor } from '../scripts/sh.js';
import { bringUp } from '../scripts/stack/actions.js';
import { reloadStack } from '../scripts/stack/reload.js';
import { lbs } from '../scripts/stack/topology.js';
import { editedConfig, withMarkHeader } from '../scripts/testing/edited-config.js';
import { underProbe } from '../scripts/testing/under-probe.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'unshare']);

describe.skipIf(skipOutsideCi(missing))('hakit reload (netns)', () => {
  const rt = new NetnsRuntime();
  const lbNames = lbs(rt.topology).map((n) => n.name);
  const workers = async () =>
    Promise.all(lbNames.map(async (lb) => parseShowProc(await rt.runtimeApi(lb, 'show proc', 'master')).workers[0]));
  const mark = `reload-${process.pid}`;

  beforeAll(async () => {
    failUnderCi(missing);
    await claimStack(rt);
    await bringUp(rt, silentProgress);
    // up returns once the first LB holds the VIP; the other may still be starting.
    await waitFor(
      'both LBs MASTER or BACKUP',
      async () => {
        const s = await getStatus(rt);
        return s.nodes.filter((n) => n.role === 'lb').every((n) => ['MASTER', 'BACKUP'].includes(n.state)) ? true : undefined;
      },
      15_000,
    );
  });

  afterAll(async () => {
    await releaseStack(rt);
  });

  it('loads a changed config on both LBs under the probe: 0 failed requests, the VIP holder unchanged', async () => {
    const from = editedConfig((cfg) => withMarkHeader(cfg, mark));
    const holder = masters(await getStatus(rt));
    expect(holder).toHaveLength(1);
    const before = await workers();
    const {
      result: report,
      records,
      holders: seen,
    } = await underProbe(rt, () => reloadStack(rt, { from, progress: silentProgress }), { holders: true, afterMs: 500 });
    const failed = records.filter((r) => !isSuccess(r));
    console.log(
      `reload under the probe: ${records.length} requests, ${failed.length} failed; VIP holders seen: ${[...new Set(seen)].join(', ')}; ` +
        report.reloaded.map((r) => `${r.node} ${r.ms} ms`).join(', '),
    );
    expect(report.reloaded.map((r) => r.node)).toEqual(lbNames.filter((n) => !holder.includes(n)).concat(holder));
    expect(failed).toEqual([]);
    expect(records.length).toBeGreaterThan(50);
    expect([...new Set(seen)]).toEqual(holder);
    // Each LB runs a new worker, on the new config.
    const after = await workers();
    for (const [i, w] of after.entries()) expect(w).not.toBe(before[i]);
    for (const lb of lbs(rt.topology)) {
      const headers = (await sh`curl -s -D - -o /dev/null -m 2 http://${lb.address}/`).stdout;
      expect(headers, lb.name).toContain(`x-reload-mark: ${mark}`);
    }
  });

  it('refuses a config that fails haproxy -c, with its message, and nothing changes', async () => {
    const from = editedConfig((cfg) => cfg.replace('balance roundrobin', 'balance no-such-algorithm'));
    const before = await workers();
    const holder = masters(await getStatus(rt));
    const cfgOnNode = (lb: string) => readFileSync(`/etc/netns/hakit-${lb}/haproxy/haproxy.cfg`, 'utf8');
    const onNodes = lbNames.map(cfgOnNode);
    await expect(reloadStack(rt, { from, progress: silentProgress })).rejects.toThrow(
      /config is refused; nothing was changed:[\s\S]*haproxy -c for lb1[\s\S]*balance only supports/,
    );
    expect(lbNames.map(cfgOnNode)).toEqual(onNodes);
    expect(await workers()).toEqual(before);
    expect(masters(await getStatus(rt))).toEqual(holder);
  });
});
