// The state of the whole stack, read the same way from any runtime: each node group reads its
// own (LBs from VIP ownership and keepalived's notify log, backends from HAProxy's runtime API).
import type { BackendState } from './haproxy-stats.js';
import { groupsOf } from '../groups/index.js';
import type { LbState } from '../groups/lb/status.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls, type Role } from '../stack/topology.js';

export interface NodeStatus {
  name: string;
  role: Role;
  state: LbState | BackendState;
  address: string;
}

export interface StackStatus {
  runtime: string;
  vip: string;
  url: string;
  statsUrl: string;
  nodes: NodeStatus[];
}

export async function getStatus(rt: Runtime): Promise<StackStatus> {
  const infos = await rt.nodes();
  // Each group reads its own nodes' state; groups are read side by side.
  const states = new Map<string, string>();
  await Promise.all(
    groupsOf(rt.topology).map(async ({ group }) => {
      const mine = infos.filter((i) => i.spec.role === group.name);
      for (const [name, state] of await group.readStates(rt, mine, infos)) states.set(name, state);
    }),
  );
  const nodes = infos.map((i): NodeStatus => ({
    name: i.spec.name,
    role: i.spec.role,
    state: (states.get(i.spec.name) ?? 'DOWN') as NodeStatus['state'],
    address: i.address ?? i.spec.address,
  }));
  const u = urls(rt.topology);
  return { runtime: rt.name, vip: rt.topology.vip, url: u.vip, statsUrl: u.stats, nodes };
}

export const masters = (s: StackStatus) => s.nodes.filter((n) => n.role === 'lb' && n.state === 'MASTER').map((n) => n.name);

/** Ready to serve: exactly one MASTER and every backend UP in HAProxy. */
export function isHealthy(s: StackStatus): boolean {
  return masters(s).length === 1 && s.nodes.filter((n) => n.role === 'backend').every((n) => n.state === 'UP');
}
