// The replicated log: three nats-servers with JetStream (shortener/nats-entrypoint), every stream
// replicated ×3. docs/architecture.md#the-replicated-log.
import type { NodeGroup } from '../group.js';
import { natsSecrets, secretEnv } from '../secrets.js';
import { exactly, getJson, ofRole, ports, shortenerClientEnv } from '../shortener/nodes.js';

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
  streams?: number;
  messages?: number;
}

export const natsGroup: NodeGroup = {
  name: 'nats',
  title: 'log node',
  configDirs: ['shortener'],
  startRank: -2,
  servingStates: ['LEADER', 'FOLLOWER'],
  diesSilently: true,
  keepsData: true,
  secrets: natsSecrets,
  launch: (node, { topology, credentials, dataDir }) => ({
    argv: ['/etc/shortener/nats-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      PEERS: ofRole(topology, 'nats')
        .map((n) => `${n.address}:${ports.natsCluster}`)
        .join(' '),
      DATA_DIR: dataDir,
      ...secretEnv(credentials.secrets, natsSecrets),
    },
  }),
  // The shortener's whole environment for the backends (the log, etcd, Postgres, their Redis): one
  // group gives it, since a backend runs the shortener only with all of them.
  clientEnv: shortenerClientEnv,
  // LEADER: the JetStream meta leader (streams' own leaders are spread over the three).
  async readStates(_rt, mine) {
    const out = new Map<string, { state: string; detail: Record<string, string | number> }>();
    await Promise.all(
      mine.map(async (n) => {
        if (!n.running) return out.set(n.spec.name, { state: 'DOWN', detail: {} });
        const r = await getJson<Jsz>(`http://${n.spec.address}:${ports.natsMonitor}/jsz`);
        const leader = r?.body.meta_cluster?.leader;
        out.set(n.spec.name, {
          state: !leader ? 'STARTING' : leader === n.spec.name ? 'LEADER' : 'FOLLOWER',
          detail: { leader: leader ?? 'none', streams: r?.body.streams ?? 0, messages: r?.body.messages ?? 0 },
        });
      }),
    );
    return out;
  },
  healthy: (nodes) =>
    nodes.filter((n) => n.state === 'LEADER').length === 1 && nodes.every((n) => n.state === 'LEADER' || n.state === 'FOLLOWER'),
  validate: (nodes) => exactly(nodes, 3, 'log nodes (JetStream replicas ×3)'),
};
