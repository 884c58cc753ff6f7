// The node groups the kit knows: adding one is a folder beside these and a line here.
import { ExitCode, HakitError } from '../errors.js';
import { validateTopology, type NodeSpec, type Role, type Topology } from '../stack/topology.js';
import { backendGroup } from './backend/index.js';
import type { NodeGroup } from './group.js';
import type { Credentials } from '../runtime/runtime.js';
import { lbGroup } from './lb/index.js';
import { redisGroup } from './redis/index.js';
import { clusterGroup } from './cluster/index.js';
import { weatherGroup } from './weather/index.js';
import { cacheGroup } from './cache/index.js';
import { etcdGroup } from './etcd/index.js';
import { natsGroup } from './nats/index.js';
import { postgresGroup } from './postgres/index.js';

export type { NodeGroup } from './group.js';

export const nodeGroups: Record<Role, NodeGroup> = {
  lb: lbGroup,
  backend: backendGroup,
  redis: redisGroup,
  cluster: clusterGroup,
  weather: weatherGroup,
  nats: natsGroup,
  etcd: etcdGroup,
  postgres: postgresGroup,
  cache: cacheGroup,
};

export function groupOf(node: NodeSpec): NodeGroup {
  const g = nodeGroups[node.role];
  if (!g)
    throw new HakitError(
      `node ${node.name}: no node group "${node.role}"`,
      ExitCode.usage,
      `groups: ${Object.keys(nodeGroups).join(', ')}`,
    );
  return g;
}

/**
 * Every problem of a topology at once: the plan's own rules (addresses, names, ports) and each
 * node group's rules for its nodes.
 */
export function checkTopology(t: Topology): string[] {
  const errors = validateTopology(t);
  for (const n of t.nodes)
    if (!(n.role in nodeGroups)) errors.push(`node ${n.name}: no node group "${n.role}" (groups: ${Object.keys(nodeGroups).join(', ')})`);
  for (const group of Object.values(nodeGroups)) errors.push(...(group.validate?.(t.nodes.filter((n) => n.role === group.name)) ?? []));
  return errors;
}

/** Every group's environment for the backends to reach its nodes of `t` (NodeGroup.clientEnv). */
export function clientEnvOf(t: Topology, credentials: Credentials): Record<string, string> {
  return Object.assign({}, ...groupsOf(t).map(({ group }) => group.clientEnv?.(t, credentials) ?? {})) as Record<string, string>;
}

/** The topology's groups that have nodes, each with its nodes, in start order. */
export function groupsOf(t: Topology): Array<{ group: NodeGroup; nodes: NodeSpec[] }> {
  return Object.values(nodeGroups)
    .map((group) => {
      const nodes = t.nodes.filter((n) => n.role === group.name);
      return { group, nodes: group.startOrder ? group.startOrder(nodes) : nodes };
    })
    .filter((g) => g.nodes.length > 0)
    .sort((a, b) => a.group.startRank - b.group.startRank);
}
