// The tour's data-node scenarios (R1–R5 of the fault catalogue): the window's probe loads the
// counting page through the VIP every 10 ms with one visitor's cookie, and every number it was
// shown is checked against the primary's counter afterwards (faults/counts.ts); after the mend,
// the counter must be equal on every data node.
import { waitHealthy } from '../stack/actions.js';
import { getStatus } from '../observe/status.js';
import { sleep, waitFor } from '../sh.js';
import { dataNodes } from '../stack/topology.js';
import { faultById, type FaultId } from '../faults/catalogue.js';
import { readHolders, resolveTargets } from '../faults/targets.js';
import type { Expectation, Scenario, ScenarioContext } from './scenarios.js';

const primaryNow = async (ctx: ScenarioContext) =>
  (await getStatus(ctx.rt)).nodes.filter((n) => n.role === 'redis' && n.state === 'PRIMARY').map((n) => n.name);

/** Waits until one node other than `old` is primary (the old one may still think it is, cut off). */
const promotedAwayFrom = (ctx: ScenarioContext, old: string) =>
  waitFor(
    `a data node other than ${old} to be promoted`,
    async () => ((await primaryNow(ctx)).some((n) => n !== old) ? true : undefined),
    20_000,
    100,
  );

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

/**
 * A scenario for a catalogue fault whose targets are resolved when it starts (the data tiers'):
 * they are marked, injected and healed together; `own` says what differs (its workload, where it
 * runs, how it picks).
 */
export function resolvedScenario(
  id: FaultId,
  verb: string,
  own: Pick<Scenario, 'unsupported'> & Partial<Scenario>,
  rest: Pick<Scenario, 'settle' | 'expectations'> & Partial<Scenario>,
): Scenario {
  const f = faultById(id);
  return {
    id: f.id,
    name: f.name,
    title: f.title,
    faultedIsTarget: false,
    async setup(ctx) {
      const holders = await readHolders(ctx.rt, f.target);
      ctx.shared.targets = resolveTargets(ctx.rt.topology, f.target, holders);
      return ctx.shared.targets[0];
    },
    async fault(ctx, target) {
      ctx.mark(`${verb} ${target}`, 'fault');
      await f.inject(ctx.rt, ctx.shared.targets ?? [target!]);
    },
    async cleanup(ctx) {
      await f.heal(ctx.rt, ctx.shared.targets ?? []);
      await waitHealthy(ctx.rt, 30_000);
    },
    ...own,
    ...rest,
  };
}

const dataScenario = (id: FaultId, verb: string, rest: Pick<Scenario, 'settle' | 'expectations'> & Partial<Pick<Scenario, 'fault'>>) =>
  resolvedScenario(
    id,
    verb,
    { counts: true, unsupported: (rt) => (dataNodes(rt.topology).length === 0 ? 'this stack has no data nodes' : undefined) },
    rest,
  );

export const dataScenarios: Scenario[] = [
  dataScenario('R1', 'kill --mode hard', {
    settle: (ctx, target) => promotedAwayFrom(ctx, target!),
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
