// The chat's HTTP side: the page, its scripts, and a JSON API beside the WebSocket (a room's
// messages after a seq, an idempotent send, rooms and users with their counts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import { apiError, badRequest } from '../api-errors.js';
import { InvalidInput, parseNick, parseRoom, parseSeq, parseSid, parseText } from './message.js';
import { chatPage, pageScript } from './page.js';
import type { ChatService } from './service.js';
import { SendTooOld, StoreUnavailable } from './store.js';
import { blockOf, blockSlot, chatKeys } from './keys.js';

// session.ts as compiled: beside this file in dist/, or in dist/ when this runs from the sources (tests).
function sessionScript(): string | undefined {
  for (const rel of ['./session.js', '../../dist/backends/chat/session.js']) {
    try {
      return readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
    } catch {
      // try the next
    }
  }
  return undefined;
}

function chatError(c: Context, err: unknown): Response {
  if (err instanceof InvalidInput) return badRequest(c, err.message);
  if (err instanceof SendTooOld) return apiError(c, 409, err.message);
  c.header('Retry-After', '1');
  return apiError(c, 503, 'chat storage unavailable', { reason: err instanceof StoreUnavailable ? err.message : String(err) });
}

export function registerChatRoutes(app: Hono, chat: ChatService | undefined): void {
  const session = sessionScript();

  app.get('/chat', (c) => {
    const raw = c.req.query('room');
    if (raw === undefined || raw === '') return c.html(chatPage(undefined));
    try {
      return c.html(chatPage(parseRoom(raw)));
    } catch (err) {
      return c.html(chatPage(undefined, (err as Error).message), 400);
    }
  });
  app.get('/chat/session.js', (c) => {
    if (!session) return apiError(c, 404, 'not built', { fix: 'npm run build' });
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(session);
  });
  app.get('/chat/page.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(pageScript);
  });

  const off = (c: Context) =>
    apiError(c, 503, 'chat not configured', { reason: 'this backend runs without the Redis Cluster (hakit up --with chat)' });
  if (!chat) {
    app.all('/api/chat/*', off);
    app.get('/chat/ws', off);
    return;
  }
  const store = chat.store;

  app.get('/api/chat/rooms', async (c) => {
    try {
      const rooms = await store.rooms();
      const heads = await Promise.all(rooms.map((r) => store.head(r)));
      return c.json({ rooms: rooms.map((room, i) => ({ room, messages: heads[i] })) });
    } catch (err) {
      return chatError(c, err);
    }
  });

  app.get('/api/chat/rooms/:room', async (c) => {
    try {
      const room = parseRoom(c.req.param('room'));
      const head = await store.head(room);
      const blocks = Array.from({ length: blockOf(head + 1) + 1 }, (_, b) => ({
        block: b,
        key: chatKeys.block(room, b),
        slot: blockSlot(room, b),
      }));
      return c.json({ room, messages: head, users: await store.users(room), blocks });
    } catch (err) {
      return chatError(c, err);
    }
  });

  app.get('/api/chat/rooms/:room/messages', async (c) => {
    try {
      const room = parseRoom(c.req.param('room'));
      const limit = Math.min(500, Math.max(1, Number(c.req.query('limit') ?? '100') || 100));
      const a = c.req.query('after');
      const messages = a === undefined ? await store.recent(room, limit) : await store.range(room, parseSeq(a), limit);
      return c.json({ room, messages: messages.map(({ room: _r, ...m }) => m) });
    } catch (err) {
      return chatError(c, err);
    }
  });

  // An HTTP send: the same store, the same idempotency (a retried POST with its sid is stored once).
  app.post('/api/chat/rooms/:room/messages', async (c) => {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null) throw new Error();
    } catch {
      return badRequest(c, 'body must be a JSON object', { expected: '{"nick": "…", "text": "…", "sid": "…", "after": 0}' });
    }
    try {
      const room = parseRoom(c.req.param('room'));
      const m = { sid: parseSid(body.sid), author: parseNick(body.nick), text: parseText(body.text), at: Date.now() };
      // Without `after` the search starts at the room's head: right for a first send, not a retry.
      const head = await store.head(room);
      const after = body.after === undefined ? head : Math.min(parseSeq(body.after), head);
      const r = await store.append(room, m, after);
      chat.hub.announce(r.message);
      const { room: _r, ...stored } = r.message;
      return c.json({ room, ...stored, replayed: !r.fresh }, r.fresh ? 201 : 200);
    } catch (err) {
      return chatError(c, err);
    }
  });

  app.get('/api/chat/users/:nick', async (c) => {
    try {
      const nick = parseNick(decodeURIComponent(c.req.param('nick')));
      const rooms = await store.userRooms(nick);
      return c.json({ nick, rooms, messages: Object.values(rooms).reduce((a, b) => a + b, 0) });
    } catch (err) {
      return chatError(c, err);
    }
  });
}
