// The Runtime contract (scripts/testing/runtime-contract.ts) on the real runtimes: the same suite
// the in-memory fake passes at unit speed. HAKIT_TEST_RUNTIMES picks them (default: netns).
import { afterAll, describe } from 'vitest';
import { silentProgress } from '../scripts/progress.js';
import { openRuntime, type RuntimeChoice } from '../scripts/runtime/select.js';
import type { Runtime } from '../scripts/runtime/runtime.js';
import { bringUp } from '../scripts/stack/actions.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';
import { runtimeContract } from '../scripts/testing/runtime-contract.js';

const runtimes = (process.env.HAKIT_TEST_RUNTIMES ?? 'netns').split(',') as RuntimeChoice[];
const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter', 'nft']);

describe.skipIf(skipOutsideCi(missing)).each(runtimes)('%s', (name) => {
  let rt: Runtime | undefined;
  afterAll(() => releaseStack(rt));
  runtimeContract({
    open: async () => {
      failUnderCi(missing);
      rt = await openRuntime(name);
      await claimStack(rt);
      return rt;
    },
    up: async (r) => void (await bringUp(r, silentProgress)),
    settleMs: 10_000,
  });
});
