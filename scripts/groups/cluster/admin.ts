// The kit's own admin view of the Redis Cluster from this host: which primary serves which slots
// now (from CLUSTER NODES on any node that answers), and what the cluster holds under a key (an
// admin Cluster client, for the checks after a fault: every acknowledged write still there).
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import type { Runtime } from '../../runtime/runtime.js';
import { askNode, REDIS_PORT } from '../redis/client.js';
import { parseClusterNodes, type ClusterNodeLine } from './cluster-nodes.js';
import { clusterAdminPassword } from './status.js';

export interface Shard {
  /** The primary's node name. */
  primary: string;
  slots: Array<[number, number]>;
  /** Its replicas' node names. */
  replicas: string[];
}

/** The shards as the first cluster node that answers sees them (primaries not marked failing). */
export async function readShards(rt: Runtime): Promise<Shard[]> {
  const nodes = rt.topology.nodes.filter((n) => n.role === 'cluster');
  const byAddress = new Map(nodes.map((n) => [n.address, n.name]));
  const password = clusterAdminPassword();
  for (const n of nodes) {
    const text = (await askNode({ host: n.address, port: REDIS_PORT }, password, (r) => r.call('CLUSTER', 'NODES'))) as string | undefined;
    if (!text) continue;
    const lines = parseClusterNodes(text);
    const name = (l: ClusterNodeLine) => byAddress.get(l.host) ?? l.address;
    return lines
      .filter((l) => l.primary && !l.failing && l.slots.length > 0)
      .map((p) => ({ primary: name(p), slots: p.slots, replicas: lines.filter((l) => l.masterId === p.id && !l.failing).map(name) }));
  }
  return [];
}

export const shardOfSlot = (shards: Shard[], slot: number): Shard | undefined =>
  shards.find((s) => s.slots.some(([a, b]) => slot >= a && slot <= b));

export const shardOfKey = (shards: Shard[], key: string) => shardOfSlot(shards, calculateSlot(key));

/** Runs `fn` with an admin Cluster client of the stack's cluster (closed after). */
export async function withClusterAdmin<T>(rt: Runtime, fn: (c: Cluster) => Promise<T>): Promise<T> {
  const nodes = rt.topology.nodes.filter((n) => n.role === 'cluster').map((n) => ({ host: n.address, port: REDIS_PORT }));
  const c = new Cluster(nodes, {
    redisOptions: {
      username: 'admin',
      password: clusterAdminPassword(),
      commandTimeout: 2000,
      connectTimeout: 1000,
      disableClientInfo: true,
    },
    slotsRefreshTimeout: 1000,
    enableOfflineQueue: true,
  });
  c.on('error', () => undefined);
  try {
    return await fn(c);
  } finally {
    c.disconnect();
  }
}
