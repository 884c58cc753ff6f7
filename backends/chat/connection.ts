// One WebSocket connection to a room: its catch-up, its live delivery, its sends.
// The protocol: protocol.ts; why the order holds: docs/architecture.md#resume-and-idempotent-send.
import type { ChatMessage } from './message.js';
import { InvalidInput, parseSid, parseText } from './message.js';
import { historySize, messageFrame, ProtocolError, parseClientFrame, type ServerFrame } from './protocol.js';
import { TokenBucket } from './rate-limit.js';
import type { ChatHub, RoomFeed } from './hub.js';
import { SendTooOld, StoreUnavailable, type ChatStore } from './store.js';

/** What a connection needs of its socket (the `ws` package's WebSocket). */
export interface ConnectionSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export interface ConnectionSettings {
  /** Sends a connection may make per second, and at once. */
  ratePerSecond: number;
  rateBurst: number;
  /** Unsent bytes a slow reader may leave queued before it is dropped (it resumes when it reconnects). */
  maxBufferedBytes: number;
  /** Sends waiting behind the one being stored; more are refused. */
  maxQueuedSends: number;
}

export const defaultConnectionSettings: ConnectionSettings = {
  ratePerSecond: 20,
  rateBurst: 40,
  maxBufferedBytes: 1 << 20,
  maxQueuedSends: 4,
};

export class ChatConnection {
  /** The last seq sent to this connection. */
  private cursor = 0;
  private live = false;
  private closed = false;
  private readonly early: ChatMessage[] = [];
  private readonly bucket: TokenBucket;
  private queued = 0;
  private chain: Promise<void> = Promise.resolve();
  private feed?: RoomFeed;
  private readonly listener = (m: ChatMessage) => this.onFeed(m);

  constructor(
    private readonly socket: ConnectionSocket,
    readonly room: string,
    readonly nick: string,
    private readonly after: number | undefined,
    private readonly store: ChatStore,
    private readonly hub: ChatHub,
    private readonly serverName: string,
    private readonly s: ConnectionSettings,
    private readonly log: (line: string) => void,
  ) {
    this.bucket = new TokenBucket(s.ratePerSecond, s.rateBurst);
  }

  private frame(f: ServerFrame): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.s.maxBufferedBytes) {
      this.close(4008, 'too slow: reconnect and resume');
      return;
    }
    this.socket.send(JSON.stringify(f));
  }

  /** Joins the feed first (what arrives meanwhile waits), then sends the catch-up, then goes live. */
  async start(): Promise<void> {
    this.feed = this.hub.join(this.room, this.listener);
    await this.feed.ready;
    const head = await this.store.head(this.room);
    this.cursor = this.after === undefined ? Math.max(0, head - historySize) : Math.min(this.after, head);
    this.frame({ t: 'welcome', room: this.room, nick: this.nick, server: this.serverName, head });
    await this.readOn();
    // What the feed delivered during the catch-up, then whatever it still skipped.
    // (more may arrive while a read is awaited: the loop takes those too)
    for (let m = this.early.shift(); m; m = this.early.shift()) {
      if (m.seq > this.cursor + 1) await this.readOn();
      this.deliver(m);
    }
    this.live = true;
    this.frame({ t: 'ready', head: this.cursor });
  }

  /** Everything the store has after the cursor. */
  private async readOn(): Promise<void> {
    for (;;) {
      const got = await this.store.range(this.room, this.cursor, 500);
      for (const m of got) this.deliver(m);
      if (got.length < 500 || this.closed) return;
    }
  }

  private deliver(m: ChatMessage): void {
    if (m.seq !== this.cursor + 1) return;
    this.cursor = m.seq;
    this.frame(messageFrame(m));
  }

  private onFeed(m: ChatMessage): void {
    if (!this.live) {
      this.early.push(m);
      return;
    }
    if (m.seq <= this.cursor) return;
    if (m.seq === this.cursor + 1) {
      this.deliver(m);
      return;
    }
    // The feed is contiguous from when this connection joined, so this cannot happen; if it
    // does, read what lies between rather than skip it.
    this.live = false;
    this.early.push(m);
    void this.readOn()
      .then(() => {
        for (const e of this.early.splice(0)) this.deliver(e);
        this.live = true;
      })
      .catch((err) => this.close(1011, `could not read the room: ${String(err)}`));
  }

  onText(raw: string): void {
    let f;
    try {
      f = parseClientFrame(raw);
    } catch (err) {
      if (err instanceof ProtocolError) this.frame({ t: 'error', message: err.message });
      return;
    }
    if (f.t === 'ping') {
      this.frame({ t: 'pong', n: f.n });
      return;
    }
    let sid: string, text: string;
    try {
      sid = parseSid(f.sid);
      text = parseText(f.text);
    } catch (err) {
      const message = err instanceof InvalidInput ? err.message : String(err);
      this.frame({ t: 'nack', sid: String(f.sid).slice(0, 64), code: 'invalid', message });
      return;
    }
    const wait = this.bucket.take();
    if (wait > 0) {
      this.frame({ t: 'nack', sid, code: 'rate-limited', message: 'too many messages: slow down', retryAfterMs: wait });
      return;
    }
    if (this.queued >= this.s.maxQueuedSends) {
      this.frame({ t: 'nack', sid, code: 'rate-limited', message: 'too many sends waiting', retryAfterMs: 200 });
      return;
    }
    // A seq this connection has not been sent cannot have been seen before the first send.
    const after = Math.min(f.after, this.cursor);
    this.queued++;
    // One send at a time per connection: a sender's messages are stored in the order it sent them.
    this.chain = this.chain.then(() => this.store1(sid, text, after)).finally(() => this.queued--);
  }

  private async store1(sid: string, text: string, after: number): Promise<void> {
    try {
      const r = await this.store.append(this.room, { sid, author: this.nick, text, at: Date.now() }, after);
      this.frame({ t: 'ack', sid, seq: r.message.seq });
      this.hub.announce(r.message);
    } catch (err) {
      if (err instanceof StoreUnavailable) {
        this.frame({ t: 'nack', sid, code: 'unavailable', message: err.message, retryAfterMs: 200 });
      } else if (err instanceof SendTooOld) {
        this.frame({ t: 'nack', sid, code: 'too-old', message: err.message });
      } else {
        this.log(`chat send in ${this.room}: ${String(err)}`);
        this.frame({ t: 'nack', sid, code: 'unavailable', message: 'the message could not be stored', retryAfterMs: 500 });
      }
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.leave(this.room, this.listener);
    try {
      this.socket.close(code, reason);
    } catch {
      // gone already
    }
  }

  /** The socket closed from the other side. */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.leave(this.room, this.listener);
  }
}
