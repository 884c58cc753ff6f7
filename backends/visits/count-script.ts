// Counting a view is one script, so it is atomic and idempotent on the request id: the id is set
// once with a short expiry, then the counters move. The same id again (HAProxy retried the GET on
// the other backend, or a client resent the command after a reconnect) moves nothing and gets the
// numbers the first run produced.
import type { Redis } from 'ioredis';
import { requestIdTtlSeconds, visitKeys } from './keys.js';

// KEYS: request id, counter, visitors, log. ARGV: visitor, log entry, daily keys' ttl (s), log cap,
// request id ttl (s). Returns {replayed 0|1, count, uniques}. A replay still writes (it renews the
// id's expiry) so that a WAIT after it covers the state it read.
export const countVisitLua = `
local prev = redis.call('GET', KEYS[1])
if prev then
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  local sep = string.find(prev, ' ')
  return {1, tonumber(string.sub(prev, 1, sep - 1)), tonumber(string.sub(prev, sep + 1))}
end
local count = redis.call('INCR', KEYS[2])
redis.call('PFADD', KEYS[3], ARGV[1])
local uniques = redis.call('PFCOUNT', KEYS[3])
redis.call('LPUSH', KEYS[4], ARGV[2])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[4]) - 1)
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
redis.call('SET', KEYS[1], count .. ' ' .. uniques, 'EX', ARGV[5])
return {0, count, uniques}
`;

export interface VisitInput {
  requestId: string;
  day: string;
  visitor: string;
  /** What the day's log keeps of this view: time (ISO), visitor, server, load balancer. */
  entry: { t: string; v: string; s: string; lb: string };
}

export interface VisitResult {
  count: number;
  uniques: number;
  /** True when this request id had been counted before: nothing moved. */
  replayed: boolean;
}

/**
 * Sends the script as EVAL (Redis caches it by its hash; the body is ~700 bytes): one command sent
 * at once, which is what ReplicaAck's WAIT coverage needs.
 */
export async function countVisit(client: Redis, v: VisitInput, o: { retainDays: number; logCap: number }): Promise<VisitResult> {
  const reply = (await client.eval(
    countVisitLua,
    4,
    visitKeys.request(v.requestId),
    visitKeys.counter(v.day),
    visitKeys.visitors(v.day),
    visitKeys.log(v.day),
    v.visitor,
    JSON.stringify(v.entry),
    o.retainDays * 86_400,
    o.logCap,
    requestIdTtlSeconds,
  )) as [number, number, number];
  const [replayed, count, uniques] = reply;
  return { count, uniques, replayed: replayed === 1 };
}
