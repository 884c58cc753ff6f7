// The chat's store on a real Redis Cluster (nine nodes on loopback from the kit's own node
// entrypoint, the app user's ACL): the key design (each block on the primary of its slot), blocks
// filled in order with contiguous seqs, resume from any seq, a retried send stored once whichever
// backend retries it and however far the room moved on, concurrent senders, and a primary's death.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { ClusterLab } from '../../scripts/testing/cluster-lab.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../scripts/testing/prerequisites.js';
import { until } from '../../scripts/testing/redis-lab.js';
import { createChatClients } from './clients.js';
import { blockSlot, blockSize, chatKeys } from './keys.js';
import { ChatStore, SendTooOld, type StoreSettings } from './store.js';

const missing = await missingPrerequisites(['redis-server', 'redis-cli', 'setpriv']);

// Generous: the machine may be busy; these tests check behaviour, not timing.
const settings: StoreSettings = { waitMs: 200, writeDeadlineMs: 8000, commandTimeoutMs: 1000, maxScanBlocks: 100 };
let rooms = 0;
const freshRoom = () => `t${Date.now().toString(36)}-${++rooms}`;
let sids = 0;
const sid = () => `sid-${process.pid}-${++sids}`;
const msg = (author = 'alice', text = 'hi') => ({ sid: sid(), author, text, at: Date.now() });

describe.skipIf(skipOutsideCi(missing))('the chat store on a real Redis Cluster', () => {
  let lab: ClusterLab;
  const clusters: Cluster[] = [];
  const backend = async () => {
    const c = createChatClients(lab.clientSettings({ commandTimeoutMs: 1000 }));
    for (const x of [c.primary, c.subscriber]) {
      x.on('error', () => undefined);
      clusters.push(x);
    }
    await until('the cluster client to be ready', async () => c.primary.status === 'ready');
    return new ChatStore(c.primary, settings);
  };
  let a: ChatStore;
  let b: ChatStore;

  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ClusterLab.start();
    [a, b] = [await backend(), await backend()];
  }, 90_000);
  afterAll(async () => {
    for (const c of clusters) c.disconnect();
    await lab?.stop();
  });

  it('numbers a room 1, 2, 3 … and reads it back from any seq, in order', async () => {
    const room = freshRoom();
    expect(await a.head(room)).toBe(0);
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push((await a.append(room, msg('alice', `m${i}`), i)).message.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(await b.head(room)).toBe(5);
    expect((await b.range(room, 2)).map((m) => [m.seq, m.text])).toEqual([
      [3, 'm2'],
      [4, 'm3'],
      [5, 'm4'],
    ]);
    expect((await b.recent(room, 2)).map((m) => m.seq)).toEqual([4, 5]);
    expect(await b.range(room, 5)).toEqual([]);
  }, 30_000);

  it('fills blocks of 100 in order, each on the primary that serves its slot, and resumes across their edges', async () => {
    const room = freshRoom();
    for (let i = 0; i < 250; i++) await a.append(room, msg(), i);
    expect(await b.head(room)).toBe(250);
    for (const [block, len] of [
      [0, 100],
      [1, 100],
      [2, 50],
    ] as const) {
      const key = chatKeys.block(room, block);
      expect(calculateSlot(key)).toBe(blockSlot(room, block));
      // Asked on the primary its slot says, without redirection: the block is there, whole.
      const owner = await lab.primaryOfSlot(blockSlot(room, block));
      expect(Number(await lab.admin(owner).xlen(key)), `block ${block}`).toBe(len);
    }
    const resumed = await b.range(room, 95, 500);
    expect(resumed.map((m) => m.seq)).toEqual(Array.from({ length: 155 }, (_, i) => 96 + i));
    // The head hint moved on with the blocks.
    expect(Number(await lab.admin(await lab.primaryOfSlot(calculateSlot(room))).get(chatKeys.head(room)))).toBe(2);
  }, 30_000);

  it('stores a retried send once, from another backend, after its block filled up', async () => {
    const room = freshRoom();
    for (let i = 0; i < 98; i++) await a.append(room, msg(), i);
    const m = msg('bob', 'only once');
    const first = await a.append(room, m, 98);
    expect(first.message.seq).toBe(99);
    expect(first.fresh).toBe(true);
    // The room moves on past the end of the block that holds it.
    for (let i = 99; i < 150; i++) await a.append(room, msg(), i);
    // Backend b gets the retry (its client reconnected there): same sid, same after.
    const again = await b.append(room, { ...m, text: 'only once', at: Date.now() }, 98);
    expect(again.fresh).toBe(false);
    expect(again.message).toMatchObject({ seq: 99, sid: m.sid, author: 'bob', text: 'only once' });
    const all = await b.range(room, 0, 500);
    expect(all.filter((x) => x.sid === m.sid)).toHaveLength(1);
    expect(all.map((x) => x.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  }, 30_000);

  it('keeps concurrent senders on two backends contiguous, each sender in its own order, nothing twice', async () => {
    const room = freshRoom();
    const send = async (store: ChatStore, who: string) => {
      for (let i = 0; i < 120; i++)
        await store.append(room, { sid: `${who}-${room}-${i}`, author: who, text: String(i), at: Date.now() }, 0);
    };
    await Promise.all([send(a, 'alice'), send(b, 'bob'), send(a, 'carol')]);
    const all = await a.range(room, 0, 500);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 360 }, (_, i) => i + 1));
    expect(new Set(all.map((m) => m.sid)).size).toBe(360);
    for (const who of ['alice', 'bob', 'carol']) {
      expect(all.filter((m) => m.author === who).map((m) => Number(m.text))).toEqual(Array.from({ length: 120 }, (_, i) => i));
    }
  }, 30_000);

  it('refuses a send whose after is further back than it searches, rather than storing it twice', async () => {
    const room = freshRoom();
    const small = new ChatStore(clusters[0]!, { ...settings, maxScanBlocks: 1 });
    for (let i = 0; i < 3 * blockSize + 1; i++) await a.append(room, msg(), i);
    await expect(small.append(room, msg(), 0)).rejects.toBeInstanceOf(SendTooOld);
  }, 30_000);

  it('counts each writer once per message, in the room and per user', async () => {
    const room = freshRoom();
    for (let i = 0; i < 230; i++) await a.append(room, msg(i % 3 === 0 ? 'gaga' : 'fan', 'x'), i);
    // Folding twice (two backends at once, then again) counts nothing twice.
    await Promise.all([a.fold(room), b.fold(room)]);
    await a.fold(room);
    expect(await b.users(room)).toEqual([
      { nick: 'fan', messages: 153 },
      { nick: 'gaga', messages: 77 },
    ]);
    // Per user: the full blocks (1–200) only.
    expect((await b.userRooms('gaga'))[room]).toBe(67);
  }, 30_000);

  it('keeps every acknowledged message through the death of the primary that holds the head block', async () => {
    const room = freshRoom();
    for (let i = 0; i < 10; i++) await a.append(room, msg(), i);
    const victim = await lab.primaryOfSlot(blockSlot(room, 0));
    const sent: number[] = [];
    const writer = (async () => {
      for (let i = 10; i < 60; i++) sent.push((await a.append(room, msg('w', String(i)), i)).message.seq);
    })();
    await until('a few sends', async () => sent.length >= 5, 10_000);
    await victim.kill();
    await writer;
    expect(sent).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    const all = await b.range(room, 0, 500);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    victim.start();
    await lab.waitHealthy(60_000);
  }, 60_000);
});
