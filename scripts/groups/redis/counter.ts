// The visit counter as the kit reads it from the data nodes: the day's counter on the primary
// (before and after a fault), and on every node — the course's own check that all three agree
// after a restore (`GET page:index:counter:<day>` on each node).
import type { Runtime } from '../../runtime/runtime.js';
import { waitFor } from '../../sh.js';
import { dataNodes } from '../../stack/topology.js';
import { adminPassword, readRedisSide, todayUtc } from './status.js';

/** The day's counter on each data node that answers (a node that does not is left out). */
export async function countersOnNodes(rt: Runtime, day = todayUtc()): Promise<Map<string, { role: string; count: number }>> {
  const password = adminPassword();
  const out = new Map<string, { role: string; count: number }>();
  await Promise.all(
    dataNodes(rt.topology).map(async (n) => {
      const seen = await readRedisSide(n.address, password, day);
      if (seen) out.set(n.name, { role: seen.role ?? 'unknown', count: seen.visitsToday });
    }),
  );
  return out;
}

/** The day's counter on the primary, once exactly one node is primary (waits up to `timeoutMs`). */
export function primaryCounter(rt: Runtime, timeoutMs = 15_000, day = todayUtc()): Promise<number> {
  return waitFor(
    'one primary to read the visit counter from',
    async () => {
      const primaries = [...(await countersOnNodes(rt, day)).values()].filter((c) => c.role === 'master');
      return primaries.length === 1 ? primaries[0]!.count : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Waits until every data node holds the same counter (replication caught up); returns it per node. */
export async function countersAgree(rt: Runtime, timeoutMs = 10_000, day = todayUtc()): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  try {
    return await waitFor(
      'the visit counter to be equal on every data node',
      async () => {
        const seen = await countersOnNodes(rt, day);
        last = new Map([...seen].map(([n, c]) => [n, c.count]));
        return seen.size === dataNodes(rt.topology).length && new Set(last.values()).size === 1 ? last : undefined;
      },
      timeoutMs,
      100,
    );
  } catch {
    return last;
  }
}
