// Where a writer's messages are: each message's block (backends/chat/keys.ts) is on the primary
// that serves the block's slot. `hakit chat load --heavy` shows this for its heavy user.
import { blockOf, blockSlot, spreadDeviation } from '../../backends/chat/keys.js';

export interface Spread {
  /** Messages per primary, every primary listed (0 where none landed). */
  perPrimary: Record<string, number>;
  /** Blocks (streams) per primary that hold at least one of the messages. */
  blocksPerPrimary: Record<string, number>;
  /** The largest deviation from an equal share, as a fraction (0.1: ±10 %). */
  deviation: number;
  total: number;
}

/** `ownerOfSlot` maps a slot to its primary's name; `primaries` are every primary's names. */
export function spreadOf(messages: { room: string; seq: number }[], ownerOfSlot: (slot: number) => string, primaries: string[]): Spread {
  const perPrimary = Object.fromEntries(primaries.map((p) => [p, 0]));
  const blocks = Object.fromEntries(primaries.map((p) => [p, new Set<string>()]));
  for (const m of messages) {
    const b = blockOf(m.seq);
    const owner = ownerOfSlot(blockSlot(m.room, b));
    perPrimary[owner] = (perPrimary[owner] ?? 0) + 1;
    (blocks[owner] ??= new Set()).add(`${m.room}:${b}`);
  }
  return {
    perPrimary,
    blocksPerPrimary: Object.fromEntries(Object.entries(blocks).map(([p, s]) => [p, s.size])),
    deviation: spreadDeviation(primaries.map((p) => perPrimary[p] ?? 0)),
    total: messages.length,
  };
}

/** A slot-to-owner lookup from each primary's slot ranges. */
export function slotOwners(primaries: { name: string; slots: Array<[number, number]> }[]): (slot: number) => string {
  const owner = new Array<string>(16384).fill('?');
  for (const p of primaries) for (const [a, b] of p.slots) for (let s = a; s <= b; s++) owner[s] = p.name;
  return (slot) => owner[slot] ?? '?';
}
