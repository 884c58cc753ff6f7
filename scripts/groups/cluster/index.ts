// The Redis Cluster nodes (cluster1–cluster9, `hakit up --with weather` or `chat`): Debian's
// redis-server in cluster mode under redis/cluster-entrypoint, three primaries with two replicas
// each, formed and checked by `up` (formation.ts). The backends reach them with ioredis Cluster
// (backends/cluster/). docs/architecture.md#the-cluster-nodes.
import { clusterAppPermissions } from '../../../backends/cluster/acl.js';
import type { Credentials } from '../../runtime/runtime.js';
import type { NodeSpec, Topology } from '../../stack/topology.js';
import type { NodeGroup } from '../group.js';
import { REDIS_PORT } from '../redis/client.js';
import { clusterSecrets, secretEnv } from '../secrets.js';
import { clusterShape } from './form.js';
import { isChatShardNode } from './chat-shard.js';
import { formCluster } from './formation.js';
import { clusterHealthy, clusterStates } from './status.js';

export const clusterNodes = (t: Topology): NodeSpec[] => t.nodes.filter((n) => n.role === 'cluster');

/** What the backends' app user may do on the nodes, from the one list the backends keep. */
export const clusterAppAclEnv = (): Record<string, string> => ({ CLUSTER_APP_ACL: clusterAppPermissions().join(' ') });

/** What a backend needs to reach the cluster: any node to learn the topology from, its user. */
export function clusterClientEnv(t: Topology, credentials: Credentials): Record<string, string> {
  const nodes = clusterNodes(t);
  const password = credentials.secrets?.CLUSTER_APP_PASSWORD;
  if (nodes.length === 0 || !password) return {};
  return {
    REDIS_CLUSTER_NODES: nodes.map((n) => `${n.address}:${REDIS_PORT}`).join(','),
    REDIS_CLUSTER_USER: 'app',
    REDIS_CLUSTER_PASSWORD: password,
  };
}

export const clusterGroup: NodeGroup = {
  name: 'cluster',
  title: 'cluster node',
  configDirs: ['redis'],
  // With the other data nodes: formed before the backends start.
  startRank: 0,
  servingStates: ['PRIMARY', 'REPLICA', 'SPARE'],
  // A host's death: silent on the network first, so peers and clients see a vanished node
  // (timeouts; the node timeout is what the cluster measures), not closed sockets.
  diesSilently: true,
  keepsData: true,
  secrets: clusterSecrets,
  // The bench's textbook profile: the cluster's own defaults (profiles.ts).
  profileEnv: (profile) => ({ ...profile?.cluster?.nodes }),
  launch: (node, { credentials, dataDir, profileEnv }) => ({
    argv: ['/etc/redis/cluster-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      DATA_DIR: dataDir,
      ...clusterAppAclEnv(),
      ...secretEnv(credentials.secrets, clusterSecrets),
      ...profileEnv,
    },
  }),
  formed: (rt) => formCluster(rt).then(() => undefined),
  clientEnv: clusterClientEnv,
  readStates: clusterStates,
  healthy: (nodes) => clusterHealthy(nodes, clusterShape.primaries),
  validate(nodes) {
    const want = clusterShape.primaries * (1 + clusterShape.replicasEach);
    const formed = nodes.filter((n) => !isChatShardNode(n.name));
    return nodes.length === 0 || formed.length === want
      ? []
      : [
          `expected ${want} cluster nodes (${clusterShape.primaries} primaries with ${clusterShape.replicasEach} replicas each) besides the chat's fourth shard, found ${formed.length}`,
        ];
  },
};
