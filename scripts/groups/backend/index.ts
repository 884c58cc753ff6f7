// The backends: the Hono app of backends/, one per node, behind both LBs' HAProxy.
import { join } from 'node:path';
import type { NodeGroup, NodeReading } from '../group.js';
import { linksDetail } from '../shortener/nodes.js';
import { asNobody, installApp } from './app.js';
import { backendStates } from './status.js';
import { backendProfileEnv } from '../../stack/profiles.js';

export const backendGroup: NodeGroup = {
  name: 'backend',
  title: 'backend',
  configDirs: [],
  startRank: 1,
  servingStates: ['UP'],
  prepareHost: installApp,
  // The bench's profiles change the backends' Redis clients too (Sentinel's and the Cluster's: profiles.ts).
  profileEnv: (profile, topology) => ({ ...backendProfileEnv(profile, topology), ...profile?.cluster?.client }),
  launch: (node, { topology, appDir, clientEnv, profileEnv }) => ({
    // Least privilege: nobody, no capabilities, no way to regain them.
    argv: asNobody([process.execPath, join(appDir, 'backends', 'server.js')]),
    env: {
      NODE_NAME: node.name,
      SERVER_ID: node.serverId ?? '1',
      SERVER_NAME: node.name,
      PORT: String(topology.ports.backend),
      NODE_ENV: 'production',
      // Each group's address and credentials for the app (the Sentinels, …): NodeGroup.clientEnv.
      ...clientEnv(),
      ...profileEnv,
    },
  }),
  // With the shortener, each backend's part in it too (master or replica, position, pending clicks).
  async readStates(rt, mine, all) {
    const states = await backendStates(rt, mine, all);
    if (!rt.topology.features?.includes('shortener')) return states;
    const out = new Map<string, NodeReading>();
    await Promise.all(
      mine.map(async (n) => {
        const state = states.get(n.spec.name) ?? 'DOWN';
        const detail = n.running ? await linksDetail(n.spec.address, rt.topology.ports.backend) : undefined;
        out.set(n.spec.name, detail ? { state, detail } : state);
      }),
    );
    return out;
  },
  healthy: (nodes) => nodes.every((n) => n.state === 'UP'),
  validate: (nodes) => (nodes.length < 1 ? ['expected at least 1 backend'] : []),
};
