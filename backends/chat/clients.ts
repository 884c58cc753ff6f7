// The chat's cluster clients: the backends' own (backends/cluster/client.ts, chosen with the node
// timeout) for reads, writes and SPUBLISH, and one more with sharded subscribers for the rooms'
// SSUBSCRIBE (ioredis keeps one subscriber connection per primary, and subscribes again where a
// channel's slot went after the cluster's map changes).
import { Cluster } from 'ioredis';
import { kitClusterOptions } from '../cluster/client.js';
import type { ClusterSettings } from '../cluster/settings.js';
import type { ChatClients } from './service.js';

export function createChatSubscriber(s: ClusterSettings): Cluster {
  return new Cluster(s.nodes, { ...kitClusterOptions(s), scaleReads: 'master', shardedSubscribers: true });
}

export function createChatClients(s: ClusterSettings, primary?: Cluster): ChatClients {
  return {
    primary: primary ?? new Cluster(s.nodes, { ...kitClusterOptions(s), scaleReads: 'master' }),
    subscriber: createChatSubscriber(s),
  };
}
