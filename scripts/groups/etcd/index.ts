// Consensus: three etcd members (shortener/etcd-entrypoint) for Patroni's leader key and the
// shortener's master election. docs/architecture.md#consensus-etcd.
import type { NodeGroup } from '../group.js';
import { etcdSecrets, secretEnv } from '../secrets.js';
import { etcdEndpoints, exactly, getJson, ofRole, ports } from '../shortener/nodes.js';

export const etcdGroup: NodeGroup = {
  name: 'etcd',
  title: 'consensus node',
  configDirs: ['shortener'],
  startRank: -2,
  servingStates: ['LEADER', 'FOLLOWER'],
  diesSilently: true,
  keepsData: true,
  secrets: etcdSecrets,
  launch: (node, { topology, credentials, dataDir }) => ({
    argv: ['/etc/shortener/etcd-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      INITIAL_CLUSTER: ofRole(topology, 'etcd')
        .map((n) => `${n.name}=http://${n.address}:${ports.etcdPeer}`)
        .join(','),
      // etcd-auth, run by the entrypoint until auth is on, reaches every member.
      ENDPOINTS: etcdEndpoints(topology).join(','),
      DATA_DIR: dataDir,
      ...secretEnv(credentials.secrets, etcdSecrets),
    },
  }),
  // The member's own view: /v3/maintenance/status names the leader (no auth needed for it).
  async readStates(_rt, mine) {
    const out = new Map<string, { state: string; detail: Record<string, string | number> }>();
    await Promise.all(
      mine.map(async (n) => {
        if (!n.running) return out.set(n.spec.name, { state: 'DOWN', detail: {} });
        const r = await getJson<{ leader?: string; header?: { member_id?: string } }>(
          `http://${n.spec.address}:${ports.etcd}/v3/maintenance/status`,
          {
            method: 'POST',
            body: '{}',
          },
        );
        const leader = r?.body.leader;
        out.set(n.spec.name, {
          state: !leader || leader === '0' ? 'STARTING' : leader === r?.body.header?.member_id ? 'LEADER' : 'FOLLOWER',
          detail: {},
        });
      }),
    );
    return out;
  },
  healthy: (nodes) =>
    nodes.filter((n) => n.state === 'LEADER').length === 1 && nodes.every((n) => n.state === 'LEADER' || n.state === 'FOLLOWER'),
  validate: (nodes) => exactly(nodes, 3, 'etcd members (a majority of 2 survives one)'),
};
