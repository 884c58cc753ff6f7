// Live resharding on a real Redis Cluster (the loopback lab, nine nodes and two spares) while two
// backends' chat stores append to rooms and a third follows them: slots moved between primaries,
// a fourth shard added and removed, and not one message lost, doubled or out of order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { createChatClients } from '../../../backends/chat/clients.js';
import { blockSlot } from '../../../backends/chat/keys.js';
import { ChatStore } from '../../../backends/chat/store.js';
import { ClusterLab } from '../../testing/cluster-lab.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../testing/prerequisites.js';
import { until } from '../../testing/redis-lab.js';
import type { CheckVerdict } from './form.js';
import { parseClusterNodes, type ClusterNodeLine } from './cluster-nodes.js';
import { openSlots, planBalance, planMove, progressLine, Resharder, slotCount, type AdminAccess } from './reshard.js';
import { ShardOps } from './shards.js';

const line = (id: string, slots: Array<[number, number]>, primary = true): ClusterNodeLine => ({
  id,
  address: `127.0.0.1:${id.length}`,
  host: '127.0.0.1',
  port: 1,
  flags: [primary ? 'master' : 'slave'],
  slots,
  linkState: 'connected',
  myself: false,
  primary,
  failing: false,
});
const three = [line('a', [[0, 5460]]), line('b', [[5461, 10922]]), line('c', [[10923, 16383]])];
const owned = (view: ClusterNodeLine[], moves: ReturnType<typeof planBalance>) => {
  const n = new Map(view.filter((v) => v.primary).map((v) => [v.id, v.slots.reduce((a, [x, y]) => a + y - x + 1, 0)]));
  for (const m of moves) {
    n.set(m.from, n.get(m.from)! - 1);
    n.set(m.to, (n.get(m.to) ?? 0) + 1);
  }
  return Object.fromEntries(n);
};

/**
 * `redis-cli --cluster check` is clean within a few seconds: right after the last slot moved, a
 * node may not have heard of the new owner yet (gossip), and the check says the nodes disagree.
 */
async function checkClean(lab: ClusterLab): Promise<void> {
  let verdict: CheckVerdict = { ok: false, problems: [] };
  await until(
    'redis-cli --cluster check to be clean',
    async () => {
      verdict = await lab.check();
      return verdict.ok;
    },
    15_000,
  ).catch(() => undefined);
  expect(verdict).toEqual({ ok: true, problems: [] });
}

describe('reshard plans', () => {
  it('moves the highest slots of one primary to another', () => {
    expect(planMove(three, 'a', 'b', 3)).toEqual([5460, 5459, 5458].map((slot) => ({ slot, from: 'a', to: 'b' })));
    expect(() => planMove(three, 'a', 'b', 0)).toThrow(/move 1 to 5461/);
    expect(() => planMove(three, 'x', 'b', 1)).toThrow(/not a primary/);
  });

  it('balances onto a fourth primary from all three, and back off it onto the three', () => {
    const add = planBalance([...three, line('d', [])], ['a', 'b', 'c', 'd']);
    expect(add).toHaveLength(4096);
    expect(owned([...three, line('d', [])], add)).toEqual({ a: 4096, b: 4096, c: 4096, d: 4096 });
    const four = [
      line('a', [[0, 4095]]),
      line('b', [[5461, 9556]]),
      line('c', [[10923, 15018]]),
      line('d', [
        [4096, 5460],
        [9557, 10922],
        [15019, 16383],
      ]),
    ];
    const remove = planBalance(four, ['a', 'b', 'c']);
    expect(remove.every((m) => m.from === 'd')).toBe(true);
    expect(owned(four, remove)).toEqual({ a: 5462, b: 5461, c: 5461, d: 0 });
  });

  it('reads the slots a crashed run left open from CLUSTER NODES', () => {
    const text = [
      'aaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 [5460->-bbb]',
      'bbb 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922 [5460-<-aaa]',
    ].join('\n');
    expect(openSlots(text)).toEqual([{ slot: 5460, from: 'aaa', to: 'bbb' }]);
    expect(parseClusterNodes(text)[0]!.slots).toEqual([[0, 5460]]);
  });

  it('says how far a move is, how fast it goes and how long is left', () => {
    expect(progressLine({ done: 100, total: 400, slot: 1, keys: 2, keysTotal: 1234, elapsedMs: 10_000 })).toBe(
      '100/400 slots · 1,234 keys · 10.0 slots/s · about 30 s left',
    );
  });
});

const missing = await missingPrerequisites(['redis-server', 'redis-cli', 'setpriv']);

describe.skipIf(skipOutsideCi(missing))('live resharding under a chat', () => {
  let lab: ClusterLab;
  const clusters: Cluster[] = [];
  const admins = new Map<string, Redis>();
  let access: AdminAccess;
  let writers: ChatStore[];
  let reader: ChatStore;

  const store = async () => {
    const c = createChatClients(lab.clientSettings({ commandTimeoutMs: 1000 }));
    for (const x of [c.primary, c.subscriber]) {
      x.on('error', () => undefined);
      clusters.push(x);
    }
    await until('the cluster client to be ready', async () => c.primary.status === 'ready');
    return new ChatStore(c.primary, { waitMs: 200, writeDeadlineMs: 10_000, commandTimeoutMs: 1000, maxScanBlocks: 100 });
  };

  /** Rooms chatting until stopped: two writers per room, each message's send id kept. */
  const chat = (rooms: string[]) => {
    let stop = false;
    const acked = new Map<string, number[]>();
    const loops = rooms.flatMap((room) =>
      writers.map(async (w, k) => {
        // after: the writer's own last seq (a seq it has seen, as a client's would be).
        for (let i = 0, seen = 0; !stop; i++) {
          const r = await w.append(room, { sid: `${room}-${k}-${i}`, author: `w${k}`, text: String(i), at: Date.now() }, seen);
          seen = r.message.seq;
          acked.set(room, [...(acked.get(room) ?? []), r.message.seq]);
        }
      }),
    );
    return {
      acked,
      async end() {
        stop = true;
        await Promise.all(loops);
      },
    };
  };

  /** Every room's log: contiguous from 1, each send id once, each writer's messages in its order. */
  const checkRooms = async (rooms: string[], acked: Map<string, number[]>) => {
    for (const room of rooms) {
      const all = await reader.range(room, 0, 100_000);
      expect(
        all.map((m) => m.seq),
        room,
      ).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      expect(new Set(all.map((m) => m.sid)).size).toBe(all.length);
      expect(all.length).toBe(acked.get(room)!.length);
      for (const k of [0, 1]) {
        const mine = all.filter((m) => m.author === `w${k}`).map((m) => Number(m.text));
        expect(mine).toEqual(Array.from({ length: mine.length }, (_, i) => i));
      }
    }
  };

  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ClusterLab.start({ spares: 2 });
    access = {
      user: lab.users.admin.user,
      password: lab.users.admin.password,
      connect: (host, port) => {
        const k = `${host}:${port}`;
        let r = admins.get(k);
        if (!r) {
          const n = [...lab.nodes, ...lab.spares].find((x) => x.port === port)!;
          r = lab.admin(n);
          admins.set(k, r);
        }
        return r;
      },
    };
    writers = [await store(), await store()];
    reader = await store();
  }, 90_000);
  afterAll(async () => {
    for (const c of clusters) c.disconnect();
    await lab?.stop();
  });

  it('moves the slots holding rooms being written (their head blocks) to another primary, and nothing is lost or doubled', async () => {
    const rooms = ['move-a', 'move-b', 'move-c'];
    const load = chat(rooms);
    await until('some messages', async () => [...load.acked.values()].every((s) => s.length > 20), 20_000);
    const view = await lab.view();
    const ownerOf = (slot: number) => view.find((l) => l.primary && l.slots.some(([a, b]) => slot >= a && slot <= b))!;
    // The slots of each room's first three blocks (its head among them), each to the next primary.
    const primaries = view.filter((l) => l.primary);
    const moves = rooms
      .flatMap((room) => [0, 1, 2].map((b) => blockSlot(room, b)))
      .map((slot) => {
        const from = ownerOf(slot);
        const to = primaries[(primaries.indexOf(from) + 1) % primaries.length]!;
        return { slot, from: from.id, to: to.id };
      });
    const r = new Resharder(access, lab.nodes[0]!.address);
    await r.readView();
    const progress: number[] = [];
    const result = await r.run(moves, { batch: 1, onProgress: (p) => progress.push(p.done) });
    expect(result.moved).toBe(moves.length);
    expect(result.keys).toBeGreaterThan(0);
    expect(progress).toEqual(moves.map((_, i) => i + 1));
    await new Promise((res) => setTimeout(res, 300));
    await load.end();
    const after = await lab.view();
    for (const m of moves) expect(after.find((l) => l.slots.some(([a, b]) => m.slot >= a && m.slot <= b))!.id).toBe(m.to);
    await checkClean(lab);
    await checkRooms(rooms, load.acked);
  }, 90_000);

  it('adds a fourth shard and removes it again under the chat: slots rebalance to a quarter each, then back', async () => {
    const rooms = ['shard-a', 'shard-b'];
    const load = chat(rooms);
    await until('some messages', async () => [...load.acked.values()].every((s) => s.length > 10), 20_000);
    const [p, rp] = lab.spares.map((n, i) => ({ name: `spare${i + 1}`, ...n.address })) as [
      { name: string; host: string; port: number },
      { name: string; host: string; port: number },
    ];
    const ops = new ShardOps(
      access,
      lab.nodes.map((n) => ({ name: n.name, ...n.address })),
    );
    const steps: string[] = [];
    const added = await ops.add(p, rp, { onStep: (s) => steps.push(s) });
    expect(added.moved).toBe(4096);
    let view = await lab.view();
    const primaries = view.filter((l) => l.primary && l.slots.length);
    expect(primaries.map((l) => l.slots.reduce((a, [x, y]) => a + y - x + 1, 0)).sort()).toEqual([4096, 4096, 4096, 4096]);
    const newPrimary = view.find((l) => l.port === p.port)!;
    expect(view.find((l) => l.port === rp.port)!.masterId).toBe(newPrimary.id);
    expect(steps.join('\n')).toMatch(/meet spare1[\s\S]*replicates[\s\S]*rebalance: 4096 slots onto 4 primaries/);
    await checkClean(lab);

    const removed = await ops.remove(p, rp);
    expect(removed.moved).toBe(4096);
    view = await lab.view();
    expect(view).toHaveLength(9);
    expect(view.filter((l) => l.primary && l.slots.length)).toHaveLength(3);
    expect(view.reduce((a, l) => a + l.slots.reduce((x, [s, e]) => x + e - s + 1, 0), 0)).toBe(slotCount);
    await load.end();
    await lab.waitHealthy(60_000);
    await checkRooms(rooms, load.acked);
    // The spares are blank again: they can join once more.
    for (const n of lab.spares) expect(parseClusterNodes((await lab.admin(n).call('CLUSTER', 'NODES')) as string)).toHaveLength(1);
  }, 240_000);
});
