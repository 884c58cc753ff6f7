// The chat's keys on the Redis Cluster, and where they land. docs/architecture.md#the-chats-shard-key.
//
// A room's messages are kept in blocks of `blockSize` consecutive sequence numbers, each block one
// stream. Block b of a room carries a hash tag chosen so that its slot is
//     (slot(room) + b × 10125) mod 16384
// 10125 ≈ 16384 × 0.618 (the golden ratio's fraction, odd so it visits every slot): consecutive
// blocks land far apart and evenly over the slot space, so any primary holds its share of the
// slots' share of every room's blocks, and so of every writer's messages — a user who writes 100×
// the average spreads over the primaries block by block instead of piling onto one. The block of
// message n is a function of n alone: no index, no per-user counter (that would be one hot key),
// and a room's order is its blocks' order.
import calculateSlot from 'cluster-key-slot';

export const slotCount = 16384;
/** Messages per block (why 100: docs/architecture.md#the-chats-shard-key). */
export const blockSize = 100;
/** The block-to-block step over the slots (see above). */
export const blockStride = 10125;

/** The block that holds message `seq` (seq ≥ 1): 0 holds 1–100, 1 holds 101–200, … */
export const blockOf = (seq: number): number => Math.floor((seq - 1) / blockSize);
export const firstSeqOf = (block: number): number => block * blockSize + 1;
export const lastSeqOf = (block: number): number => (block + 1) * blockSize;

/** The slot block `block` of `room` is placed on. */
export const blockSlot = (room: string, block: number): number => (calculateSlot(room) + ((block * blockStride) % slotCount)) % slotCount;

let tags: string[] | undefined;

/**
 * A short string whose key slot is `slot`: the first base-36 number that hashes there (found once
 * per process for all 16384 slots, ~90,000 CRC16s). As a hash tag it places a key on that slot.
 */
export function slotTag(slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount) throw new RangeError(`slot ${slot} is not 0–16383`);
  if (!tags) {
    const found: string[] = new Array<string>(slotCount);
    let left = slotCount;
    for (let i = 0; left > 0; i++) {
      const tag = i.toString(36);
      const s = calculateSlot(tag);
      if (found[s] === undefined) {
        found[s] = tag;
        left--;
      }
    }
    tags = found;
  }
  return tags[slot]!;
}

export const chatKeys = {
  /** Block `block` of `room`: a stream of up to blockSize messages, entry id `SEQ-0`. */
  block: (room: string, block: number) => `chat:b:{${slotTag(blockSlot(room, block))}}:${room}:${block}`,
  /** The room's head hint: a block at or before the one that takes the next message. */
  head: (room: string) => `chat:r:{${room}}:head`,
  /** The room's writers and their message counts (full blocks folded in, see store.ts), field `~folded` the last block folded. */
  users: (room: string) => `chat:r:{${room}}:users`,
  /** The sharded pub/sub channel a message is announced on once stored. */
  channel: (room: string) => `chat:r:{${room}}:live`,
  /** A user's message count per room (HSET only upwards, from the rooms' folded counts). */
  user: (nick: string) => `chat:u:{${nick}}:rooms`,
  /** Every room that ever had a message. */
  rooms: 'chat:rooms',
} as const;

/** How evenly `counts` (per primary) spread: the largest deviation from an equal share, as a fraction (0.1 = ±10 %). */
export function spreadDeviation(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!counts.length || total === 0) return 0;
  const equal = total / counts.length;
  return Math.max(...counts.map((c) => Math.abs(c - equal) / equal));
}
