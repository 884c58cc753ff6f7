// What a chat message is, and what the chat accepts from a client: rooms, nicknames, texts and
// send ids, each checked in one place (the page, the WebSocket and the HTTP API share it).
// docs/architecture.md#the-chat.

/** A stored message. `seq` is its id: the room's order, assigned when the message is accepted. */
export interface ChatMessage {
  room: string;
  /** 1, 2, 3, … per room, with no gaps: what a client resumes from. */
  seq: number;
  /** The sender's id for this send: a retried send carries the same one and is stored once. */
  sid: string;
  author: string;
  text: string;
  /** When the backend accepted it, ms since the epoch. */
  at: number;
}

export const limits = {
  /** Characters (UTF-16 code units) of a message; longer ones are refused, never cut. */
  textMax: 500,
  nickMax: 24,
  roomMax: 32,
} as const;

export class InvalidInput extends Error {}

// Lower-case words with digits, - and _: safe in a URL, a key and a channel name, and no braces,
// so a room or a nickname can never open a hash tag of its own in a key (keys.ts).
const roomPattern = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${limits.roomMax - 1}}$`);
// Letters and digits of any script, with space, . _ and -; no control characters, no braces.
const nickPattern = new RegExp(`^[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,${limits.nickMax - 1}}$`, 'u');
const sidPattern = /^[A-Za-z0-9_-]{8,64}$/;
// Every control character but line feed and tab (a message may have several lines).
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

export function parseRoom(raw: unknown): string {
  if (typeof raw !== 'string' || !roomPattern.test(raw)) {
    throw new InvalidInput(`room must be 1–${limits.roomMax} of a-z, 0-9, - and _ (starting with a letter or digit)`);
  }
  return raw;
}

export function parseNick(raw: unknown): string {
  const nick = typeof raw === 'string' ? raw.trim() : '';
  if (!nickPattern.test(nick)) {
    throw new InvalidInput(`nickname must be 1–${limits.nickMax} letters, digits, spaces, . _ or - (starting with a letter or digit)`);
  }
  return nick;
}

export function parseSid(raw: unknown): string {
  if (typeof raw !== 'string' || !sidPattern.test(raw)) throw new InvalidInput('sid must be 8–64 of A-Z, a-z, 0-9, - and _');
  return raw;
}

/** The text as stored: line ends as \n, no trailing whitespace; empty or too long is refused. */
export function parseText(raw: unknown): string {
  if (typeof raw !== 'string') throw new InvalidInput('text must be a string');
  const text = raw.replace(/\r\n?/g, '\n').trimEnd();
  if (!text.trim()) throw new InvalidInput('text is empty');
  if (text.length > limits.textMax) throw new InvalidInput(`text is ${text.length} characters; at most ${limits.textMax}`);
  if (controlChars.test(text)) throw new InvalidInput('text has control characters');
  return text;
}

/** A sequence number a client resumes after: a whole number ≥ 0 (0: from the room's start). */
export function parseSeq(raw: unknown, what = 'after'): number {
  const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new InvalidInput(`${what} must be a whole number ≥ 0`);
  return n;
}
