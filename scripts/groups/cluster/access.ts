// Admin connections from this host to the stack's cluster nodes, for the reshard runner and the
// shard operations (reshard.ts, shards.ts): one per node, opened on first use, all closed by close().
import { Redis } from 'ioredis';
import type { Runtime } from '../../runtime/runtime.js';
import { REDIS_PORT } from '../redis/client.js';
import { clusterAdminPassword } from './status.js';
import type { AdminAccess } from './reshard.js';

export interface StackAccess extends AdminAccess {
  /** A node's name from its address (the names the user knows: cluster1 …). */
  nameOf(host: string): string;
  close(): void;
}

export function stackAdminAccess(rt: Runtime): StackAccess {
  const password = clusterAdminPassword();
  const names = new Map(rt.topology.nodes.filter((n) => n.role === 'cluster').map((n) => [n.address, n.name]));
  const open = new Map<string, Redis>();
  return {
    user: 'admin',
    password,
    connect(host, port) {
      const key = `${host}:${port}`;
      let r = open.get(key);
      if (!r) {
        r = new Redis({
          host,
          port,
          username: 'admin',
          password,
          commandTimeout: 15_000,
          connectTimeout: 2000,
          maxRetriesPerRequest: 2,
          disableClientInfo: true,
        });
        r.on('error', () => undefined);
        open.set(key, r);
      }
      return r;
    },
    nameOf: (host) => names.get(host) ?? host,
    close() {
      for (const r of open.values()) r.disconnect();
      open.clear();
    },
  };
}

export const nodeAddress = (rt: Runtime, name: string) => {
  const n = rt.topology.nodes.find((x) => x.name === name && x.role === 'cluster');
  return n ? { name: n.name, host: n.address, port: REDIS_PORT } : undefined;
};
