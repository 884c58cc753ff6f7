// The backends: the Hono app of backends/, one per node, behind both LBs' HAProxy.
import { join } from 'node:path';
import type { NodeGroup } from '../group.js';
import { installApp } from './app.js';
import { backendStates } from './status.js';

export const backendGroup: NodeGroup = {
  name: 'backend',
  title: 'backend',
  configDirs: [],
  startRank: 1,
  servingStates: ['UP'],
  prepareHost: installApp,
  launch: (node, { topology, appDir, clientEnv }) => ({
    // Least privilege: nobody, no capabilities, no way to regain them.
    argv: [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--inh-caps=-all',
      '--no-new-privs',
      process.execPath,
      join(appDir, 'backends', 'server.js'),
    ],
    env: {
      NODE_NAME: node.name,
      SERVER_ID: node.serverId ?? '1',
      SERVER_NAME: node.name,
      PORT: String(topology.ports.backend),
      NODE_ENV: 'production',
      // Each group's address and credentials for the app (the Sentinels, …): NodeGroup.clientEnv.
      ...clientEnv(),
    },
  }),
  readStates: backendStates,
  healthy: (nodes) => nodes.every((n) => n.state === 'UP'),
  validate: (nodes) => (nodes.length < 1 ? ['expected at least 1 backend'] : []),
};
