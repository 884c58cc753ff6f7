// The backends: the Hono app of backends/, one per node, behind both LBs' HAProxy.
import { join } from 'node:path';
import type { NodeGroup } from '../group.js';
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
  readStates: backendStates,
  healthy: (nodes) => nodes.every((n) => n.state === 'UP'),
  validate: (nodes) => (nodes.length < 1 ? ['expected at least 1 backend'] : []),
};
