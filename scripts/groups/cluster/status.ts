// A cluster node's state, asked of the node itself (as the admin user): PRIMARY (a primary with
// slots) or REPLICA from ROLE (a replica whose link to its primary is down is SYNCING), DOWN
// when its process does not run, STARTING while it does not answer. Beside it: whose replica it
// is, its slots, keys and memory, and whether it sees the cluster as ok.
import type { NodeInfo, Runtime } from '../../runtime/runtime.js';
import { loadCredentials } from '../../stack/credentials.js';
import type { NodeReading } from '../group.js';
import { askNode, REDIS_PORT } from '../redis/client.js';
import { parseRole } from '../redis/status.js';
import { parseClusterInfo, parseClusterNodes, slotCount } from './cluster-nodes.js';

/** SPARE: a blank node that knows no cluster (the chat's fourth shard before `hakit cluster add-shard`). */
export type ClusterNodeState = 'PRIMARY' | 'REPLICA' | 'SYNCING' | 'STARTING' | 'DOWN' | 'SPARE';

export const clusterAdminPassword = (): string => loadCredentials()?.secrets?.CLUSTER_ADMIN_PASSWORD ?? '';

export interface ClusterNodeSeen {
  role?: 'master' | 'slave';
  linkUp?: boolean;
  /** cluster_state as this node sees it: ok, or fail (a shard without a primary, or cut off from the majority). */
  clusterState?: string;
  slots?: number;
  /** The announced address of the primary it replicates. */
  primaryAddress?: string;
  keys?: number;
  memoryBytes?: number;
  /** How many nodes it knows that it marks failing (PFAIL or FAIL). */
  failing?: number;
  /** How many nodes it knows, itself included (1: a blank node, in no cluster). */
  knownNodes?: number;
}

/** What one node says of itself; {} when it does not answer. */
export async function seeClusterNode(host: string, password: string, port = REDIS_PORT): Promise<ClusterNodeSeen> {
  const r = await askNode({ host, port }, password, (c) =>
    Promise.all([c.call('ROLE'), c.call('CLUSTER', 'INFO'), c.call('CLUSTER', 'NODES'), c.dbsize(), c.info('memory')]),
  );
  if (!r) return {};
  const [role, info, nodes, keys, memory] = r as [unknown, string, string, number, string];
  const lines = parseClusterNodes(nodes);
  const me = lines.find((l) => l.myself);
  const primary = me?.masterId ? lines.find((l) => l.id === me.masterId) : undefined;
  const mem = /^used_memory:(\d+)/m.exec(memory);
  return {
    ...parseRole(role),
    clusterState: parseClusterInfo(info).cluster_state,
    slots: me ? slotCount(me.slots) : 0,
    ...(primary ? { primaryAddress: primary.host } : {}),
    keys,
    ...(mem ? { memoryBytes: Number(mem[1]) } : {}),
    failing: lines.filter((l) => l.failing).length,
    knownNodes: lines.length,
  };
}

export function clusterNodeState(running: boolean, s: ClusterNodeSeen): ClusterNodeState {
  if (!running) return 'DOWN';
  if (s.role === 'master' && (s.slots ?? 0) === 0 && s.knownNodes === 1) return 'SPARE';
  if (s.role === 'master') return (s.slots ?? 0) > 0 ? 'PRIMARY' : 'REPLICA';
  if (s.role === 'slave') return s.linkUp ? 'REPLICA' : 'SYNCING';
  return 'STARTING';
}

export async function clusterStates(rt: Runtime, mine: NodeInfo[]): Promise<Map<string, NodeReading>> {
  const password = clusterAdminPassword();
  const seen = await Promise.all(
    mine.map((n) => (n.running ? seeClusterNode(n.address ?? n.spec.address, password) : Promise.resolve({}))),
  );
  const byAddress = new Map(rt.topology.nodes.map((n) => [n.address, n.name]));
  return new Map(
    mine.map((n, i): [string, NodeReading] => {
      const s: ClusterNodeSeen = seen[i]!;
      const state = clusterNodeState(n.running, s);
      const detail: Record<string, string | number> = {};
      if (s.clusterState) detail.cluster = s.clusterState;
      if (state === 'PRIMARY') detail.slots = s.slots ?? 0;
      if (s.primaryAddress) detail.primary = byAddress.get(s.primaryAddress) ?? s.primaryAddress;
      if (s.keys !== undefined) detail.keys = s.keys;
      if (s.memoryBytes !== undefined) detail.memoryMiB = Math.round((s.memoryBytes / 1048576) * 10) / 10;
      if (s.failing) detail.failing = s.failing;
      return [n.spec.name, { state, detail }];
    }),
  );
}

/**
 * Whole: three primaries holding all 16384 slots, every other node a replica of one of them (two
 * each), and every node seeing the cluster ok with no node failing. Blank spare nodes (the chat's
 * fourth shard before it joins) are left out; once it has joined, four primaries, each with its
 * replicas, are whole too.
 */
export function clusterHealthy(
  nodes: Array<{ name: string; state: string; detail?: Record<string, string | number> }>,
  primaries = 3,
): boolean {
  const members = nodes.filter((n) => n.state !== 'SPARE');
  const ps = members.filter((n) => n.state === 'PRIMARY');
  if (ps.length < primaries || !members.every((n) => n.state === 'PRIMARY' || n.state === 'REPLICA')) return false;
  if (ps.reduce((sum, p) => sum + Number(p.detail?.slots ?? 0), 0) !== 16384) return false;
  const replicasOf = (p: { name: string }) => members.filter((n) => n.detail?.primary === p.name).length;
  const each = (members.length - ps.length) / ps.length;
  // Evenly replicated when the numbers allow it (nine nodes: two each); else every primary has one.
  if (!ps.every((p) => (Number.isInteger(each) ? replicasOf(p) === each : replicasOf(p) >= 1))) return false;
  return members.every((n) => n.detail?.cluster === 'ok' && !n.detail?.failing);
}
