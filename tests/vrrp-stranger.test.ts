// A stranger on the kit's network speaks VRRP for the kit's router id at priority 254, unicast to
// both LBs (scripts/testing/stranger.ts). Only the peer may move the VIP: the holder stays MASTER
// all along and no request fails (issue: "Only the peer speaks VRRP to an LB").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStatus, masters } from '../scripts/observe/status.js';
import { isSuccess } from '../scripts/observe/probe.js';
import { silentProgress } from '../scripts/progress.js';
import { NetnsRuntime } from '../scripts/runtime/netns.js';
import { sleep, waitFor } from '../scripts/sh.js';
import { bringUp } from '../scripts/stack/actions.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';
import { holderChanges, underProbe } from '../scripts/testing/under-probe.js';
import { startStranger, type Stranger } from '../scripts/testing/stranger.js';

const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'nft']);

describe.skipIf(skipOutsideCi(missing))('a stranger speaking VRRP on the kit network (netns)', () => {
  const rt = new NetnsRuntime();
  let stranger: Stranger | undefined;

  beforeAll(async () => {
    failUnderCi(missing);
    await claimStack(rt);
    await bringUp(rt, silentProgress);
  });

  afterAll(async () => {
    await stranger?.stop();
    await releaseStack(rt);
  });

  it('moves nothing: the VIP holder stays MASTER and no request fails', async () => {
    const holder = masters(await getStatus(rt));
    expect(holder).toHaveLength(1);
    const { records, holders: seen } = await underProbe(
      rt,
      async () => {
        stranger = await startStranger(rt.topology, '10.213.0.99', '10.213.0.200');
        // The stranger really speaks: with nobody answering it, it makes itself MASTER.
        await waitFor('the stranger to claim its address', async () => ((await stranger!.holdsClaim()) ? true : undefined), 10_000, 50);
        await sleep(4000);
      },
      { holders: true },
    );
    console.log(
      `stranger at priority 254 for 4 s: ${records.length} requests, ${records.filter((r) => !isSuccess(r)).length} failed; VIP holders seen: ${[...new Set(seen)].join(', ')}; changes ${holderChanges(seen)}`,
    );
    expect([...new Set(seen)]).toEqual(holder);
    expect(records.filter((r) => !isSuccess(r))).toEqual([]);
    expect(records.length).toBeGreaterThan(100);
  });
});
