// The backends' Redis Cluster clients (ioredis Cluster): one that reads and writes on the
// primaries, one that reads from the replicas (the stale answers a shard gives while its primary
// fails over). The options are data, chosen with the nodes' node timeout; each says why.
// docs/architecture.md#the-cluster-client.
import { Cluster, type ClusterOptions } from 'ioredis';
import type { ClusterSettings } from './settings.js';

/** The retry step after a dropped connection, a CLUSTERDOWN or a TRYAGAIN, ms. */
export const retryStepMs = 100;

/**
 * How long a failover takes at most, from the primary's death: the node timeout until its peers
 * mark it failing, then a replica waits 500 ms + up to 500 ms at random (+ 1 s per rank behind a
 * better replica) before it asks for votes; a margin on top.
 */
export const failoverBudgetMs = (nodeTimeoutMs: number) => nodeTimeoutMs + 2000;

/** The kit's options, as a table a reader can check against the node timeout. */
export function kitClusterOptions(s: ClusterSettings): ClusterOptions {
  return {
    redisOptions: {
      username: s.user,
      password: s.password,
      // A primary whose host is gone sends no reset: without a timeout a command waits for TCP's
      // own (minutes; ioredis#559). The cache's reads fall back to a replica well before this.
      commandTimeout: s.commandTimeoutMs,
      connectTimeout: 300,
      // A command in flight when its connection dropped is not resent by ioredis after a
      // reconnect: the cache's own loop decides what to retry (a PUT is idempotent; it is retried).
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      // Redis 7.0 has no CLIENT SETINFO: two round trips that fail on every connect.
      disableClientInfo: true,
    },
    // Never queue a command for later: it fails now, and the caller knows.
    enableOfflineQueue: false,
    // retryDelayOnFailover × maxRedirections must outlast a failover, or ioredis gives up on a
    // command while the shard is still electing its new primary (the defaults, 100 ms × 16 = 1.6 s,
    // are shorter than a failover at the default 15 s node timeout by far).
    retryDelayOnFailover: retryStepMs,
    retryDelayOnClusterDown: retryStepMs,
    retryDelayOnTryAgain: retryStepMs,
    maxRedirections: Math.ceil(failoverBudgetMs(s.nodeTimeoutMs) / retryStepMs),
    // A silent dead primary answers nothing, so no MOVED ever tells the client about its
    // successor: the topology is re-read every second, and at once when a command times out
    // (the cache asks); a dead node asked for it costs 200 ms before the next is asked.
    slotsRefreshInterval: 1000,
    slotsRefreshTimeout: 200,
    // With every node lost, reconnect soon and keep trying.
    clusterRetryStrategy: (times) => Math.min(retryStepMs * times, 1000),
    enableAutoPipelining: false,
  };
}

/** ioredis's defaults, as a tutorial leaves them: the bench's textbook profile. */
export function textbookClusterOptions(s: ClusterSettings): ClusterOptions {
  return { redisOptions: { username: s.user, password: s.password } };
}

export interface ClusterClients {
  /** Reads and writes on each slot's primary. */
  primary: Cluster;
  /** Reads from each slot's replicas (READONLY connections): answers that may be a little behind. */
  replicas: Cluster;
}

export function createClusterClients(s: ClusterSettings): ClusterClients {
  const options = s.profile === 'textbook' ? textbookClusterOptions(s) : kitClusterOptions(s);
  return {
    primary: new Cluster(s.nodes, { ...options, scaleReads: 'master' }),
    replicas: new Cluster(s.nodes, { ...options, scaleReads: 'slave' }),
  };
}
