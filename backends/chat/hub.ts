// Real-time delivery on one backend: a feed per room that has connections here, following the
// room's order from the cluster. docs/architecture.md#delivery-across-backends.
//
// A message reaches a feed three ways: from this backend's own sends at once; from the room's
// sharded pub/sub channel (SSUBSCRIBE), where the backend that stored it announces it; and from
// the store itself, read after the feed's last seq whenever an announcement skips a seq and on a
// tick. Announcements are only a fast path: pub/sub loses what is sent while a channel's slot
// moves or its primary fails over, so the feed never skips a seq — it reads what it missed.
import type { Cluster } from 'ioredis';
import type { ChatMessage } from './message.js';
import type { ChatStore } from './store.js';
import { chatKeys } from './keys.js';

export type Listener = (m: ChatMessage) => void;

export interface HubSettings {
  /** How often a feed reads the store for what its announcements missed, ms. */
  tickMs: number;
  /** How long a feed waits for a skipped seq's own announcement before it reads the store, ms. */
  gapWaitMs: number;
}

export const defaultHubSettings: HubSettings = { tickMs: 500, gapWaitMs: 15 };

export class RoomFeed {
  /** The last seq delivered to the listeners (undefined until the feed has read the room's head). */
  cursor: number | undefined;
  private readonly early = new Map<number, ChatMessage>();
  private readonly listeners = new Set<Listener>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;
  private again = false;
  private readonly tick: ReturnType<typeof setInterval>;
  readonly ready: Promise<void>;

  constructor(
    readonly room: string,
    private readonly store: ChatStore,
    private readonly s: HubSettings,
    private readonly onError: (err: unknown) => void,
  ) {
    this.ready = this.start();
    this.tick = setInterval(() => this.catchUp(), s.tickMs);
    this.tick.unref?.();
  }

  private async start(): Promise<void> {
    for (;;) {
      try {
        this.cursor = await this.store.head(this.room);
        break;
      } catch (err) {
        this.onError(err);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.flush();
    this.catchUp();
  }

  get size(): number {
    return this.listeners.size;
  }

  add(l: Listener): void {
    this.listeners.add(l);
  }

  remove(l: Listener): void {
    this.listeners.delete(l);
  }

  close(): void {
    clearInterval(this.tick);
    clearTimeout(this.gapTimer);
    this.listeners.clear();
  }

  /** A message from any source: delivered in order, once; a later one waits for what it skipped. */
  offer(m: ChatMessage): void {
    if (this.cursor !== undefined && m.seq <= this.cursor) return;
    this.early.set(m.seq, m);
    this.flush();
    if (this.early.size && this.cursor !== undefined && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.catchUp();
      }, this.s.gapWaitMs);
    }
  }

  private flush(): void {
    if (this.cursor === undefined) return;
    for (let next = this.early.get(this.cursor + 1); next; next = this.early.get(this.cursor + 1)) {
      this.early.delete(next.seq);
      this.cursor = next.seq;
      for (const l of this.listeners) l(next);
    }
    for (const seq of this.early.keys()) if (seq <= this.cursor) this.early.delete(seq);
  }

  /** Reads the store after the cursor (one read at a time; a call meanwhile makes it read once more). */
  catchUp(): void {
    if (this.cursor === undefined) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void (async () => {
      try {
        do {
          this.again = false;
          const got = await this.store.range(this.room, this.cursor!, 500);
          for (const m of got) this.offer(m);
          if (got.length === 500) this.again = true;
        } while (this.again);
      } catch (err) {
        this.onError(err);
      } finally {
        this.reading = false;
      }
    })();
  }
}

/** The feeds of one backend, and its side of the rooms' pub/sub channels. */
export class ChatHub {
  private readonly feeds = new Map<string, RoomFeed>();

  constructor(
    private readonly store: ChatStore,
    /** A cluster client made with `shardedSubscribers: true` (SSUBSCRIBE needs its own connections). */
    private readonly subscriber: Cluster,
    private readonly publisher: Cluster,
    private readonly s: HubSettings = defaultHubSettings,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    subscriber.on('smessage', (channel: string, payload: string) => {
      const room = /^chat:r:\{(.+)\}:live$/.exec(channel)?.[1];
      const feed = room ? this.feeds.get(room) : undefined;
      if (!feed) return;
      try {
        feed.offer(JSON.parse(payload) as ChatMessage);
      } catch {
        // not one of ours
      }
    });
  }

  /** The room's feed with `l` listening (made, and subscribed, for the room's first connection here). */
  join(room: string, l: Listener): RoomFeed {
    let feed = this.feeds.get(room);
    if (!feed) {
      feed = new RoomFeed(room, this.store, this.s, (err) => this.log(`chat feed ${room}: ${String(err)}`));
      this.feeds.set(room, feed);
      // Subscribed before the feed reads the head, so nothing stored after that read goes unannounced.
      this.subscriber.ssubscribe(chatKeys.channel(room)).catch((err) => this.log(`chat: ssubscribe ${room}: ${String(err)}`));
    }
    feed.add(l);
    return feed;
  }

  leave(room: string, l: Listener): void {
    const feed = this.feeds.get(room);
    if (!feed) return;
    feed.remove(l);
    if (feed.size > 0) return;
    feed.close();
    this.feeds.delete(room);
    this.subscriber.sunsubscribe(chatKeys.channel(room)).catch(() => undefined);
  }

  /** A message this backend stored: to its own feed at once, and announced to the others. */
  announce(m: ChatMessage): void {
    this.feeds.get(m.room)?.offer(m);
    this.publisher.spublish(chatKeys.channel(m.room), JSON.stringify(m)).catch(() => undefined);
  }

  get rooms(): string[] {
    return [...this.feeds.keys()];
  }

  close(): void {
    for (const f of this.feeds.values()) f.close();
    this.feeds.clear();
  }
}
