// How a backend reaches the Redis Cluster, read from its environment. No REDIS_CLUSTER_NODES: no
// cluster, and the APIs that keep their state there (the weather cache) answer 503.
import { parseHostPorts, SettingsError, type Env } from '../redis/settings.js';

export interface ClusterSettings {
  /** Nodes to learn the topology from (REDIS_CLUSTER_NODES="host:port,host:port"); any one that answers will do. */
  nodes: { host: string; port: number }[];
  /** The backend's ACL user on the cluster nodes (REDIS_CLUSTER_USER, REDIS_CLUSTER_PASSWORD). */
  user?: string;
  password?: string;
  /**
   * The nodes' cluster-node-timeout (CLUSTER_NODE_TIMEOUT_MS): how long a dead primary goes
   * unnoticed. The client's retry budget is chosen from it (client.ts).
   */
  nodeTimeoutMs: number;
  /** Longest wait for one command's reply (CLUSTER_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
  /** `kit`: the options of client.ts; `textbook`: ioredis's defaults, as tutorials leave them (the bench). */
  profile: 'kit' | 'textbook';
}

export function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new SettingsError(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  return n;
}

/** Undefined when REDIS_CLUSTER_NODES is unset or empty: the backend runs without the cluster. */
export function clusterSettingsFromEnv(env: Env): ClusterSettings | undefined {
  const nodes = parseHostPorts('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES ?? '');
  if (!nodes.length) return undefined;
  const profile = env.CLUSTER_CLIENT_PROFILE || 'kit';
  if (profile !== 'kit' && profile !== 'textbook') throw new SettingsError(`CLUSTER_CLIENT_PROFILE=${profile}: expected kit or textbook`);
  return {
    nodes,
    user: env.REDIS_CLUSTER_USER || undefined,
    password: env.REDIS_CLUSTER_PASSWORD || undefined,
    nodeTimeoutMs: intSetting(env, 'CLUSTER_NODE_TIMEOUT_MS', 250, 50, 120_000),
    commandTimeoutMs: intSetting(env, 'CLUSTER_COMMAND_TIMEOUT_MS', 200, 20, 10_000),
    profile,
  };
}
