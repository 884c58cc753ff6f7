// Postgres 15 under Patroni (shortener/pg-entrypoint): a primary and a streaming standby; Patroni
// alone promotes. docs/architecture.md#postgres-and-patroni.
import type { NodeGroup } from '../group.js';
import { pgSecrets, secretEnv } from '../secrets.js';
import { etcdEndpoints, exactly, getJson, ports } from '../shortener/nodes.js';

interface PatroniState {
  role?: string;
  state?: string;
  timeline?: number;
}

export const postgresGroup: NodeGroup = {
  name: 'postgres',
  title: 'database node',
  configDirs: ['shortener'],
  // After etcd (its DCS), before the backends.
  startRank: -1,
  servingStates: ['PRIMARY', 'REPLICA'],
  // A fresh pair: Patroni's initdb on the first, then the standby's base backup from it.
  healthyWithinMs: 90_000,
  diesSilently: true,
  keepsData: true,
  secrets: pgSecrets,
  launch: (node, { topology, credentials, dataDir }) => ({
    argv: ['/etc/shortener/pg-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      ETCD_HOSTS: etcdEndpoints(topology).join(','),
      DATA_DIR: dataDir,
      ...secretEnv(credentials.secrets, pgSecrets),
      ...secretEnv(credentials.secrets, ['ETCD_PATRONI_PASSWORD']),
    },
  }),
  async readStates(_rt, mine) {
    const out = new Map<string, { state: string; detail: Record<string, string | number> }>();
    await Promise.all(
      mine.map(async (n) => {
        if (!n.running) return out.set(n.spec.name, { state: 'DOWN', detail: {} });
        // Patroni asks Postgres before it answers: on a loaded host that takes longer than the log's
        // monitor page, and a slow answer is not a node that is starting.
        const r = await getJson<PatroniState>(`http://${n.spec.address}:${ports.patroni}/patroni`, {}, 3000);
        const role = r?.body.role;
        const running = r?.body.state === 'running';
        out.set(n.spec.name, {
          state: !running ? 'STARTING' : role === 'master' || role === 'primary' ? 'PRIMARY' : role === 'replica' ? 'REPLICA' : 'STARTING',
          detail: r?.body.timeline !== undefined ? { timeline: r.body.timeline } : {},
        });
      }),
    );
    return out;
  },
  healthy: (nodes) =>
    nodes.filter((n) => n.state === 'PRIMARY').length === 1 && nodes.every((n) => n.state === 'PRIMARY' || n.state === 'REPLICA'),
  validate: (nodes) => exactly(nodes, 2, 'database nodes (a primary and a standby)'),
};
