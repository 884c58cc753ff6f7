// A short-lived admin connection from the kit to one data node (its Redis or its Sentinel), for
// status and checks. Bounded on every side: a node that does not answer costs 0.5 s at most.
import { Redis } from 'ioredis';

export { MASTER_NAME, REDIS_PORT, SENTINEL_PORT } from './ports.js';

export interface NodeAddress {
  host: string;
  port: number;
}

/** Runs `fn` on a fresh connection as the admin user; undefined when the node does not answer. */
export async function askNode<T>(at: NodeAddress, password: string, fn: (r: Redis) => Promise<T>): Promise<T | undefined> {
  const r = new Redis({
    ...at,
    username: 'admin',
    password,
    lazyConnect: true,
    connectTimeout: 500,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined); // reported through the result, not as an unhandled event
  try {
    await r.connect();
    return await fn(r);
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}
