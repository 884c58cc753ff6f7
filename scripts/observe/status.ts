// The state of the whole stack, read the same way from any runtime: each node group reads its
// own (LBs from VIP ownership and keepalived's notify log, backends from HAProxy's runtime API).
import type { BackendState } from './haproxy-stats.js';
import { groupsOf, nodeGroups } from '../groups/index.js';
import type { NodeReading } from '../groups/group.js';
import type { RedisState } from '../groups/redis/status.js';
import type { LbState } from '../groups/lb/status.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls, type Role } from '../stack/topology.js';
import { waitFor } from '../sh.js';

export interface NodeStatus {
  name: string;
  role: Role;
  state: LbState | BackendState | RedisState;
  address: string;
  /** More of what the group knows (a data node: its Sentinel's belief, a replica's lag). */
  detail?: Record<string, string | number>;
}

export interface StackStatus {
  runtime: string;
  vip: string;
  url: string;
  statsUrl: string;
  /** The same over HTTPS (certificate from the kit's local CA: `hakit creds`). */
  httpsUrl: string;
  statsHttpsUrl: string;
  /** The opt-in features the stack was started with (`up --with`); empty: the default stack. */
  features: string[];
  nodes: NodeStatus[];
}

export async function getStatus(rt: Runtime): Promise<StackStatus> {
  const infos = await rt.nodes();
  // Each group reads its own nodes' state; groups are read side by side.
  const readings = new Map<string, NodeReading>();
  await Promise.all(
    groupsOf(rt.topology).map(async ({ group }) => {
      const mine = infos.filter((i) => i.spec.role === group.name);
      for (const [name, reading] of await group.readStates(rt, mine, infos)) readings.set(name, reading);
    }),
  );
  const nodes = infos.map((i): NodeStatus => {
    const r = readings.get(i.spec.name) ?? 'DOWN';
    const node: NodeStatus = {
      name: i.spec.name,
      role: i.spec.role,
      state: (typeof r === 'string' ? r : r.state) as NodeStatus['state'],
      address: i.address ?? i.spec.address,
    };
    if (typeof r !== 'string') node.detail = r.detail;
    return node;
  });
  const u = urls(rt.topology);
  return {
    runtime: rt.name,
    vip: rt.topology.vip,
    url: u.vip,
    statsUrl: u.stats,
    httpsUrl: u.https,
    statsHttpsUrl: u.statsHttps,
    features: [...(rt.topology.features ?? [])],
    nodes,
  };
}

export const masters = (s: StackStatus) => s.nodes.filter((n) => n.role === 'lb' && n.state === 'MASTER').map((n) => n.name);

/** The one node of `role` that is PRIMARY now, waited for up to 10 s (a promotion has none for a moment). */
export function onePrimary(rt: Runtime, role: Role, what: string): Promise<string> {
  return waitFor(
    `exactly one ${what} PRIMARY`,
    async () => {
      const p = (await getStatus(rt)).nodes.filter((n) => n.role === role && n.state === 'PRIMARY');
      return p.length === 1 ? p[0]!.name : undefined;
    },
    10_000,
    100,
  );
}

/** Ready to serve, as each group judges its nodes: one MASTER, every backend UP, one PRIMARY, … */
export function isHealthy(s: StackStatus): boolean {
  const roles = new Set(s.nodes.map((n) => n.role));
  return [...roles].every((role) => nodeGroups[role].healthy(s.nodes.filter((n) => n.role === role)));
}
