// What a backend needs to reach the data nodes: the Sentinels to ask for the primary, and the
// app user's credentials (the same user on Redis and on Sentinel). compose.yaml's
// x-backend-redis-env carries the same for Docker. No data nodes: no counter, the tier alone.
import { backendPermissions, sentinelClientPermissions } from '../../../backends/redis/acl.js';
import type { Credentials } from '../../runtime/runtime.js';
import { dataNodes, type Topology } from '../../stack/topology.js';
import { MASTER_NAME, SENTINEL_PORT } from './client.js';

export function redisClientEnv(t: Topology, credentials: Credentials): Record<string, string> {
  const nodes = dataNodes(t);
  const password = credentials.secrets?.REDIS_APP_PASSWORD;
  if (nodes.length === 0 || !password) return {};
  return {
    REDIS_SENTINELS: nodes.map((n) => `${n.address}:${SENTINEL_PORT}`).join(','),
    REDIS_MASTER_NAME: MASTER_NAME,
    REDIS_USER: 'app',
    REDIS_PASSWORD: password,
    SENTINEL_USER: 'app',
    SENTINEL_PASSWORD: password,
  };
}

/**
 * The data nodes' side of the same contract: what the backends' `app` user may do, on Redis and
 * on Sentinel, from the one list the backends keep (backends/redis/acl.ts). The entrypoint writes
 * them after the user's password.
 */
export const appAclEnv = (): Record<string, string> => ({
  REDIS_APP_ACL: backendPermissions().join(' '),
  SENTINEL_APP_ACL: sentinelClientPermissions().join(' '),
});
