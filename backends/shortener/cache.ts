// A backend's own Redis (its cache node): the links it redirects from, the position in the links
// stream they reflect, and the clicks it counted and has not yet sent. Every change is one Lua
// script, so a position never disagrees with the links it covers and a click is counted once.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { HostPort } from './settings.js';

export const keys = {
  links: 'sl:links',
  position: 'sl:pos',
  request: (id: string) => `sl:req:${id}`,
  pending: (code: string) => `sl:pending:${code}`,
  pendingCodes: 'sl:pending',
  batchSeq: 'sl:batchseq',
  batchPrefix: 'sl:batch:',
  outbox: 'sl:outbox',
  epoch: 'sl:epoch',
};

/** The ACL rules the backends' user needs on a cache node (the node's entrypoint is handed them). */
export const cacheAclRules =
  '~sl:* resetchannels -@all +auth +ping +info +eval +get +set +del +hget +hset +hlen +rpush +llen +lrange +ltrim +sadd +srem +smembers +incr +zadd +zrange +zrem';

export function cacheClient(at: HostPort, user: string, password: string, commandTimeoutMs = 200): Redis {
  const r = new Redis({
    ...at,
    username: user,
    password,
    connectTimeout: 500,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => 200,
  });
  r.on('error', () => undefined); // each caller sees its own command fail
  return r;
}

// Applies consecutive link events. ARGV: first sequence, then (seq, code, url) triples. A first
// sequence past position + 1 means this Redis lost what it had: nothing is applied, and the caller
// reads the stream again from the position returned. Already applied events are skipped.
const applyLinks = `
local pos = tonumber(redis.call('GET', KEYS[2]) or '0')
if pos < tonumber(ARGV[1]) - 1 then return {0, pos} end
local last = pos
for i = 2, #ARGV, 3 do
  local seq = tonumber(ARGV[i])
  if seq > last then redis.call('HSET', KEYS[1], ARGV[i + 1], ARGV[i + 2]); last = seq end
end
redis.call('SET', KEYS[2], last)
return {1, last}`;

// One click per request id: the id is kept 10 minutes (HAProxy's retry comes within a second);
// returns the link's pending clicks, or -1 for an id already counted.
const recordClick = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then return -1 end
local n = redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return n`;

// Seals up to ARGV[2] pending clicks of a link into a numbered batch in the outbox, in one step:
// the batch is what gets published, under an id made of its number and this data set's epoch
// (made here, ARGV[4], if the data set has none: a Redis that lost its data numbers its batches
// from 1 again, and the log must not take them for ones it already has).
const sealBatch = `
local ids = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if #ids == 0 then redis.call('SREM', KEYS[2], ARGV[1]); return 0 end
redis.call('LTRIM', KEYS[1], #ids, -1)
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
redis.call('SET', KEYS[5], ARGV[4], 'NX')
local n = redis.call('INCR', KEYS[3])
redis.call('SET', ARGV[3] .. n, cjson.encode({code = ARGV[1], ids = ids, epoch = redis.call('GET', KEYS[5])}))
redis.call('ZADD', KEYS[4], n, n)
return n`;

/** A sealed batch: `epoch:n` is its id in the log. */
export interface SealedBatch {
  n: number;
  epoch: string;
  code: string;
  ids: string[];
}

export interface AppliedLinks {
  applied: boolean;
  position: number;
}

export class LinkCache {
  constructor(readonly redis: Redis) {}

  async position(): Promise<number> {
    return Number((await this.redis.get(keys.position)) ?? 0);
  }

  async url(code: string): Promise<string | null> {
    return this.redis.hget(keys.links, code);
  }

  async count(): Promise<number> {
    return this.redis.hlen(keys.links);
  }

  async applyLinks(events: Array<{ seq: number; code: string; url: string }>): Promise<AppliedLinks> {
    if (events.length === 0) return { applied: true, position: await this.position() };
    const argv = [String(events[0]!.seq), ...events.flatMap((e) => [String(e.seq), e.code, e.url])];
    const [ok, pos] = (await this.redis.eval(applyLinks, 2, keys.links, keys.position, ...argv)) as [number, number];
    return { applied: ok === 1, position: Number(pos) };
  }

  /** Counts a click once per request id; the link's pending clicks, or -1 when already counted. */
  async recordClick(code: string, requestId: string): Promise<number> {
    return Number(
      await this.redis.eval(recordClick, 3, keys.request(requestId), keys.pending(code), keys.pendingCodes, code, requestId, '600'),
    );
  }

  async pendingCodes(): Promise<string[]> {
    return this.redis.smembers(keys.pendingCodes);
  }

  /** Seals up to `max` pending clicks of the link into a batch; its number, 0 when none were pending. */
  async seal(code: string, max: number): Promise<number> {
    return Number(
      await this.redis.eval(
        sealBatch,
        5,
        keys.pending(code),
        keys.pendingCodes,
        keys.batchSeq,
        keys.outbox,
        keys.epoch,
        code,
        String(max),
        keys.batchPrefix,
        randomBytes(6).toString('hex'),
      ),
    );
  }

  /** The sealed batches not yet in the log, oldest first. */
  async outbox(): Promise<SealedBatch[]> {
    const ns = await this.redis.zrange(keys.outbox, '0', '-1');
    const out: SealedBatch[] = [];
    for (const n of ns) {
      const raw = await this.redis.get(`${keys.batchPrefix}${n}`);
      if (raw) out.push({ n: Number(n), ...(JSON.parse(raw) as Omit<SealedBatch, 'n'>) });
      else await this.redis.zrem(keys.outbox, n);
    }
    return out;
  }

  async sent(n: number): Promise<void> {
    await this.redis.del(`${keys.batchPrefix}${n}`);
    await this.redis.zrem(keys.outbox, String(n));
  }

  /** Clicks of the link counted here and not yet in the log (pending + sealed). */
  async pendingFor(code: string): Promise<number> {
    let n = await this.redis.llen(keys.pending(code));
    for (const b of await this.outbox()) if (b.code === code) n += b.ids.length;
    return n;
  }

  async pendingTotal(): Promise<{ clicks: number; batches: number }> {
    let clicks = 0;
    for (const code of await this.pendingCodes()) clicks += await this.redis.llen(keys.pending(code));
    const batches = await this.outbox();
    for (const b of batches) clicks += b.ids.length;
    return { clicks, batches: batches.length };
  }
}
