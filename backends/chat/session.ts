// A chat client's side of the protocol (protocol.ts), for the page in a browser and for the kit's
// load and fault workloads in Node alike: it keeps the last seq it showed, shows each message once
// and in order, reconnects when the connection dies or goes silent and resumes from that seq, and
// sends one message at a time, retrying it with the same sid until it is stored.
// docs/architecture.md#resume-and-idempotent-send.
//
// Served to browsers as it is compiled (/chat/session.js): it imports nothing at run time and
// uses only what a browser and Node 20 both have.
import type { ClientFrame, NackCode, ServerFrame } from './protocol.js';

/** What the session needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SessionState = 'connecting' | 'catching-up' | 'live' | 'closed';

export interface ShownMessage {
  seq: number;
  sid: string;
  author: string;
  text: string;
  at: number;
}

export interface SessionOptions {
  /** Opens a connection that resumes after `after` (undefined: join with the room's recent history). */
  open(after: number | undefined): SocketLike;
  /** Ping every this many ms… */
  pingIntervalMs?: number;
  /** …and reconnect when nothing was heard for this long (a dead LB or backend sends no reset). */
  silenceMs?: number;
  /** A connection not welcomed within this is given up and tried again. */
  connectTimeoutMs?: number;
  /** Reconnect delays: the first at once, then doubling from `min` to `max`. */
  backoff?: { minMs: number; maxMs: number };
  now?: () => number;
  /** A new message to show, in order, each once. */
  onMessage?(m: ShownMessage): void;
  onState?(s: SessionState, detail?: string): void;
  /** A send was stored at `seq` (from its ack, or from seeing it in the room). */
  onStored?(sid: string, seq: number): void;
  /** A send that retrying cannot help (invalid, too old): dropped from the queue. */
  onFailed?(sid: string, code: NackCode, message: string): void;
  onWelcome?(w: { server: string; head: number; nick: string }): void;
}

interface Outgoing {
  sid: string;
  text: string;
  /** The last seq seen when this sid was first sent (protocol.ts). */
  after?: number;
}

const randomSid = (): string => {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

export class ChatSession {
  /** The last seq shown; undefined until the first catch-up ends. */
  lastSeq: number | undefined;
  state: SessionState = 'connecting';
  /** Connections opened after the first. */
  reconnects = 0;
  /** Frames for a seq already shown (the server sent one twice; never shown twice). */
  duplicateFrames = 0;
  /** Frames that skipped a seq: each made the session resume from the last seq it showed. */
  gaps = 0;
  private socket: SocketLike | undefined;
  private readonly outbox: Outgoing[] = [];
  private inFlight = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = 0;
  private pings = 0;
  private failedAttempts = 0;
  private opened = 0;
  private readonly now: () => number;

  constructor(private readonly o: SessionOptions) {
    this.now = o.now ?? (() => Date.now());
    this.connect();
  }

  /** Queues a message; returns its sid. Sent once the session is live, one at a time. */
  send(text: string, sid = randomSid()): string {
    this.outbox.push({ sid, text });
    this.pump();
    return sid;
  }

  /** Sends waiting to be stored, the one in flight first. */
  get unsent(): number {
    return this.outbox.length;
  }

  close(): void {
    this.setState('closed');
    this.clearTimers();
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // A no-op, not null: `ws` raises an error event for a socket closed before it connected.
      s.onerror = () => undefined;
      s.close(1000, 'bye');
    }
  }

  private setState(s: SessionState, detail?: string): void {
    if (this.state === 'closed') return;
    this.state = s;
    this.o.onState?.(s, detail);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.reconnectTimer);
  }

  private connect(): void {
    if (this.state === 'closed') return;
    if (this.opened++ > 0) this.reconnects++;
    this.setState('connecting');
    this.inFlight = false;
    let s: SocketLike;
    try {
      s = this.o.open(this.lastSeq);
    } catch (err) {
      this.lost(`could not open: ${String(err)}`);
      return;
    }
    this.socket = s;
    this.lastHeard = this.now();
    s.onmessage = (ev) => {
      if (this.socket !== s) return;
      this.lastHeard = this.now();
      let f: ServerFrame;
      try {
        f = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(f);
    };
    s.onclose = () => {
      if (this.socket === s) this.lost('connection closed');
    };
    s.onerror = () => {
      if (this.socket === s) this.lost('connection failed');
    };
    this.connectTimer = setTimeout(() => {
      if (this.socket === s && this.state === 'connecting') this.lost('no welcome in time');
    }, this.o.connectTimeoutMs ?? 2000);
    const every = this.o.pingIntervalMs ?? 1000;
    const silence = this.o.silenceMs ?? 3000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.socket !== s) return;
      if (this.now() - this.lastHeard > silence) {
        this.lost(`nothing heard for ${silence} ms`);
        return;
      }
      if (this.state !== 'connecting') this.transmit({ t: 'ping', n: ++this.pings });
    }, every);
  }

  /** The connection is gone or useless: drop it, and open another (at once the first time). */
  private lost(why: string): void {
    const s = this.socket;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    clearTimeout(this.connectTimer);
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // A no-op, not null: `ws` raises an error event for a socket closed before it connected.
      s.onerror = () => undefined;
      try {
        s.close(4000, 'resuming');
      } catch {
        // already closed
      }
    }
    if (this.state === 'closed') return;
    this.inFlight = false;
    this.setState('connecting', why);
    const b = this.o.backoff ?? { minMs: 50, maxMs: 1000 };
    const delay = this.failedAttempts === 0 ? 0 : Math.min(b.maxMs, b.minMs * 2 ** (this.failedAttempts - 1));
    this.failedAttempts++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private transmit(f: ClientFrame): void {
    try {
      this.socket?.send(JSON.stringify(f));
    } catch {
      this.lost('send failed');
    }
  }

  private onFrame(f: ServerFrame): void {
    switch (f.t) {
      case 'welcome':
        clearTimeout(this.connectTimer);
        this.setState('catching-up');
        this.o.onWelcome?.({ server: f.server, head: f.head, nick: f.nick });
        return;
      case 'msg':
        this.onMessage(f);
        return;
      case 'ready':
        if (this.lastSeq === undefined) this.lastSeq = f.head;
        else if (f.head > this.lastSeq) {
          // The server says it sent up to head, but this session has not seen it all.
          this.gaps++;
          this.lost(`catch-up ended at ${this.lastSeq}, before the head ${f.head}`);
          return;
        }
        this.failedAttempts = 0;
        this.setState('live');
        this.pump();
        return;
      case 'ack':
        this.stored(f.sid, f.seq);
        return;
      case 'nack':
        this.onNack(f.sid, f.code, f.message, f.retryAfterMs);
        return;
      case 'error':
        this.lost(`server: ${f.message}`);
        return;
      case 'pong':
        return;
    }
  }

  private onMessage(m: ShownMessage): void {
    if (this.lastSeq !== undefined && m.seq <= this.lastSeq) {
      this.duplicateFrames++;
      return;
    }
    if (this.lastSeq !== undefined && m.seq !== this.lastSeq + 1) {
      this.gaps++;
      this.lost(`expected ${this.lastSeq + 1}, got ${m.seq}`);
      return;
    }
    this.lastSeq = m.seq;
    this.o.onMessage?.({ seq: m.seq, sid: m.sid, author: m.author, text: m.text, at: m.at });
    // Our own message, seen in the room: it is stored, whether or not its ack arrives.
    this.stored(m.sid, m.seq);
  }

  private stored(sid: string, seq: number): void {
    const head = this.outbox[0];
    if (!head || head.sid !== sid) return;
    this.outbox.shift();
    this.inFlight = false;
    this.o.onStored?.(sid, seq);
    this.pump();
  }

  private onNack(sid: string, code: NackCode, message: string, retryAfterMs?: number): void {
    const head = this.outbox[0];
    if (!head || head.sid !== sid) return;
    this.inFlight = false;
    if (code === 'rate-limited' || code === 'unavailable') {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, retryAfterMs ?? 200);
      return;
    }
    this.outbox.shift();
    this.o.onFailed?.(sid, code, message);
    this.pump();
  }

  private pump(): void {
    if (this.state !== 'live' || this.inFlight || this.retryTimer !== undefined) return;
    const next = this.outbox[0];
    if (!next) return;
    next.after ??= this.lastSeq ?? 0;
    this.inFlight = true;
    this.transmit({ t: 'send', sid: next.sid, text: next.text, after: next.after });
  }
}
