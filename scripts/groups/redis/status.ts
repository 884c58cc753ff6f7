// A data node's state, asked of the node itself: PRIMARY or REPLICA from ROLE (a replica whose
// link to the primary is not up is SYNCING), DOWN when its process is not running, STARTING
// while it does not answer yet, SENTINEL when it runs only a Sentinel (the bench's textbook
// layout: the parts the entrypoint wrote to /run/hakit/parts). Beside the state: the replica's lag
// behind the primary in bytes and which node its Sentinel believes is primary ("none" on a node
// that runs no Sentinel); beside the primary's, the day's visit count.
import type { NodeInfo, Runtime } from '../../runtime/runtime.js';
import { loadCredentials } from '../../stack/credentials.js';
import type { NodeReading } from '../group.js';
import { askNode, MASTER_NAME, REDIS_PORT, SENTINEL_PORT } from './client.js';
import { dayOf, parseTimeZone } from '../../../backends/visits/day.js';
import { visitKeys } from '../../../backends/visits/keys.js';

const utc = parseTimeZone('UTC');
/** Today in UTC, as the backends count days by default (their own day function). */
export const todayUtc = () => dayOf(Date.now(), utc);

export type RedisState = 'PRIMARY' | 'REPLICA' | 'SYNCING' | 'STARTING' | 'SENTINEL' | 'DOWN';

/** What a data node runs, from the entrypoint's /run/hakit/parts ("redis sentinel"); unreadable: both. */
export function parseParts(text: string | undefined): { redis: boolean; sentinel: boolean } {
  const words = (text ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { redis: true, sentinel: true };
  return { redis: words.includes('redis'), sentinel: words.includes('sentinel') };
}

interface Seen {
  /** The day's visit counter, as this node holds it. */
  visitsToday?: number;
  role?: 'master' | 'slave';
  offset?: number;
  linkUp?: boolean;
  /** The address its Sentinel gives for the primary; undefined when the Sentinel does not answer. */
  sentinelSays?: string;
  /** How many Sentinels its Sentinel knows, itself included (they find each other every 2 s). */
  sentinelsKnown?: number;
  /** How many replicas its Sentinel watches (it can promote only those). */
  replicasKnown?: number;
}

/** What a data node's Redis says of itself: its role, offset, link, and the day's counter. */
export type RedisSide = Pick<Seen, 'role' | 'offset' | 'linkUp'> & { visitsToday: number };

/** SENTINEL MASTER's answer, a flat list of field, value: the primary's address and the peers known. */
export function parseSentinelMaster(reply: unknown): Pick<Seen, 'sentinelSays' | 'sentinelsKnown' | 'replicasKnown'> {
  if (!Array.isArray(reply)) return {};
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
  const ip = fields.get('ip');
  const others = Number(fields.get('num-other-sentinels'));
  const replicas = Number(fields.get('num-slaves'));
  return {
    sentinelSays: ip,
    ...(Number.isInteger(others) ? { sentinelsKnown: others + 1 } : {}),
    ...(Number.isInteger(replicas) ? { replicasKnown: replicas } : {}),
  };
}

/** ROLE's answer: ['master', offset, replicas] or ['slave', host, port, state, offset]. */
export function parseRole(role: unknown): Pick<Seen, 'role' | 'offset' | 'linkUp'> {
  if (!Array.isArray(role)) return {};
  if (role[0] === 'master') return { role: 'master', offset: Number(role[1]) };
  if (role[0] === 'slave') return { role: 'slave', offset: Number(role[4]), linkUp: role[3] === 'connected' };
  return {};
}

export function adminPassword(): string {
  return loadCredentials()?.secrets?.REDIS_ADMIN_PASSWORD ?? '';
}

/**
 * The one reader of a data node's Redis for the kit (status, and the counter checks of
 * redis/counter.ts): ROLE and the day's counter on one admin connection; undefined when it does
 * not answer.
 */
export async function readRedisSide(host: string, password: string, day = todayUtc()): Promise<RedisSide | undefined> {
  const seen = await askNode({ host, port: REDIS_PORT }, password, (r) => Promise.all([r.call('ROLE'), r.get(visitKeys.counter(day))]));
  return seen ? { ...parseRole(seen[0]), visitsToday: Number(seen[1] ?? 0) } : undefined;
}

async function see(host: string, password: string): Promise<Seen> {
  const [redis, master] = await Promise.all([
    readRedisSide(host, password),
    askNode({ host, port: SENTINEL_PORT }, password, (r) => r.call('SENTINEL', 'MASTER', MASTER_NAME)),
  ]);
  return { ...redis, ...parseSentinelMaster(master) };
}

export async function redisStates(rt: Runtime, mine: NodeInfo[]): Promise<Map<string, NodeReading>> {
  const password = adminPassword();
  const seen = await Promise.all(mine.map(async (n): Promise<Seen> => (n.running ? see(n.address ?? n.spec.address, password) : {})));
  const parts = await Promise.all(mine.map(async (n) => parseParts(n.running ? await rt.readRunFile(n.spec.name, 'parts') : undefined)));
  const byAddress = new Map(rt.topology.nodes.map((n) => [n.address, n.name]));
  const primaryOffset = seen.find((s) => s.role === 'master')?.offset;
  return new Map(
    mine.map((n, i): [string, NodeReading] => {
      const s = seen[i]!;
      const runs = parts[i]!;
      const state: RedisState = !n.running
        ? 'DOWN'
        : !runs.redis
          ? 'SENTINEL'
          : s.role === 'master'
            ? 'PRIMARY'
            : s.role === 'slave'
              ? s.linkUp
                ? 'REPLICA'
                : 'SYNCING'
              : 'STARTING';
      const detail: Record<string, string | number> = {
        sentinel: !n.running
          ? 'DOWN'
          : !runs.sentinel
            ? 'none'
            : s.sentinelSays
              ? (byAddress.get(s.sentinelSays) ?? s.sentinelSays)
              : 'DOWN',
      };
      if (s.sentinelsKnown !== undefined) detail.sentinelsKnown = s.sentinelsKnown;
      if (s.replicasKnown !== undefined) detail.replicasKnown = s.replicasKnown;
      if (state === 'REPLICA' && primaryOffset !== undefined && s.offset !== undefined)
        detail.lagBytes = Math.max(0, primaryOffset - s.offset);
      if (state === 'PRIMARY' && s.visitsToday !== undefined) detail.visitsToday = s.visitsToday;
      return [n.spec.name, { state, detail }];
    }),
  );
}
