// One page view, counted at most once and shown only once a replica holds it; bounded in time so
// that Redis slow or gone costs the page its count line, never its answer.
import type { Redis } from 'ioredis';
import { withDeadline } from '../redis/deadline.js';
import { ReplicaAck } from '../redis/replica-ack.js';
import type { VisitSettings } from '../redis/settings.js';
import { countVisit } from './count-script.js';
import { dayOf } from './day.js';

export type CountOutcome =
  /** Counted, and at least one replica acknowledged it: safe to show. */
  | { state: 'counted'; count: number; uniques: number; replayed: boolean }
  /** Counted on the primary, but no replica acknowledged it within the bound: a failover may drop it. */
  | { state: 'pending' }
  /** Not counted, or unknown (Redis slow, unreachable, or refusing writes). */
  | { state: 'unavailable'; reason: string };

export interface View {
  requestId: string;
  visitor: string;
  /** The load balancer that proxied the request (X-LB), or "direct". */
  lb: string;
  atMs: number;
}

export class VisitCounter {
  readonly ack: ReplicaAck;

  constructor(
    readonly client: Redis,
    readonly settings: VisitSettings,
    private readonly serverName: string,
    waitMs: number,
    /**
     * Drop the connection when a count times out, so the next one asks Sentinel again: what a
     * client without failover detection does (redis-py's master_for with a socket timeout). The
     * kit's client follows Sentinel's announcements instead; the bench's textbook profile sets it.
     */
    private readonly reconnectOnTimeout = false,
  ) {
    this.ack = new ReplicaAck(client, waitMs);
  }

  today(atMs = Date.now()): string {
    return dayOf(atMs, this.settings.timeZone);
  }

  async record(view: View): Promise<CountOutcome> {
    try {
      return await withDeadline(this.attempt(view), this.settings.deadlineMs);
    } catch (err) {
      if (this.reconnectOnTimeout && /timed out|within/.test((err as Error).message)) this.client.disconnect(true);
      return { state: 'unavailable', reason: (err as Error).message };
    }
  }

  private async attempt(view: View): Promise<CountOutcome> {
    const ticket = this.ack.ticket();
    const r = await countVisit(
      this.client,
      {
        requestId: view.requestId,
        day: this.today(view.atMs),
        visitor: view.visitor,
        entry: { t: new Date(view.atMs).toISOString(), v: view.visitor, s: this.serverName, lb: view.lb },
      },
      this.settings,
    );
    return (await this.ack.acked(ticket)) ? { state: 'counted', ...r } : { state: 'pending' };
  }
}
