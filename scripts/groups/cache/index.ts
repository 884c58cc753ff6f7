// A backend's own Redis (shortener/cache-entrypoint): cacheN serves backendN's redirects and
// holds its position in the links stream and its pending clicks. docs/architecture.md#placement.
import { Redis } from 'ioredis';
import type { NodeGroup } from '../group.js';
import { cacheSecrets, secretEnv } from '../secrets.js';
import { cacheAclEnv, exactly, ports } from '../shortener/nodes.js';
import { loadCredentials } from '../../stack/credentials.js';
import { keys } from '../../../backends/shortener/cache.js';
import { HakitError } from '../../errors.js';

async function positionOf(host: string, password: string): Promise<{ position: number; links: number } | undefined> {
  const r = new Redis({
    host,
    port: ports.cache,
    username: 'admin',
    password,
    lazyConnect: true,
    connectTimeout: 500,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    const [pos, links] = await Promise.all([r.get(keys.position), r.hlen(keys.links)]);
    return { position: Number(pos ?? 0), links };
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}

export const cacheGroup: NodeGroup = {
  name: 'cache',
  title: "backend's Redis",
  configDirs: ['shortener'],
  startRank: -1,
  servingStates: ['UP'],
  diesSilently: true,
  keepsData: true,
  secrets: cacheSecrets,
  launch: (node, { credentials, dataDir }) => ({
    argv: ['/etc/shortener/cache-entrypoint'],
    env: {
      NODE_NAME: node.name,
      NODE_ADDRESS: node.address,
      DATA_DIR: dataDir,
      ...cacheAclEnv(),
      ...secretEnv(credentials.secrets, cacheSecrets),
    },
  }),
  // UP with the stream position its backend has applied and the links it holds.
  async readStates(_rt, mine) {
    const password = loadCredentials()?.secrets?.CACHE_ADMIN_PASSWORD ?? '';
    const out = new Map<string, { state: string; detail: Record<string, string | number> }>();
    await Promise.all(
      mine.map(async (n) => {
        if (!n.running) return out.set(n.spec.name, { state: 'DOWN', detail: {} });
        const seen = await positionOf(n.spec.address, password);
        out.set(n.spec.name, seen ? { state: 'UP', detail: seen } : { state: 'STARTING', detail: {} });
      }),
    );
    return out;
  },
  healthy: (nodes) => nodes.every((n) => n.state === 'UP'),
  validate: (nodes) => exactly(nodes, 2, "backends' Redis nodes (one per backend)"),
};

/**
 * U5: a backend's Redis loses its data (FLUSHALL as the admin user, the node's own credentials);
 * its backend notices the position going back and reads the links stream again.
 */
export async function flushCache(address: string): Promise<void> {
  const r = new Redis({
    host: address,
    port: ports.cache,
    username: 'admin',
    password: loadCredentials()?.secrets?.CACHE_ADMIN_PASSWORD ?? '',
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.flushall();
  } catch (err) {
    throw new HakitError(`FLUSHALL on the cache at ${address} failed: ${(err as Error).message}`);
  } finally {
    r.disconnect();
  }
}
