// The course's key-value store (storage.py) on Redis: each key holds its values in insertion
// order, appended, never overwritten. Keys:
//   kv:<key>               list    the values, oldest first (RPUSH)
//   kv:req:<request id>    string  how many values the key had after that request's append, 300 s
import type { Redis } from 'ioredis';
import { withDeadline } from '../redis/deadline.js';
import type { ReplicaAck } from '../redis/replica-ack.js';

export const kvLimits = {
  /** Key: URL-safe characters only, so it needs no escaping in a path or a shell. */
  keyPattern: /^[A-Za-z0-9._~-]{1,200}$/,
  keyMaxLength: 200,
  /** A value's size in UTF-8 bytes. */
  valueMaxBytes: 64 * 1024,
  /** Values per key: appends beyond are refused, so a GET stays bounded (≤ 10 000 × 64 KiB worst case). */
  valuesPerKey: 10_000,
};

const kvKey = (key: string) => `kv:${key}`;
const requestKey = (id: string) => `kv:req:${id}`;

// KEYS: values list, request id. ARGV: value, max values, request id ttl (s).
// Returns {0 appended | 1 replayed | 2 full, values held}.
const appendLua = `
local prev = redis.call('GET', KEYS[2])
if prev then
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return {1, tonumber(prev)}
end
local n = redis.call('LLEN', KEYS[1])
if n >= tonumber(ARGV[2]) then return {2, n} end
n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], n, 'EX', ARGV[3])
return {0, n}
`;

export type AppendOutcome = { state: 'appended' | 'replayed'; values: number; replicated: boolean } | { state: 'full'; values: number };

export class KvStore {
  constructor(
    private readonly client: Redis,
    private readonly ack: ReplicaAck,
    private readonly deadlineMs: number,
    readonly valuesPerKey = kvLimits.valuesPerKey,
  ) {}

  async append(key: string, value: string, requestId: string): Promise<AppendOutcome> {
    const ticket = this.ack.ticket();
    const work = (async (): Promise<AppendOutcome> => {
      const [code, values] = (await this.client.eval(appendLua, 2, kvKey(key), requestKey(requestId), value, this.valuesPerKey, 300)) as [
        number,
        number,
      ];
      if (code === 2) return { state: 'full', values };
      return { state: code === 1 ? 'replayed' : 'appended', values, replicated: await this.ack.acked(ticket) };
    })();
    return withDeadline(work, this.deadlineMs);
  }

  async values(key: string): Promise<string[]> {
    return withDeadline(this.client.lrange(kvKey(key), 0, -1), this.deadlineMs);
  }
}
