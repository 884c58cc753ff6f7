// What the backends' `app` user may do on the Redis Cluster nodes: one list, read by the node
// group that writes the nodes' ACL files (CLUSTER_APP_ACL) and by the loopback cluster the tests
// start, so a missing rule shows up as NOPERM in the tests, not on a live stack. Each feature
// that keeps state on the cluster adds its keys and commands here (the weather cache today).

/** What any ioredis Cluster client sends on its own: connect, ready check, topology, replica reads. */
export const clusterClientCommands = [
  'auth',
  'ping',
  // ioredis: each node connection's ready check (INFO), the cluster's (CLUSTER INFO), and the
  // topology it refreshes (CLUSTER SLOTS, on a connection it names with CLIENT SETNAME)
  'info',
  'cluster|info',
  'cluster|slots',
  'client|setname',
  // a connection to a replica is put in READONLY mode; READWRITE when a replica became primary
  'readonly',
  'readwrite',
  // a key of a slot being moved: the source answers ASK, and the command is sent again to the
  // target after ASKING (a live reshard, docs/architecture.md#live-resharding)
  'asking',
] as const;

/** The weather cache (backends/weather/): its scripts are sent as EVAL, WAIT follows each write. */
export const weatherCommands = ['eval', 'get', 'set', 'del', 'pexpire', 'wait'] as const;
export const weatherKeyPatterns = ['weather:*'] as const;

/**
 * The chat (backends/chat/): its scripts (EVAL) append to a block's stream, move the head hint and
 * fold counts; reads, WAIT after each append, and the rooms' sharded pub/sub channels.
 */
export const chatCommands = [
  'eval',
  'xadd',
  'xrange',
  'xrevrange',
  'xsetid',
  'get',
  'set',
  'hget',
  'hset',
  'hincrby',
  'hgetall',
  'hmget',
  'sadd',
  'smembers',
  'wait',
  'spublish',
  'ssubscribe',
  'sunsubscribe',
] as const;
export const chatKeyPatterns = ['chat:*'] as const;
export const chatChannelPatterns = ['chat:r:*'] as const;

/** The app user's permissions on a cluster node: keys, channels, commands. */
export const clusterAppPermissions = (): string[] => [
  ...weatherKeyPatterns.map((p) => `~${p}`),
  ...chatKeyPatterns.map((p) => `~${p}`),
  'resetchannels',
  ...chatChannelPatterns.map((p) => `&${p}`),
  '-@all',
  ...[...new Set([...clusterClientCommands, ...weatherCommands, ...chatCommands])].map((c) => `+${c}`),
];

/** The rule list after `ACL SETUSER <user>` (or after `user <user>` in an ACL file). */
export function clusterAppAclRules(password: string): string[] {
  return ['reset', 'on', `>${password}`, ...clusterAppPermissions()];
}
