// Counts the failovers the data nodes' Sentinels carry out while it listens: each +switch-master
// (published by every Sentinel that learns it, so counted once per old → new pair and epoch
// window). The bench's flap check listens with no fault at all: each one is a false failover.
import { Redis } from 'ioredis';
import type { Runtime } from '../../runtime/runtime.js';
import { dataNodes } from '../../stack/topology.js';
import { SENTINEL_PORT } from './client.js';
import { adminPassword } from './status.js';

export interface FailoverWatch {
  /** Stops listening; the failovers seen, as "old-ip → new-ip". */
  stop(): Promise<string[]>;
}

/** The same switch announced by several Sentinels within this long is one failover. */
const SAME_SWITCH_MS = 5000;

export function watchFailovers(rt: Runtime): FailoverWatch {
  const password = adminPassword();
  const seen: Array<{ atMs: number; what: string }> = [];
  const subs = dataNodes(rt.topology).map((n) => {
    const s = new Redis({
      host: n.address,
      port: SENTINEL_PORT,
      username: 'admin',
      password,
      connectTimeout: 500,
      enableReadyCheck: false,
      retryStrategy: () => 500,
    });
    s.on('error', () => undefined); // a Sentinel that does not answer is just not heard
    s.on('message', (_channel: string, message: string) => {
      // "<name> <old-ip> <old-port> <new-ip> <new-port>"
      const [, oldIp, , newIp] = message.split(' ');
      const what = `${oldIp} → ${newIp}`;
      const now = Date.now();
      if (!seen.some((x) => x.what === what && now - x.atMs < SAME_SWITCH_MS)) seen.push({ atMs: now, what });
    });
    // Why void: a Sentinel down now is retried by ioredis; the others are heard meanwhile.
    void s.subscribe('+switch-master').catch(() => undefined);
    return s;
  });
  return {
    async stop() {
      for (const s of subs) s.disconnect();
      return seen.map((x) => x.what);
    },
  };
}
