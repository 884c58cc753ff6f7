// Follow a promotion the moment Sentinel orders it, not a second later. Sentinel's failover goes
// in steps: it sends REPLICAOF NO ONE to the chosen replica (announcing
// +failover-state-send-slaveof-noone), waits for that replica's next INFO (polled once a second)
// and only then announces +switch-master, the event ioredis's failoverDetector reacts to. In that
// second the old primary, if it is alive, still takes writes that a replica still attached to it
// acknowledges and that the promoted one never sees: counts shown then are lost. So at the first
// announcement the client leaves the old primary and connects to the chosen replica (ioredis asks
// Sentinel for the primary and maps the old address to the new one, natMap), retrying until that
// replica says it is a primary (ioredis's ready check reads its role). An aborted failover or
// +switch-master ends the mapping; so does a timeout, in case those messages are lost.
import { Redis } from 'ioredis';
import { parsePromotion, promotionChannels, type Address } from './sentinel-events.js';
import type { RedisSettings } from './settings.js';

export class PromotionFollower {
  private redirect?: { fromKey: string; to: Address; timer: NodeJS.Timeout };
  private client?: Redis;
  private readonly subscribers: Redis[] = [];

  constructor(
    private readonly s: RedisSettings,
    /** How long a redirect may last without +switch-master (Sentinel's failover-timeout is longer). */
    private readonly maxRedirectMs = 10_000,
    /** Where each followed promotion is told (a rare event worth a line in the backend's log). */
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** For ioredis's natMap: the primary Sentinel still names, mapped to the replica being promoted. */
  readonly natMap = (key: string): Address | null => (this.redirect && key === this.redirect.fromKey ? this.redirect.to : null);

  /** Starts listening to every Sentinel; `client` is the one to move. */
  attach(client: Redis): void {
    this.client = client;
    for (const sentinel of this.s.sentinels) {
      const sub = new Redis({
        ...sentinel,
        username: this.s.sentinelUser,
        password: this.s.sentinelPassword,
        connectTimeout: 300,
        retryStrategy: (times) => Math.min(100 * times, 1000),
        enableReadyCheck: false,
        disableClientInfo: true,
      });
      sub.on('error', () => undefined); // a Sentinel down is normal in a fault; the others speak
      sub.on('message', (channel: string, message: string) => this.onEvent(channel, message));
      // Why void: a Sentinel that refuses (down, or an ACL without these channels) leaves the
      // others, and ioredis's own +switch-master detection still works.
      void sub.subscribe(...promotionChannels).catch(() => undefined);
      this.subscribers.push(sub);
    }
  }

  onEvent(channel: string, message: string): void {
    if (channel === '+failover-state-send-slaveof-noone') {
      const promotion = parsePromotion(message, this.s.masterName);
      if (!promotion) return;
      if (this.redirect) {
        this.log(`redis: a promotion of ${promotion.to.host}:${promotion.to.port} while one is followed; ignored`);
        return;
      }
      this.log(`redis: Sentinel promotes ${promotion.to.host}:${promotion.to.port}; leaving ${promotion.from.host}:${promotion.from.port}`);
      this.redirect = {
        fromKey: `${promotion.from.host}:${promotion.from.port}`,
        to: promotion.to,
        timer: setTimeout(() => this.end(), this.maxRedirectMs).unref(),
      };
      this.client?.disconnect(true);
    } else if (channel === '+switch-master' || channel.startsWith('-failover-abort')) {
      // +switch-master: "<name> old-ip old-port new-ip new-port"; an abort: "master <name> ip port".
      const name = message.split(' ')[channel === '+switch-master' ? 0 : 1];
      if (name === this.s.masterName) this.end();
    }
  }

  private end(): void {
    if (!this.redirect) return;
    clearTimeout(this.redirect.timer);
    this.redirect = undefined;
  }

  close(): void {
    this.end();
    for (const s of this.subscribers) s.disconnect();
  }
}
