// The chat's WebSocket protocol: JSON text frames, one object each, `t` naming the kind.
// docs/architecture.md#the-chat-protocol.
//
//   GET /chat/ws?room=R&nick=N[&after=S]     opens a connection (a bad room or nick: HTTP 400)
//   server → welcome {room, nick, server, head}
//   server → msg …  the room's messages after S (without `after`: its last `historySize`), in
//                   order, each once, then every new one as it is stored
//   server → ready {head}  everything up to head was sent: the catch-up is over
//   client → send {sid, text, after}  after = the last seq the client had seen when it first
//                   sent this sid; a send is retried with the same sid and after, and stored once
//   server → ack {sid, seq} | nack {sid, code, message, retryAfterMs?}
//   client → ping {n} / server → pong {n}   the client's liveness check (a dead LB or backend
//                   answers nothing: no pong within the timeout means reconnect and resume)
import type { ChatMessage } from './message.js';

/** Messages shown on joining a room without `after`. */
export const historySize = 50;

export type NackCode =
  /** Too many sends on this connection: retry after retryAfterMs. */
  | 'rate-limited'
  /** The cluster could not store it in time (a shard failing over): retry after retryAfterMs, same sid. */
  | 'unavailable'
  /** The send itself is wrong (empty, too long, bad sid): retrying it cannot help. */
  | 'invalid'
  /** `after` is too far behind the room's head for the store to tell whether it was kept: resume, then send anew. */
  | 'too-old';

export type ServerFrame =
  | { t: 'welcome'; room: string; nick: string; server: string; head: number }
  | ({ t: 'msg' } & Omit<ChatMessage, 'room'>)
  | { t: 'ready'; head: number }
  | { t: 'ack'; sid: string; seq: number }
  | { t: 'nack'; sid: string; code: NackCode; message: string; retryAfterMs?: number }
  | { t: 'pong'; n: number }
  | { t: 'error'; message: string };

export type ClientFrame = { t: 'send'; sid: string; text: string; after: number } | { t: 'ping'; n: number };

/** Retryable nacks: the client sends the same sid again after retryAfterMs. */
export const retryable = (code: NackCode): boolean => code === 'rate-limited' || code === 'unavailable';

/** Largest client frame accepted, bytes (a text of textMax characters in JSON, escaped, with room to spare). */
export const maxClientFrameBytes = 8 * 1024;

export class ProtocolError extends Error {}

/** A client frame, or ProtocolError saying what is wrong with it (the fields' own checks are message.ts's). */
export function parseClientFrame(raw: string): ClientFrame {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ProtocolError('a frame must be one JSON object');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError('a frame must be one JSON object');
  const f = v as Record<string, unknown>;
  if (f.t === 'ping') {
    if (typeof f.n !== 'number' || !Number.isSafeInteger(f.n)) throw new ProtocolError('ping needs a whole number n');
    return { t: 'ping', n: f.n };
  }
  if (f.t === 'send') {
    if (typeof f.sid !== 'string' || typeof f.text !== 'string') throw new ProtocolError('send needs sid and text (strings)');
    if (typeof f.after !== 'number' || !Number.isSafeInteger(f.after) || f.after < 0) {
      throw new ProtocolError('send needs after: the last seq seen when this sid was first sent');
    }
    return { t: 'send', sid: f.sid, text: f.text, after: f.after };
  }
  throw new ProtocolError('t must be send or ping');
}

export const messageFrame = (m: ChatMessage): ServerFrame => ({
  t: 'msg',
  seq: m.seq,
  sid: m.sid,
  author: m.author,
  text: m.text,
  at: m.at,
});
