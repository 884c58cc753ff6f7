// The data nodes' ports and the primary's name at Sentinel, in a module of their own: the
// profiles and the CLI's start path read them without loading a Redis client.
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
/** The name Sentinel monitors the primary under (redis/redis-entrypoint). */
export const MASTER_NAME = 'hakit';
