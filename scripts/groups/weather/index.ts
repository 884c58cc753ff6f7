// The weather source node (`weather`, `hakit up --with weather`): the third-party weather API the
// cache spares, played by a small Hono service (backends/weather-source/) run as nobody, as the
// backends are. It can die like any node (C4); the backends' cache then answers what it holds.
import { join } from 'node:path';
import type { NodeInfo, Runtime } from '../../runtime/runtime.js';
import type { Topology } from '../../stack/topology.js';
import { asNobody, installApp } from '../backend/app.js';
import type { NodeGroup, NodeReading } from '../group.js';

export const WEATHER_PORT = 8080;

const weatherNodes = (t: Topology) => t.nodes.filter((n) => n.role === 'weather');

/** Where the backends find the source. */
export function weatherClientEnv(t: Topology): Record<string, string> {
  const source = weatherNodes(t)[0];
  return source ? { WEATHER_SOURCE_URL: `http://${source.address}:${WEATHER_PORT}` } : {};
}

/** UP when it answers its health check within 0.5 s, DOWN when its process is gone, else STARTING. */
async function weatherStates(_rt: Runtime, mine: NodeInfo[]): Promise<Map<string, NodeReading>> {
  const seen = await Promise.all(
    mine.map(async (n) => {
      if (!n.running) return 'DOWN';
      try {
        const r = await fetch(`http://${n.address ?? n.spec.address}:${WEATHER_PORT}/healthz`, { signal: AbortSignal.timeout(500) });
        return r.ok ? 'UP' : 'STARTING';
      } catch {
        return 'STARTING';
      }
    }),
  );
  return new Map(mine.map((n, i) => [n.spec.name, seen[i]!]));
}

export const weatherGroup: NodeGroup = {
  name: 'weather',
  title: 'weather source',
  configDirs: [],
  // Before the backends that ask it.
  startRank: 0,
  servingStates: ['UP'],
  diesSilently: true,
  prepareHost: installApp,
  launch: (node, { appDir }) => ({
    // Least privilege, as the backends: nobody, no capabilities, no way to regain them.
    argv: asNobody([process.execPath, join(appDir, 'backends', 'weather-source', 'server.js')]),
    env: { SERVER_NAME: node.name, PORT: String(WEATHER_PORT), NODE_ENV: 'production' },
  }),
  clientEnv: weatherClientEnv,
  readStates: weatherStates,
  healthy: (nodes) => nodes.every((n) => n.state === 'UP'),
  validate: (nodes) => (nodes.length > 1 ? [`expected at most 1 weather source, found ${nodes.length}`] : []),
};
