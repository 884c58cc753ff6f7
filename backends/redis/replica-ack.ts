// "Acknowledged by a replica" for many writes with few WAITs. One connection executes commands in
// the order they were sent, and a WAIT covers every write executed on it before the WAIT; it also
// blocks the connection while it waits, so one WAIT per request would queue each request behind the
// previous one's wait. Here a write, once answered, joins a WAIT sent after the write was sent, if
// one is in flight, and otherwise sends one covering every write sent so far: at most two WAITs are
// queued at any time, whatever the load. A write must be ONE command sent when its ticket is taken
// (EVAL, not EVALSHA with an EVAL retry sent later, which a WAIT sent meanwhile would not cover).
import type { Redis } from 'ioredis';

export interface Ticket {
  seq: number;
  /** Connection generation: a WAIT on a new connection says nothing of a write on the old one. */
  epoch: number;
}

export class ReplicaAck {
  private sent = 0;
  private epoch = 0;
  private inFlight?: { covers: number; acked: Promise<boolean> };

  constructor(
    private readonly client: Redis,
    private readonly waitMs: number,
  ) {
    // A WAIT on a new connection (after a failover) answers at once: that connection has written
    // nothing yet. So writes sent on an older connection are never called acknowledged.
    client.on('close', () => {
      this.epoch++;
      this.inFlight = undefined;
    });
  }

  /** Take it synchronously just before sending the write. */
  ticket(): Ticket {
    return { seq: ++this.sent, epoch: this.epoch };
  }

  /**
   * Call once the write has been answered: true when at least one replica holds it, false when
   * none acknowledged it within the bound (or the connection changed since it was sent).
   */
  acked(ticket: Ticket): Promise<boolean> {
    if (ticket.epoch !== this.epoch) return Promise.resolve(false);
    if (this.inFlight && this.inFlight.covers >= ticket.seq) return this.inFlight.acked;
    const epoch = this.epoch;
    const acked = this.client.wait(1, this.waitMs).then(
      (n) => n >= 1 && epoch === this.epoch,
      () => false,
    );
    const entry = { covers: this.sent, acked };
    this.inFlight = entry;
    void acked.finally(() => {
      // Why void: clearing the slot is bookkeeping; callers await `acked` itself.
      if (this.inFlight === entry) this.inFlight = undefined;
    });
    return acked;
  }
}
