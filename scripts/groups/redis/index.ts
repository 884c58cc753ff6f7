// The data nodes: Redis and Sentinel side by side on each node (redis/redis-entrypoint), one
// primary and its replicas, a Sentinel on every node (quorum 2 of 3), so losing any one node,
// its Sentinel with it, still elects. docs/architecture.md#the-data-nodes.
import { HakitError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { dataNodes, type NodeSpec, type Topology } from '../../stack/topology.js';
import type { NodeGroup } from '../group.js';
import { redisSecrets, secretEnv } from '../secrets.js';
import { appAclEnv, redisClientEnv } from './client-env.js';
import { redisProfileEnv } from '../../stack/profiles.js';
import { redisStates } from './status.js';

/** The node that is primary on a first start (an empty data directory). */
export const firstPrimary = (t: Topology): NodeSpec | undefined => dataNodes(t)[0];

/** Runs a command on the node's shell, naming what failed. */
async function inNode(rt: Runtime, node: string, script: string, what: string): Promise<void> {
  const r = await rt.exec(node, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new HakitError(`could not ${what} on ${node}: ${r.stderr.trim() || 'is the node running?'}`);
}

export const redisGroup: NodeGroup = {
  name: 'redis',
  title: 'data node',
  configDirs: ['redis'],
  // First: the backends find the primary through the Sentinels when they start.
  startRank: 0,
  servingStates: ['PRIMARY', 'REPLICA'],
  // A node's death is a host's: silent on the network first, so clients and Sentinels see a
  // vanished node (timeouts), not a process that closed its sockets.
  diesSilently: true,
  keepsData: true,
  secrets: redisSecrets,
  profileEnv: redisProfileEnv,
  launch: (node, { topology, credentials, dataDir, profileEnv }) => ({
    argv: ['/etc/redis/redis-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      PRIMARY_ADDRESS: firstPrimary(topology)?.address ?? node.address,
      PEER_ADDRESSES: dataNodes(topology)
        .filter((n) => n.name !== node.name)
        .map((n) => n.address)
        .join(' '),
      DATA_DIR: dataDir,
      ...appAclEnv(),
      ...secretEnv(credentials.secrets, redisSecrets),
      ...profileEnv,
    },
  }),
  clientEnv: redisClientEnv,
  readStates: redisStates,
  // One primary, every other Redis a replica in sync, and every Sentinel agreeing on the primary,
  // knowing all the others and watching every replica: Sentinels find each other through the
  // primary's hello channel every 2 s, and two that never met before the primary dies cannot
  // agree that it is down; a Sentinel promotes only a replica it watches. A node may run one part
  // only (the textbook layout): a SENTINEL node runs no Redis, a node whose Sentinel is "none" none.
  healthy(nodes) {
    const primaries = nodes.filter((n) => n.state === 'PRIMARY');
    if (primaries.length !== 1 || !nodes.every((n) => ['PRIMARY', 'REPLICA', 'SENTINEL'].includes(n.state))) return false;
    const watchers = nodes.filter((n) => n.detail?.sentinel !== 'none');
    const servers = nodes.filter((n) => n.state !== 'SENTINEL');
    return (
      watchers.length > 0 &&
      watchers.every(
        (n) =>
          n.detail?.sentinel === primaries[0]!.name &&
          n.detail?.sentinelsKnown === watchers.length &&
          n.detail?.replicasKnown === servers.length - 1,
      )
    );
  },
  parts: ['sentinel'],
  // Only the Sentinel dies (R3); Redis serves on.
  killPart: (rt, node) => inNode(rt, node, 'kill -KILL "$(cat /run/hakit/sentinel.pid)"', 'kill the Sentinel'),
  // Every part the node runs is alive (redis/whole reads them from /run/hakit/parts).
  isWhole: async (rt, node) => (await rt.exec(node, ['/etc/redis/whole'])).exitCode === 0,
  // The entrypoint starts its Sentinel again on SIGUSR1.
  mend: (rt, node) => inNode(rt, node, 'kill -USR1 "$(cat /run/hakit/entrypoint.pid)"', 'restart the Sentinel'),
  validate(nodes) {
    // Sentinel's quorum is 2: fewer than three nodes cannot lose one and still elect.
    return nodes.length === 0 || nodes.length === 3 ? [] : [`expected 3 data nodes (Sentinel quorum 2), found ${nodes.length}`];
  },
};
