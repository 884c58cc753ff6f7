import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ReplicaAck } from './replica-ack.js';

/** A client whose WAITs the test answers by hand. */
function fakeClient() {
  const emitter = new EventEmitter();
  const waits: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const client = Object.assign(emitter, {
    wait: () => new Promise<number>((resolve, reject) => waits.push({ resolve, reject })),
  });
  return { client: client as unknown as Redis, emitter, waits };
}

describe('ReplicaAck', () => {
  it('lets writes answered while a WAIT sent after them is in flight share it', async () => {
    const { client, waits } = fakeClient();
    const ack = new ReplicaAck(client, 100);
    const [a, b, c] = [ack.ticket(), ack.ticket(), ack.ticket()];
    const pa = ack.acked(a); // sends a WAIT covering a, b and c
    const pb = ack.acked(b);
    const pc = ack.acked(c);
    expect(waits).toHaveLength(1);
    const d = ack.ticket(); // sent after that WAIT: needs one of its own
    const pd = ack.acked(d);
    expect(waits).toHaveLength(2);
    waits[0]!.resolve(1);
    waits[1]!.resolve(0);
    expect(await Promise.all([pa, pb, pc, pd])).toEqual([true, true, true, false]);
  });

  it('never calls a write acknowledged across a reconnect, nor when WAIT fails', async () => {
    const { client, emitter, waits } = fakeClient();
    const ack = new ReplicaAck(client, 100);
    const old = ack.ticket();
    emitter.emit('close');
    expect(await ack.acked(old)).toBe(false);
    expect(waits).toHaveLength(0);
    const t = ack.ticket();
    const p = ack.acked(t);
    waits[0]!.reject(new Error('Command timed out'));
    expect(await p).toBe(false);
    const t2 = ack.ticket();
    const p2 = ack.acked(t2);
    emitter.emit('close'); // the connection dropped while its WAIT was out
    waits[1]!.resolve(1);
    expect(await p2).toBe(false);
  });
});
