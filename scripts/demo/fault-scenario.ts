// One builder for the tour's scenarios of a catalogue fault (faults/catalogue.ts): whom it hits is
// a parameter (the VIP holder, a backend, the data nodes' primary by the fault's own rule, …),
// resolved when the scenario starts; the scenario marks the instant, injects the fault on them,
// settles as given, and afterwards heals them and waits for a healthy stack.
import { waitHealthy } from '../stack/actions.js';
import { faultById, type FaultId } from '../faults/catalogue.js';
import { readHolders, resolveTargets } from '../faults/targets.js';
import type { Scenario, ScenarioContext } from './scenarios.js';

/** Whom the fault hits, read from the live stack; the first is the scenario's target. */
export type Aim = (ctx: ScenarioContext) => Promise<string[]>;

/** The fault's own target rule (the catalogue's), against the stack as it is now. */
export const byRule =
  (id: FaultId): Aim =>
  async (ctx) => {
    const f = faultById(id);
    return resolveTargets(ctx.rt.topology, f.target, await readHolders(ctx.rt, f.target));
  };

export interface FaultScenarioShape {
  aim: Aim;
  /** The mark on the timeline at the fault's instant. */
  label: (target: string) => string;
  /** The target node counts as "old path" for recovery time. */
  faultedIsTarget: boolean;
}

export type FaultScenarioRest = Pick<Scenario, 'settle' | 'expectations'> &
  Partial<Pick<Scenario, 'fault' | 'cleanup' | 'counts' | 'weather' | 'shortener' | 'unsupported' | 'needs'>>;

export function faultScenario(id: FaultId, shape: FaultScenarioShape, rest: FaultScenarioRest): Scenario {
  const f = faultById(id);
  return {
    id: f.id,
    name: f.name,
    title: f.title,
    faultedIsTarget: shape.faultedIsTarget,
    async setup(ctx) {
      ctx.shared.targets = await shape.aim(ctx);
      return ctx.shared.targets[0];
    },
    async fault(ctx, target) {
      ctx.mark(shape.label(target!), 'fault');
      await f.inject(ctx.rt, ctx.shared.targets ?? [target!]);
    },
    async cleanup(ctx, target) {
      await f.heal(ctx.rt, ctx.shared.targets ?? [target!]);
      await waitHealthy(ctx.rt, 30_000);
    },
    ...rest,
  };
}
