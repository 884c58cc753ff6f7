// Live resharding: slots moved between primaries one at a time, with progress, while clients
// work. docs/architecture.md#live-resharding.
//
// A slot moves as redis-cli moves it (the cluster specification's procedure): the target is
// told it imports the slot, the source that it migrates it, the slot's keys go over with MIGRATE
// (each atomically: a client's command on a key runs on the source before its key moved, or is
// sent to the target with ASK after), then both, and every other primary, are told the target
// owns it. Why a runner of the kit's own rather than `redis-cli --cluster reshard`: it reports
// each slot as it goes (for the progress line and the tour's timeline), moves a slot's keys in
// batches of up to 100 per MIGRATE (redis-cli: 10), stops between two slots when asked, and
// finishes a slot a crash left open before it moves any other; it sends each step for a batch
// of slots at once (a fourth shard's 4096 slots move in seconds, not minutes).
import type { Redis } from 'ioredis';
import { parseClusterNodes, type ClusterNodeLine } from './cluster-nodes.js';

export const slotCount = 16384;

export interface AdminAccess {
  /** An admin connection to a node (kept by the caller; not closed here). */
  connect(host: string, port: number): Redis;
  /** The admin user MIGRATE authenticates with on the target. */
  user: string;
  password: string;
}

export interface SlotMove {
  slot: number;
  from: string;
  to: string;
}

export interface MoveProgress {
  /** Slots moved so far, of `total`. */
  done: number;
  total: number;
  slot: number;
  keys: number;
  /** Keys moved so far. */
  keysTotal: number;
  elapsedMs: number;
}

export interface ReshardResult {
  moved: number;
  keys: number;
  elapsedMs: number;
  /** The longest one batch of slots took, ms (each MIGRATE blocks both nodes while it runs). */
  longestBatchMs: number;
  stopped: boolean;
}

/** A slot left open by a runner that died: `[slot->-target]` on its source, `[slot-<-source]` on its target. */
export interface OpenSlot {
  slot: number;
  from: string;
  to: string;
}

/** CLUSTER NODES lines with what the shared parser leaves out: the slots each node migrates or imports. */
export function openSlots(text: string): OpenSlot[] {
  const out: OpenSlot[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 9) continue;
    const id = f[0]!;
    for (const s of f.slice(8)) {
      const m = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(s);
      if (!m) continue;
      const slot = Number(m[1]);
      if (m[2] === '>') out.push({ slot, from: id, to: m[3]! });
      else if (!out.some((o) => o.slot === slot)) out.push({ slot, from: m[3]!, to: id });
    }
  }
  return out;
}

/** `count` slots of `from` to `to`: its highest slots, so that each primary keeps ranges. */
export function planMove(view: ClusterNodeLine[], from: string, to: string, count: number): SlotMove[] {
  const src = view.find((n) => n.id === from && n.primary);
  const dst = view.find((n) => n.id === to && n.primary);
  if (!src) throw new Error(`${from} is not a primary`);
  if (!dst) throw new Error(`${to} is not a primary`);
  const slots = src.slots.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
  if (count < 1 || count > slots.length) throw new Error(`${from.slice(0, 8)} serves ${slots.length} slots: move 1 to ${slots.length}`);
  return slots
    .slice(-count)
    .reverse()
    .map((slot) => ({ slot, from, to }));
}

/**
 * Moves that leave each of `primaries` (ids) with an equal share of the slots (the first
 * 16384 mod N get one more): from those above their share, their highest slots first, to those
 * below. A primary not in the list gives all its slots away.
 */
export function planBalance(view: ClusterNodeLine[], primaries: string[]): SlotMove[] {
  if (!primaries.length) throw new Error('no primary to balance over');
  const owned = new Map<string, number[]>();
  for (const n of view.filter((x) => x.primary && !x.failing)) {
    owned.set(
      n.id,
      n.slots.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)),
    );
  }
  for (const p of primaries) if (!owned.has(p)) owned.set(p, []);
  const share = new Map(
    primaries.map((p, i) => [p, Math.floor(slotCount / primaries.length) + (i < slotCount % primaries.length ? 1 : 0)]),
  );
  const spare: { slot: number; from: string }[] = [];
  for (const [id, slots] of [...owned].sort(([, a], [, b]) => b.length - a.length)) {
    const keep = share.get(id) ?? 0;
    for (const slot of slots.slice(keep).reverse()) spare.push({ slot, from: id });
  }
  // Giver by giver (a batch of moves shares a source and a target: runs stay long).
  const order = spare;
  const moves: SlotMove[] = [];
  let k = 0;
  for (const to of primaries) {
    const need = share.get(to)! - Math.min(owned.get(to)!.length, share.get(to)!);
    for (let j = 0; j < need; j++) moves.push({ ...order[k++]!, to });
  }
  return moves;
}

export class Resharder {
  private view: ClusterNodeLine[] = [];

  constructor(
    private readonly access: AdminAccess,
    /** Any node that answers: the cluster's map is read from it. */
    private readonly seed: { host: string; port: number },
  ) {}

  private conn(id: string): Redis {
    const n = this.view.find((x) => x.id === id);
    if (!n) throw new Error(`node ${id} is not in the cluster`);
    return this.access.connect(n.host, n.port);
  }

  /** CLUSTER NODES from the seed (as text, for openSlots, and parsed). */
  async readView(): Promise<{ text: string; view: ClusterNodeLine[] }> {
    const text = (await this.access.connect(this.seed.host, this.seed.port).call('CLUSTER', 'NODES')) as string;
    this.view = parseClusterNodes(text);
    return { text, view: this.view };
  }

  /**
   * Moves slots that share a source and a target, a batch at a time: each slot goes through the
   * same steps as alone (importing, migrating, its keys, then owned by the target), the steps of
   * the batch's slots sent together (one round trip per step, not per slot). Resolves with the
   * keys moved.
   */
  async moveSlots(moves: SlotMove[], keyBatch = 100): Promise<number> {
    if (!moves.length) return 0;
    const { from, to } = moves[0]!;
    if (moves.some((m) => m.from !== from || m.to !== to)) throw new Error('one batch moves slots between one source and one target');
    const src = this.conn(from);
    const dst = this.conn(to);
    const target = this.view.find((x) => x.id === to)!;
    const slots = moves.map((m) => String(m.slot));
    const each = async (r: Redis, args: (slot: string) => string[]) => {
      const p = r.pipeline();
      for (const slot of slots) p.call(args(slot)[0]!, ...args(slot).slice(1));
      const out = (await p.exec()) ?? [];
      const failed = out.find(([e]) => e)?.[0];
      if (failed) throw failed;
      return out.map(([, v]) => v);
    };
    await each(dst, (slot) => ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', from]);
    await each(src, (slot) => ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', to]);
    let keys = 0;
    let pending = slots;
    while (pending.length) {
      const p = src.pipeline();
      for (const slot of pending) p.call('CLUSTER', 'GETKEYSINSLOT', slot, String(keyBatch));
      const found = ((await p.exec()) ?? []).map(([e, v], i) => {
        if (e) throw e;
        return [pending[i]!, v as string[]] as const;
      });
      pending = [];
      for (const [slot, ks] of found) {
        if (!ks.length) continue;
        await src.call(
          'MIGRATE',
          target.host,
          String(target.port),
          '',
          '0',
          '10000',
          'AUTH2',
          this.access.user,
          this.access.password,
          'KEYS',
          ...ks,
        );
        keys += ks.length;
        pending.push(slot);
      }
    }
    // The target first: once the source says NODE, the clients it redirects must find the target owning the slot.
    await each(dst, (slot) => ['CLUSTER', 'SETSLOT', slot, 'NODE', to]);
    await each(src, (slot) => ['CLUSTER', 'SETSLOT', slot, 'NODE', to]);
    // The others learn it from the bus soon; telling them now spares clients a MOVED round trip.
    await Promise.all(
      this.view
        .filter((n) => n.primary && !n.failing && n.id !== from && n.id !== to)
        .map((n) => each(this.access.connect(n.host, n.port), (slot) => ['CLUSTER', 'SETSLOT', slot, 'NODE', to]).catch(() => undefined)),
    );
    return keys;
  }

  /**
   * A batch, moved again from its slots' current owners when a step fails: a primary that failed
   * over meanwhile (its replica, now primary, knows nothing of the batch: migrating and importing
   * are each node's own state) or a map that changed. Slots already at the target are done.
   */
  private async moveWithRetry(group: SlotMove[], signal?: AbortSignal, attempts = 10): Promise<number> {
    let moving = group;
    let keys = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return keys + (await this.moveSlots(moving));
      } catch (err) {
        if (attempt >= attempts || signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, 300 * attempt));
        const { view } = await this.readView();
        const owner = (slot: number) => view.find((n) => n.primary && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b))?.id;
        const left = moving.map((m) => ({ ...m, from: owner(m.slot) ?? m.from })).filter((m) => m.from !== m.to);
        // Split by current owner: a shard that failed over is a new source.
        const first = left[0];
        if (!first) return keys;
        const same = left.filter((m) => m.from === first.from);
        const rest = left.filter((m) => m.from !== first.from);
        if (rest.length) keys += await this.moveWithRetry(rest, signal, attempts - attempt);
        moving = same;
      }
    }
  }

  /** Finishes every slot a previous run left open. */
  async finishOpen(): Promise<number> {
    const { text } = await this.readView();
    const open = openSlots(text);
    for (const o of open) await this.moveSlots([o]);
    return open.length;
  }

  /**
   * Runs the moves in order, `batch` slots at a time (consecutive moves with the same source and
   * target), reporting after each batch; stops between two batches once `signal` fires.
   */
  async run(
    moves: SlotMove[],
    o: { onProgress?: (p: MoveProgress) => void; signal?: AbortSignal; batch?: number } = {},
  ): Promise<ReshardResult> {
    const started = Date.now();
    const size = Math.max(1, o.batch ?? 32);
    let keysTotal = 0;
    let longest = 0;
    let done = 0;
    for (let i = 0; i < moves.length;) {
      if (o.signal?.aborted) break;
      const group = [moves[i]!];
      while (group.length < size && moves[i + group.length]?.from === group[0]!.from && moves[i + group.length]?.to === group[0]!.to) {
        group.push(moves[i + group.length]!);
      }
      const t = Date.now();
      const keys = await this.moveWithRetry(group, o.signal);
      longest = Math.max(longest, Date.now() - t);
      keysTotal += keys;
      done += group.length;
      i += group.length;
      o.onProgress?.({ done, total: moves.length, slot: group.at(-1)!.slot, keys, keysTotal, elapsedMs: Date.now() - started });
    }
    return { moved: done, keys: keysTotal, elapsedMs: Date.now() - started, longestBatchMs: longest, stopped: done < moves.length };
  }
}

/** "120/1365 slots · 3,210 keys · 8.8 slots/s · about 14 s left" */
export function progressLine(p: MoveProgress): string {
  const rate = p.done / Math.max(0.001, p.elapsedMs / 1000);
  const left = rate > 0 ? Math.round((p.total - p.done) / rate) : 0;
  return `${p.done}/${p.total} slots · ${p.keysTotal.toLocaleString('en')} keys · ${rate.toFixed(1)} slots/s · about ${left} s left`;
}
