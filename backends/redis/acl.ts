// What the backends may do on the data nodes and on the Sentinels: the ACL rules of their users,
// so the node group generating the users and the tests that start real servers share one list.

import { promotionChannels } from './sentinel-events.js';

/** Commands the backend sends itself, or inside its scripts (ACL checks each redis.call too). */
export const backendCommands = [
  // the connection: ioredis's ready check reads INFO (role, loading); PING for health
  'auth',
  'ping',
  'info',
  // scripts, sent as EVAL (never EVALSHA: see replica-ack.ts), and the replica acknowledgement
  'eval',
  'wait',
  // inside the scripts and the reads
  'get',
  'set',
  'expire',
  'incr',
  'pfadd',
  'pfcount',
  'lpush',
  'rpush',
  'ltrim',
  'llen',
  'lrange',
] as const;

/** Key patterns: the visit counter's (page:index:*) and the key-value store's (kv:*). */
export const backendKeyPatterns = ['page:index:*', 'kv:*'] as const;

/** What the backends' user may touch on a data node: keys, channels, commands. */
export const backendPermissions = (): string[] => [
  ...backendKeyPatterns.map((p) => `~${p}`),
  'resetchannels',
  '-@all',
  ...backendCommands.map((c) => `+${c}`),
];

/** The rule list after `ACL SETUSER <user>` (or after `user <user>` in redis.conf / an ACL file). */
export function backendAclRules(password: string): string[] {
  return ['reset', 'on', `>${password}`, ...backendPermissions()];
}

/** What the backends' user may do on a Sentinel. */
export const sentinelClientPermissions = (): string[] => [
  'resetchannels',
  ...promotionChannels.map((c) => `&${c}`),
  '-@all',
  '+auth',
  '+ping',
  '+subscribe',
  '+sentinel|get-master-addr-by-name',
  '+sentinel|sentinels',
];

/**
 * The backends' user on a Sentinel: find the primary, learn the other Sentinels, and hear a
 * failover's steps (promotion.ts; +switch-master is also ioredis's failoverDetector's).
 */
export function sentinelClientAclRules(password: string): string[] {
  return ['reset', 'on', `>${password}`, ...sentinelClientPermissions()];
}
