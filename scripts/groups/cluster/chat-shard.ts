// The chat's fourth shard: cluster10 (its primary) and cluster11 (its replica), cluster nodes of
// the topology (chatNodes) that `up` starts blank and does not form with cluster1–9.
import { chatNodes } from '../../stack/topology.js';

export const chatShardNodes: readonly string[] = chatNodes.map((n) => n.name);

export const isChatShardNode = (name: string): boolean => chatShardNodes.includes(name);
