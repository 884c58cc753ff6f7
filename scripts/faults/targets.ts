// Resolves a fault's target rule against the live stack: the VIP holder now, the other LB, the
// backends by name.
import { getStatus, masters } from '../observe/status.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { backends, lbs, type Topology } from '../stack/topology.js';
import type { TargetRule } from './catalogue.js';

export const lbNames = (t: Topology) => lbs(t).map((n) => n.name);
export const backendNames = (t: Topology) => backends(t).map((n) => n.name);

/** The one load balancer holding the VIP now (waits up to 10 s for exactly one). */
export function activeLb(rt: Runtime): Promise<string> {
  return waitFor(
    'exactly one load balancer holding the VIP',
    async () => {
      const m = masters(await getStatus(rt));
      return m.length === 1 ? m[0] : undefined;
    },
    10_000,
    100,
  );
}

/** The node names a rule hits, given who holds the VIP (`pick` chooses one backend). */
export function resolveTargets(t: Topology, rule: TargetRule, holder: string, pick: (names: string[]) => string = (n) => n[0]!): string[] {
  const lb = lbNames(t);
  switch (rule) {
    case 'active-lb':
      return [holder];
    case 'backup-lb':
      return [lb.find((n) => n !== holder) ?? holder];
    case 'all-lbs':
      return lb;
    case 'one-backend':
      return [pick(backendNames(t))];
    case 'all-backends':
      return backendNames(t);
  }
}
