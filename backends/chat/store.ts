// The chat's messages on the Redis Cluster: appended to the room's current block (keys.ts) by one
// script per block, which assigns the room's next sequence number and stores a send id once;
// acknowledged only once a replica holds the message (WAIT on the same connection).
// docs/architecture.md#resume-and-idempotent-send.
//
// Why every step is safe while slots move (MIGRATE, ASK) or a primary fails over:
//  - each script touches one key (a block), so a slot half moved never splits what it reads
//    (no TRYAGAIN), and MIGRATE moves a block whole: a message is appended before the move on the
//    source, or after it on the target (ASK);
//  - a block takes messages only while it has fewer than blockSize, and a sender moves to the
//    next block only when this one answered "full": blocks fill in order, so sequence numbers are
//    contiguous and no block ever gains an entry after the next one got its first;
//  - a send id is looked for in a block before the block is called full, and a retried send
//    starts at the block of (after + 1), where `after` is a seq the client had seen before it
//    first sent this id: every block the message can be in is searched before it is appended
//    again, so it is stored at most once, whichever backend retries it and however often.
import type { Cluster } from 'ioredis';
import { blockOf, blockSize, chatKeys, firstSeqOf, lastSeqOf } from './keys.js';
import type { ChatMessage } from './message.js';

/** The cluster could not store or confirm the message in time: retry it with the same sid. */
export class StoreUnavailable extends Error {}
/** `after` is further behind the room's head than the store searches for a send id. */
export class SendTooOld extends Error {}

export interface StoreSettings {
  /** How long a send waits for a replica's acknowledgement per attempt (WAIT), ms. */
  waitMs: number;
  /** A send is retried (a shard failing over, a slot moving) until this long after it started, ms. */
  writeDeadlineMs: number;
  /** Longest wait for one command's reply, ms (a silent dead primary answers nothing). */
  commandTimeoutMs: number;
  /** A retried send is searched for over at most this many blocks from its `after`. */
  maxScanBlocks: number;
}

export const defaultStoreSettings: StoreSettings = { waitMs: 100, writeDeadlineMs: 4000, commandTimeoutMs: 300, maxScanBlocks: 100 };

// KEYS[1] the block; ARGV: its first seq, blockSize, sid, author, text, at.
// A send id already in the block: 'dup' and the stored entry, after a write that changes nothing
// (XSETID to the last id), so that a WAIT after it also covers the entry an earlier attempt wrote.
const appendScript = `
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
for _, e in ipairs(entries) do
  if e[2][2] == ARGV[3] then
    redis.call('XSETID', KEYS[1], entries[#entries][1])
    return {'dup', e[1], e[2]}
  end
end
if #entries >= tonumber(ARGV[2]) then return {'full'} end
local seq = tonumber(ARGV[1]) + #entries
local id = redis.call('XADD', KEYS[1], seq .. '-0', 'sid', ARGV[3], 'a', ARGV[4], 't', ARGV[5], 'at', ARGV[6])
return {'ok', id}`;

// The head hint only moves forward.
const raiseScript = `
local v = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;

// Folds a full block's per-author counts into the room's, once and in block order: applied only
// when the block is the one after the last folded (field ~folded), so a retry or a second folder
// changes nothing.
const foldScript = `
local f = tonumber(redis.call('HGET', KEYS[1], '~folded') or '-1')
if tonumber(ARGV[1]) ~= f + 1 then return f end
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], '~folded', ARGV[1])
return tonumber(ARGV[1])`;

// A user's count in a room, set only upwards (counts grow; a late writer cannot lower one).
const countUpScript = `
local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

type StreamEntry = [id: string, fields: string[]];

const seqOfId = (id: string): number => Number(id.slice(0, id.indexOf('-')));

function toMessage(room: string, [id, f]: StreamEntry): ChatMessage {
  const field = (name: string) => {
    const i = f.indexOf(name);
    return i >= 0 && i % 2 === 0 ? (f[i + 1] ?? '') : '';
  };
  return { room, seq: seqOfId(id), sid: field('sid'), author: field('a'), text: field('t'), at: Number(field('at')) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Late extends Error {}

/** `p`, or Late after `ms` (p runs on; a late rejection is swallowed). */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => undefined);
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Late(`no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(t));
}

/** Errors after which the cluster's map may be stale: ask it again at once. */
const mapMayBeStale = (err: unknown) =>
  err instanceof Late || /closed|CLUSTERDOWN|MOVED|ASK|TRYAGAIN|redirections|connect|READONLY/i.test(String(err));

export interface Appended {
  message: ChatMessage;
  /** False: the sid was stored by an earlier call (a retried send); `message` is what was stored then. */
  fresh: boolean;
  /** Script calls it took (a full block, a failover, a moving slot each add one). */
  attempts: number;
}

export class ChatStore {
  /** Per room: a block at or before the one that takes the next message. */
  private readonly hints = new Map<string, number>();
  private readonly knownRooms = new Set<string>();

  constructor(
    private readonly cluster: Cluster,
    readonly s: StoreSettings = defaultStoreSettings,
  ) {}

  private refresh(err: unknown): void {
    if (mapMayBeStale(err)) this.cluster.refreshSlotsCache();
  }

  /** A read, retried on errors until the write deadline (a failing-over shard answers again by then). */
  private async read<T>(what: string, f: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.s.writeDeadlineMs;
    for (;;) {
      try {
        return await bounded(f(), this.s.commandTimeoutMs);
      } catch (err) {
        this.refresh(err);
        if (Date.now() >= deadline) throw new StoreUnavailable(`${what}: ${(err as Error).message}`);
        await sleep(50);
      }
    }
  }

  private async hint(room: string): Promise<number> {
    const known = this.hints.get(room);
    if (known !== undefined) return known;
    const v = await this.read('head hint', () => this.cluster.get(chatKeys.head(room)));
    const b = v === null ? 0 : Number(v);
    this.hints.set(room, Math.max(b, this.hints.get(room) ?? 0));
    return b;
  }

  private raiseHint(room: string, block: number): void {
    if ((this.hints.get(room) ?? 0) >= block) return;
    this.hints.set(room, block);
    // A hint is only a shortcut: losing this write costs a later reader one more step.
    void this.cluster.call('EVAL', raiseScript, 1, chatKeys.head(room), String(block)).catch(() => undefined);
  }

  /** The room's last seq (0: no message yet). */
  async head(room: string): Promise<number> {
    for (let b = await this.hint(room); ; b++) {
      const last = (await this.read('head', () => this.cluster.xrevrange(chatKeys.block(room, b), '+', '-', 'COUNT', 1))) as StreamEntry[];
      const seq = last[0] ? seqOfId(last[0][0]) : firstSeqOf(b) - 1;
      if (seq < lastSeqOf(b)) return seq;
      this.raiseHint(room, b + 1);
    }
  }

  /** Up to `limit` messages after `after`, in order and contiguous (fewer when the room has no more). */
  async range(room: string, after: number, limit = 500): Promise<ChatMessage[]> {
    const out: ChatMessage[] = [];
    let from = after;
    while (out.length < limit) {
      const b = blockOf(from + 1);
      const entries = (await this.read('range', () =>
        this.cluster.xrange(chatKeys.block(room, b), `${from + 1}-0`, '+', 'COUNT', limit - out.length),
      )) as StreamEntry[];
      for (const e of entries) {
        const m = toMessage(room, e);
        if (m.seq !== from + 1) return out; // never skip one: the caller reads again from here
        out.push(m);
        from = m.seq;
      }
      if (from < lastSeqOf(b)) break;
    }
    return out;
  }

  /** The last `n` messages of the room, oldest first. */
  async recent(room: string, n: number): Promise<ChatMessage[]> {
    const head = await this.head(room);
    return this.range(room, Math.max(0, head - n), n);
  }

  /**
   * Stores a message once per (room, sid) and resolves once a replica holds it. `after`: a seq
   * the sender had seen before it first sent this sid (0 at worst; the search starts there).
   */
  async append(room: string, m: Pick<ChatMessage, 'sid' | 'author' | 'text' | 'at'>, after: number): Promise<Appended> {
    const started = Date.now();
    const deadline = started + this.s.writeDeadlineMs;
    const first = blockOf(after + 1);
    let b = first;
    let attempts = 0;
    let storedHere = false;
    let last: string;
    if ((await this.hint(room)) - first > this.s.maxScanBlocks) {
      throw new SendTooOld(`after ${after} is more than ${this.s.maxScanBlocks} blocks behind the room's head: resume, then send again`);
    }
    for (;;) {
      if (b - first > this.s.maxScanBlocks) throw new SendTooOld(`no block with room found within ${this.s.maxScanBlocks} blocks`);
      attempts++;
      try {
        const key = chatKeys.block(room, b);
        // One pipeline, one connection: the WAIT covers the script's write (or the dup's XSETID).
        const r = await bounded(
          this.cluster
            .pipeline()
            .call('EVAL', appendScript, 1, key, String(firstSeqOf(b)), String(blockSize), m.sid, m.author, m.text, String(m.at))
            .call('WAIT', '1', String(this.s.waitMs))
            .exec(),
          this.s.waitMs + this.s.commandTimeoutMs,
        );
        const failed = r?.find(([e]) => e)?.[0];
        const [what, id, fields] = (r?.[0]?.[1] ?? []) as [string, string?, string[]?];
        if (what === 'full') {
          this.raiseHint(room, b + 1);
          void this.fold(room).catch(() => undefined);
          b++;
          continue;
        }
        if (failed) throw failed;
        const replicas = Number(r?.[1]?.[1]);
        if (what === 'ok') storedHere = true;
        if ((what === 'ok' || what === 'dup') && id && replicas >= 1) {
          this.noteRoom(room);
          const message = what === 'ok' ? { room, seq: seqOfId(id), ...m } : toMessage(room, [id, fields ?? []]);
          return { message, fresh: storedHere, attempts };
        }
        // Stored, but no replica confirmed it yet: the next attempt finds it (dup) and waits again.
        last = what === 'ok' || what === 'dup' ? 'no replica acknowledged it yet' : `unexpected reply ${String(what)}`;
      } catch (err) {
        last = (err as Error).message;
        this.refresh(err);
      }
      if (Date.now() >= deadline) throw new StoreUnavailable(`could not store the message in ${this.s.writeDeadlineMs} ms: ${last}`);
      await sleep(Math.min(50, Math.max(0, deadline - Date.now())));
    }
  }

  private noteRoom(room: string): void {
    if (this.knownRooms.has(room)) return;
    this.knownRooms.add(room);
    void this.cluster.sadd(chatKeys.rooms, room).catch(() => this.knownRooms.delete(room));
  }

  async rooms(): Promise<string[]> {
    return ((await this.read('rooms', () => this.cluster.smembers(chatKeys.rooms))) as string[]).sort();
  }

  /** Authors and their counts in block `b`. */
  private async blockAuthors(room: string, b: number): Promise<Map<string, number>> {
    const entries = (await this.read('block', () => this.cluster.xrange(chatKeys.block(room, b), '-', '+'))) as StreamEntry[];
    const counts = new Map<string, number>();
    for (const e of entries) {
      const a = toMessage(room, e).author;
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Folds the room's full blocks into its per-user counts (at most `maxBlocks` per call), and
   * raises each author's count for the room. Exactly once per block, whoever calls it.
   */
  async fold(room: string, maxBlocks = 10): Promise<void> {
    const usersKey = chatKeys.users(room);
    const head = blockOf((await this.head(room)) + 1);
    let folded = Number((await this.read('fold', () => this.cluster.hget(usersKey, '~folded'))) ?? '-1');
    for (let b = folded + 1; b < head && b - folded <= maxBlocks; b++) {
      const counts = await this.blockAuthors(room, b);
      const args = [...counts].flatMap(([a, n]) => [a, String(n)]);
      const applied = Number(
        await this.read('fold', () => this.cluster.call('EVAL', foldScript, 1, usersKey, String(b), ...args) as Promise<number>),
      );
      if (applied !== b) break;
      const totals = (await this.read('fold', () => this.cluster.hmget(usersKey, ...counts.keys()))) as (string | null)[];
      await Promise.all(
        [...counts.keys()].map((a, i) =>
          this.read('count', () => this.cluster.call('EVAL', countUpScript, 1, chatKeys.user(a), room, totals[i] ?? '0')),
        ),
      );
      folded = b;
    }
  }

  /** The room's writers with their message counts: full blocks folded, plus the blocks since. */
  async users(room: string): Promise<{ nick: string; messages: number }[]> {
    await this.fold(room).catch(() => undefined);
    const all = (await this.read('users', () => this.cluster.hgetall(chatKeys.users(room)))) as Record<string, string>;
    const folded = Number(all['~folded'] ?? '-1');
    const counts = new Map(
      Object.entries(all)
        .filter(([k]) => k !== '~folded')
        .map(([k, v]) => [k, Number(v)] as const),
    );
    const head = blockOf((await this.head(room)) + 1);
    for (let b = folded + 1; b <= head; b++) for (const [a, n] of await this.blockAuthors(room, b)) counts.set(a, (counts.get(a) ?? 0) + n);
    return [...counts]
      .map(([nick, messages]) => ({ nick, messages }))
      .sort((x, y) => y.messages - x.messages || x.nick.localeCompare(y.nick));
  }

  /** A user's message counts per room (full blocks only: a room's current block is counted once it fills). */
  async userRooms(nick: string): Promise<Record<string, number>> {
    const all = (await this.read('user', () => this.cluster.hgetall(chatKeys.user(nick)))) as Record<string, string>;
    return Object.fromEntries(Object.entries(all).map(([r, n]) => [r, Number(n)]));
  }
}
