// Resolves a fault's target rule against the live stack: the VIP holder now, the other LB, the
// backends by name, the data nodes' primary now and its replicas.
import { getStatus, masters, onePrimary } from '../observe/status.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { backends, dataNodes, lbs, type Topology } from '../stack/topology.js';
import type { TargetRule } from './catalogue.js';
import { readShards, type Shard } from '../groups/cluster/admin.js';
import { cacheOfBackend, readShortenerHolders, type ShortenerHolders } from './shortener-holders.js';

/** The shortener's rules (U1–U5): their holders are the shortener's roles, not the VIP. */
export const shortenerRules: readonly TargetRule[] = ['pg-primary', 'log-leader', 'links-master', 'links-replica', 'replica-cache'];

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

/** The one data node that is PRIMARY now (waits up to 10 s for exactly one). */
export const redisPrimary = (rt: Runtime): Promise<string> => onePrimary(rt, 'redis', 'data node');

/** Who holds what now: the rules that name a live role need it. */
export interface Holders {
  vip: string;
  /** The data nodes' primary (stacks with data nodes). */
  primary?: string;
  /** The Redis Cluster's shards: each primary, its slots and replicas (stacks with a cluster). */
  shards?: Shard[];
  /** The shortener's roles (stacks with the shortener). */
  shortener?: ShortenerHolders;
}

/** Reads the holders a rule needs (the data nodes' primary only for a rule that names it). */
export async function readHolders(rt: Runtime, rule: TargetRule): Promise<Holders> {
  if (rule.startsWith('cluster-')) return { vip: '', shards: await readShards(rt) };
  if (rule === 'weather-source') return { vip: '' };
  if (shortenerRules.includes(rule)) return { vip: '', shortener: await readShortenerHolders(rt) };
  const dataRule = rule.startsWith('redis-');
  const [vip, primary] = await Promise.all([dataRule ? Promise.resolve('') : activeLb(rt), dataRule ? redisPrimary(rt) : undefined]);
  return { vip, primary };
}

/**
 * The node names a rule hits, given who holds the VIP and the primary (`pick` chooses one
 * backend or replica). A partition rule gives its two sides, the target first.
 */
export function resolveTargets(
  t: Topology,
  rule: TargetRule,
  holders: Holders | string,
  pick: (names: string[]) => string = (n) => n[0]!,
): string[] {
  const { vip: holder, primary = '', shards = [], shortener } = typeof holders === 'string' ? { vip: holders } : holders;
  const master = shortener?.linksMaster ?? '';
  const lb = lbNames(t);
  const data = dataNodes(t).map((n) => n.name);
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
    case 'redis-primary':
      return [primary];
    case 'redis-replica':
      return [pick(data.filter((n) => n !== primary))];
    case 'redis-primary-cut':
      return dataNodeCut(t, primary);
    case 'cluster-primary':
      return [pick(shards.map((s) => s.primary))];
    case 'cluster-replica':
      return [pick(shards.flatMap((s) => s.replicas))];
    case 'cluster-primary-cut': {
      // A primary first, then every other cluster node: the majority it is cut from (the backends
      // still reach it, so its writes meet WAIT's refusal, then the cluster's).
      const p = pick(shards.map((s) => s.primary));
      return [p, ...t.nodes.filter((n) => n.role === 'cluster' && n.name !== p).map((n) => n.name)];
    }
    case 'weather-source':
      return t.nodes.filter((n) => n.role === 'weather').map((n) => n.name);
    case 'pg-primary':
      return [shortener?.pgPrimary ?? ''];
    case 'log-leader':
      return [shortener?.logLeader ?? ''];
    case 'links-master':
      return [master];
    case 'links-replica':
      return [pick(backendNames(t).filter((n) => n !== master))];
    case 'replica-cache':
      return [cacheOfBackend(pick(backendNames(t).filter((n) => n !== master)))];
  }
}

/** A data node first; then everything R5 cuts it from: the other data nodes and the backends. */
export function dataNodeCut(t: Topology, node: string): string[] {
  return [
    node,
    ...dataNodes(t)
      .map((n) => n.name)
      .filter((n) => n !== node),
    ...backendNames(t),
  ];
}
