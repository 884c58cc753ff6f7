import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFrame, ServerFrame } from './protocol.js';
import { ChatSession, type SessionOptions, type ShownMessage, type SocketLike } from './session.js';

/** A socket whose server side the test plays. */
class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: ClientFrame[] = [];
  closed = false;
  constructor(readonly after: number | undefined) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close() {
    this.closed = true;
  }
  push(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  sends() {
    return this.sent.filter((f) => f.t === 'send');
  }
}

const msg = (seq: number, sid = `sid-${seq}-xxxx`): ServerFrame => ({ t: 'msg', seq, sid, author: 'a', text: `m${seq}`, at: seq });

function setup(o: Partial<SessionOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const shown: ShownMessage[] = [];
  const stored: [string, number][] = [];
  const session = new ChatSession({
    open: (after) => {
      const s = new FakeSocket(after);
      sockets.push(s);
      return s;
    },
    onMessage: (m) => shown.push(m),
    onStored: (sid, seq) => stored.push([sid, seq]),
    pingIntervalMs: 100,
    silenceMs: 300,
    ...o,
  });
  const last = () => sockets.at(-1)!;
  const join = (head: number, history: number[] = []) => {
    last().push({ t: 'welcome', room: 'r', nick: 'n', server: 'backend1', head });
    for (const s of history) last().push(msg(s));
    last().push({ t: 'ready', head });
  };
  return { session, sockets, shown, stored, last, join };
}

describe('ChatSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the history, then sends one message at a time, each after the last seq it had seen', () => {
    const t = setup();
    expect(t.sockets[0]!.after).toBeUndefined();
    t.join(3, [2, 3]);
    expect(t.session.state).toBe('live');
    expect(t.shown.map((m) => m.seq)).toEqual([2, 3]);
    const a = t.session.send('one');
    const b = t.session.send('two');
    expect(t.last().sends()).toEqual([{ t: 'send', sid: a, text: 'one', after: 3 }]);
    t.last().push({ t: 'ack', sid: a, seq: 4 });
    expect(t.stored).toEqual([[a, 4]]);
    expect(
      t
        .last()
        .sends()
        .map((f) => f.t === 'send' && f.sid),
    ).toEqual([a, b]);
  });

  it('never shows a seq twice, and resumes from the last one it showed when a seq is skipped', () => {
    const t = setup();
    t.join(1, [1]);
    t.last().push(msg(2));
    t.last().push(msg(2));
    expect(t.session.duplicateFrames).toBe(1);
    t.last().push(msg(4));
    expect(t.session.gaps).toBe(1);
    expect(t.shown.map((m) => m.seq)).toEqual([1, 2]);
    vi.advanceTimersByTime(1);
    expect(t.sockets).toHaveLength(2);
    expect(t.last().after).toBe(2);
    expect(t.session.reconnects).toBe(1);
  });

  it('resends the message in flight after a reconnect with the same sid and after, once the catch-up is over', () => {
    const t = setup();
    t.join(5, [5]);
    const sid = t.session.send('hello');
    t.sockets[0]!.push(msg(6, 'someone-else'));
    t.sockets[0]!.onclose?.({});
    vi.advanceTimersByTime(1);
    const s2 = t.last();
    expect(s2.after).toBe(6);
    s2.push({ t: 'welcome', room: 'r', nick: 'n', server: 'backend2', head: 6 });
    expect(s2.sends()).toEqual([]); // not before the catch-up is over
    s2.push({ t: 'ready', head: 6 });
    expect(s2.sends()).toEqual([{ t: 'send', sid, text: 'hello', after: 5 }]);
  });

  it('takes its own message seen in the room as stored, without the ack', () => {
    const t = setup();
    t.join(0);
    const sid = t.session.send('x');
    t.sockets[0]!.onclose?.({});
    vi.advanceTimersByTime(1);
    t.last().push({ t: 'welcome', room: 'r', nick: 'n', server: 'b', head: 1 });
    t.last().push(msg(1, sid));
    t.last().push({ t: 'ready', head: 1 });
    expect(t.stored).toEqual([[sid, 1]]);
    expect(t.last().sends()).toEqual([]);
    expect(t.session.unsent).toBe(0);
  });

  it('retries a rate-limited or unavailable send after the time it was told, and drops an invalid one', () => {
    const failed: string[] = [];
    const t = setup({ onFailed: (sid, code) => failed.push(`${sid} ${code}`) });
    t.join(0);
    const sid = t.session.send('x');
    t.last().push({ t: 'nack', sid, code: 'rate-limited', message: 'slow down', retryAfterMs: 250 });
    vi.advanceTimersByTime(249);
    expect(t.last().sends()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.last().sends()).toHaveLength(2);
    t.last().push({ t: 'nack', sid, code: 'invalid', message: 'too long' });
    expect(failed).toEqual([`${sid} invalid`]);
    expect(t.session.unsent).toBe(0);
  });

  it('reconnects when the server goes silent (a dead host sends no close), and pings while it waits', () => {
    const t = setup();
    t.join(0);
    vi.advanceTimersByTime(200);
    expect(t.sockets[0]!.sent.filter((f) => f.t === 'ping').length).toBeGreaterThanOrEqual(1);
    vi.advanceTimersByTime(300);
    expect(t.sockets[0]!.closed).toBe(true);
    expect(t.sockets.length).toBe(2);
    expect(t.last().after).toBe(0);
  });

  it('backs off when connections keep failing, and stops for good on close()', () => {
    const t = setup({ backoff: { minMs: 100, maxMs: 400 } });
    t.sockets[0]!.onerror?.({});
    vi.advanceTimersByTime(0);
    expect(t.sockets).toHaveLength(2);
    t.last().onerror?.({});
    vi.advanceTimersByTime(99);
    expect(t.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(t.sockets).toHaveLength(3);
    t.session.close();
    vi.advanceTimersByTime(10_000);
    expect(t.sockets).toHaveLength(3);
    expect(t.session.state).toBe('closed');
  });
});
