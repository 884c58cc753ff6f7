// The tour's data-node scenarios (R1–R5 of the fault catalogue): the window's probe loads the
// counting page through the VIP every 10 ms with one visitor's cookie, and every number it was
// shown is checked against the primary's counter afterwards (faults/counts.ts); after the mend,
// the counter must be equal on every data node.
import { getStatus } from '../observe/status.js';
import { sleep, waitFor } from '../sh.js';
import { dataNodes } from '../stack/topology.js';
import { faultById, type FaultId } from '../faults/catalogue.js';
import { COUNT_CAP_MS } from '../faults/counts.js';
import { isSuccess } from '../observe/probe.js';
import { byRule, faultScenario, type FaultScenarioRest } from './fault-scenario.js';
import type { Expectation, Scenario, ScenarioContext } from './scenarios.js';

const primaryNow = async (ctx: ScenarioContext) =>
  (await getStatus(ctx.rt)).nodes.filter((n) => n.role === 'redis' && n.state === 'PRIMARY').map((n) => n.name);

/**
 * Waits until one node other than `old` is primary (the old one may still think it is, cut off);
 * up to 55 s, so that the bench's textbook Sentinel (down-after 30 s) fits the 60 s window.
 */
const promotedAwayFrom = (ctx: ScenarioContext, old: string, ms = 55_000) =>
  waitFor(
    `a data node other than ${old} to be promoted`,
    async () => ((await primaryNow(ctx)).some((n) => n !== old) ? true : undefined),
    ms,
    100,
  );

/**
 * Waits until a view the probe sent after `sinceMs` was shown a count, or until COUNT_CAP_MS after
 * it: a setup that never shows one again (the textbook's two nodes, one of them dead) leaves the
 * window open that long and is reported as not recovered, which is its result, not an error.
 */
async function countShownAgain(ctx: ScenarioContext, sinceMs: number): Promise<void> {
  const end = sinceMs + COUNT_CAP_MS;
  while (Date.now() < end && !ctx.records.some((r) => r.atMs >= sinceMs && r.countState === 'counted' && isSuccess(r))) await sleep(50);
}

const stillPrimary = (ctx: ScenarioContext, node: string) => async () => {
  await sleep(1500);
  const p = await primaryNow(ctx);
  if (p.join() !== node) throw new Error(`the primary changed: ${p.join() || 'none'} instead of ${node}`);
};

const noFailedPages: Expectation = { text: '0 failed page loads (the page degrades)', check: (m) => m.failed === 0 };
const noneLost: Expectation = { text: '0 acknowledged counts lost', check: (m) => m.counts?.lost === 0 };
const noneDoubled: Expectation = { text: '0 views counted twice', check: (m) => m.counts?.doubled === 0 };
const countingGoesOn: Expectation = {
  text: 'a count shown at least every second',
  check: (m) => m.counts !== undefined && m.counts.countBlackoutMs < 1000,
};
const base = [noFailedPages, noneLost, noneDoubled];

/** A data-node fault of the catalogue, aimed by its own rule, on the counting page. */
function dataScenario(id: FaultId, verb: string, rest: FaultScenarioRest): Scenario {
  return faultScenario(
    id,
    { aim: byRule(id), label: (target) => `${verb} ${target}`, faultedIsTarget: false },
    {
      counts: true,
      unsupported: (rt) => (dataNodes(rt.topology).length === 0 ? 'this stack has no data nodes' : undefined),
      ...rest,
    },
  );
}

export const dataScenarios: Scenario[] = [
  dataScenario('R1', 'kill --mode hard', {
    async settle(ctx, target) {
      const since = Date.now();
      await promotedAwayFrom(ctx, target!, COUNT_CAP_MS);
      await countShownAgain(ctx, since);
    },
    expectations: [...base, { text: 'a replica was promoted', check: (m) => m.counts !== undefined }],
  }),
  dataScenario('R2', 'kill --mode graceful (planned switch)', {
    settle: (ctx, target) => promotedAwayFrom(ctx, target!),
    expectations: base,
  }),
  dataScenario('R3', "kill --mode sentinel on the primary's node", {
    settle: (ctx, target) => stillPrimary(ctx, target!)(),
    expectations: [...base, countingGoesOn],
  }),
  dataScenario('R4', 'kill --mode hard (a replica)', {
    settle: async () => sleep(1500),
    expectations: [...base, countingGoesOn],
  }),
  dataScenario('R5', 'cut off', {
    async fault(ctx, target) {
      const f = faultById('R5');
      const targets = ctx.shared.targets!;
      ctx.mark(`cut ${target} from ${targets.slice(1).join(', ')}`, 'fault');
      await f.inject(ctx.rt, targets);
      try {
        await promotedAwayFrom(ctx, target!);
        await sleep(1000);
      } finally {
        ctx.mark('heal', 'restore');
        await f.heal(ctx.rt, targets);
      }
    },
    // The old primary rejoins as a replica of the new one.
    settle: (ctx, target) =>
      waitFor(
        `${target} to rejoin as a replica`,
        async () => {
          const me = (await getStatus(ctx.rt)).nodes.find((n) => n.name === target);
          return me?.state === 'REPLICA' ? true : undefined;
        },
        20_000,
        100,
      ),
    expectations: base,
  }),
];
