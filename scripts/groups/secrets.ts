// The secrets node groups need, by the environment name their nodes read them under. Kept apart
// from the group registry so that credentials.ts can ask without loading every group.
export const redisSecrets = ['REDIS_ADMIN_PASSWORD', 'REDIS_APP_PASSWORD', 'REDIS_REPLICA_PASSWORD', 'REDIS_SENTINEL_PASSWORD'] as const;

/** The Redis Cluster nodes' ACL passwords (scripts/groups/cluster/): admin, the backends' app user, replication. */
export const clusterSecrets = ['CLUSTER_ADMIN_PASSWORD', 'CLUSTER_APP_PASSWORD', 'CLUSTER_REPLICA_PASSWORD'] as const;

// The URL shortener's nodes (scripts/groups/nats, etcd, postgres, cache).
export const natsSecrets = ['NATS_APP_PASSWORD', 'NATS_ADMIN_PASSWORD', 'NATS_ROUTE_PASSWORD'] as const;
export const etcdSecrets = ['ETCD_ROOT_PASSWORD', 'ETCD_PATRONI_PASSWORD', 'ETCD_APP_PASSWORD'] as const;
export const pgSecrets = [
  'PG_SUPERUSER_PASSWORD',
  'PG_REPLICATION_PASSWORD',
  'PG_REWIND_PASSWORD',
  'PG_APP_PASSWORD',
  'PATRONI_API_PASSWORD',
] as const;
export const cacheSecrets = ['CACHE_ADMIN_PASSWORD', 'CACHE_APP_PASSWORD'] as const;

export const groupSecrets = (): readonly string[] => [
  ...redisSecrets,
  ...clusterSecrets,
  ...natsSecrets,
  ...etcdSecrets,
  ...pgSecrets,
  ...cacheSecrets,
];

/** The secrets as an environment (only those present). */
export function secretEnv(secrets: Record<string, string> | undefined, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => secrets?.[n]).map((n) => [n, secrets![n]!]));
}
