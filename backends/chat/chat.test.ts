// The chat end to end on loopback: two backends (the app, its WebSocket endpoint, their own
// cluster clients) on one real Redis Cluster, and clients that are the page's own session code
// over real WebSockets. A message sent through one backend reaches the room on the other (sharded
// pub/sub), a client whose backend dies resumes on the other with nothing missing or twice, a
// retried HTTP send is stored once, and bad input gets its 4xx.
import { serve, type ServerType } from '@hono/node-server';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ClusterLab } from '../../scripts/testing/cluster-lab.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../scripts/testing/prerequisites.js';
import { until } from '../../scripts/testing/redis-lab.js';
import { createChatClients } from './clients.js';
import { registerChatRoutes } from './routes.js';
import { ChatService, defaultChatSettings } from './service.js';
import { ChatSession, type ShownMessage, type SocketLike } from './session.js';
import { ChatLoad } from '../../scripts/chat/workload.js';

const missing = await missingPrerequisites(['redis-server', 'redis-cli', 'setpriv']);

interface Backend {
  name: string;
  url: string;
  chat: ChatService;
  server: ServerType;
}

let rooms = 0;
const freshRoom = () => `e2e${Date.now().toString(36)}-${++rooms}`;

describe.skipIf(skipOutsideCi(missing))('the chat on two backends and a real Redis Cluster', () => {
  let lab: ClusterLab;
  const backends: Backend[] = [];
  const sessions: ChatSession[] = [];

  const start = async (name: string): Promise<Backend> => {
    const clients = createChatClients(lab.clientSettings({ commandTimeoutMs: 1000 }));
    for (const c of [clients.primary, clients.subscriber]) c.on('error', () => undefined);
    await until('the cluster client to be ready', async () => clients.primary.status === 'ready');
    const chat = new ChatService(clients, name, {
      ...defaultChatSettings,
      store: { ...defaultChatSettings.store, writeDeadlineMs: 8000, commandTimeoutMs: 1000, waitMs: 200 },
    });
    const app = new Hono();
    registerChatRoutes(app, chat);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    (server as Server).on('upgrade', (req, socket, head) => {
      if (!chat.upgrade(req, socket, head)) socket.destroy();
    });
    await new Promise((r) => server.once('listening', r));
    const b = { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, chat, server };
    backends.push(b);
    return b;
  };

  const stopBackend = async (b: Backend) => {
    b.chat.close();
    await new Promise((r) => b.server.close(r));
    b.chat.clients.primary.disconnect();
    b.chat.clients.subscriber.disconnect();
  };

  /** A client of the room whose every connection goes to `pick()` (the LB's choice, here the test's). */
  const client = (pick: () => Backend, room: string, nick: string) => {
    const shown: ShownMessage[] = [];
    const servers: string[] = [];
    const s = new ChatSession({
      open: (after) => {
        const q = new URLSearchParams({ room, nick, ...(after === undefined ? {} : { after: String(after) }) });
        return new WebSocket(`${pick().url.replace('http', 'ws')}/chat/ws?${q}`) as unknown as SocketLike;
      },
      pingIntervalMs: 100,
      silenceMs: 1000,
      onMessage: (m) => shown.push(m),
      onWelcome: (w) => servers.push(w.server),
    });
    sessions.push(s);
    return { s, shown, servers, live: () => until(`${nick} to be live`, async () => s.state === 'live', 10_000) };
  };

  beforeAll(async () => {
    failUnderCi(missing);
    lab = await ClusterLab.start();
    await start('backend1');
    await start('backend2');
  }, 90_000);
  afterAll(async () => {
    for (const s of sessions) s.close();
    for (const b of backends) await stopBackend(b).catch(() => undefined);
    await lab?.stop();
  });

  it('delivers a message sent through one backend to the room on the other, in order, each once', async () => {
    const room = freshRoom();
    const [b1, b2] = backends as [Backend, Backend];
    const alice = client(() => b1, room, 'alice');
    const bob = client(() => b2, room, 'bob');
    await Promise.all([alice.live(), bob.live()]);
    for (let i = 0; i < 20; i++) (i % 2 ? bob : alice).s.send(`hello ${i}`);
    await until('both to see all 20', async () => alice.shown.length === 20 && bob.shown.length === 20, 15_000);
    for (const c of [alice, bob]) expect(c.shown.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(alice.shown.map((m) => m.sid)).toEqual(bob.shown.map((m) => m.sid));
    expect(alice.servers).toEqual(['backend1']);
    expect(bob.servers).toEqual(['backend2']);
    // A late joiner sees the room's last messages.
    const carol = client(() => b2, room, 'carol');
    await carol.live();
    expect(carol.shown.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, 30_000);

  it('resumes a client whose backend died on the other backend: nothing missing, nothing twice', async () => {
    const room = freshRoom();
    const b3 = await start('backend3');
    const [b1] = backends as [Backend];
    let target: Backend = b3;
    const alice = client(() => target, room, 'alice');
    const bob = client(() => b1, room, 'bob');
    await Promise.all([alice.live(), bob.live()]);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < 60) bob.s.send(`from bob ${sent++}`);
      if (sent % 3 === 0) alice.s.send(`from alice ${sent}`);
    }, 20);
    await until('some messages', async () => alice.shown.length > 10, 10_000);
    // backend3 dies (its sockets closed, its cluster clients gone): the "LB" now sends alice to backend1.
    target = b1;
    await stopBackend(b3);
    await until('bob to have sent 60', async () => sent >= 60, 20_000);
    clearInterval(timer);
    await until(
      'both to agree',
      async () => alice.s.unsent === 0 && bob.s.unsent === 0 && alice.shown.length === bob.shown.length && alice.shown.length > 60,
      20_000,
    );
    const seqs = alice.shown.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(bob.shown.map((m) => m.sid)).toEqual(alice.shown.map((m) => m.sid));
    expect(new Set(alice.shown.map((m) => m.sid)).size).toBe(seqs.length);
    expect(alice.s.reconnects).toBeGreaterThanOrEqual(1);
    expect(alice.servers.at(-1)).toBe('backend1');
  }, 60_000);

  it('stores a retried HTTP send once, and answers bad input with a clear 4xx', async () => {
    const room = freshRoom();
    const [b1, b2] = backends as [Backend, Backend];
    const post = (b: Backend, body: unknown) =>
      fetch(`${b.url}/api/chat/rooms/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const m = { nick: 'dave', text: 'once', sid: 'retry-me-123', after: 0 };
    const first = await post(b1, m);
    expect(first.status).toBe(201);
    const again = await post(b2, m);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ seq: 1, sid: m.sid, replayed: true });
    const log = (await (await fetch(`${b2.url}/api/chat/rooms/${room}/messages?after=0`)).json()) as { messages: unknown[] };
    expect(log.messages).toHaveLength(1);
    expect((await post(b1, { ...m, sid: 'x'.repeat(80) })).status).toBe(400);
    expect((await post(b1, { ...m, sid: 'another-one', text: 'x'.repeat(501) })).status).toBe(400);
    expect((await fetch(`${b1.url}/api/chat/rooms/NOT_A_ROOM/messages`)).status).toBe(400);
    const info = (await (await fetch(`${b1.url}/api/chat/rooms/${room}`)).json()) as { users: unknown };
    expect(info.users).toEqual([{ nick: 'dave', messages: 1 }]);
    // The WebSocket refuses a bad room or nickname before the upgrade.
    const status = await new Promise<number>((resolve, reject) => {
      const req = get(`${b1.url}/chat/ws?room=${room}&nick=%7Bbad%7D`, {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolve(101);
      });
      req.on('error', reject);
    });
    expect(status).toBe(400);
  }, 30_000);

  it('runs the fault workload end to end: every message stored once, shown to the room in order, latency measured', async () => {
    const [b1] = backends as [Backend];
    const load = new ChatLoad({
      base: b1.url,
      rooms: 5,
      clientsPerRoom: 2,
      ratePerSecond: 40,
      roomPrefix: freshRoom(),
      maxDurationMs: 20_000,
    });
    await load.waitJoined();
    await until('80 messages sent', async () => load.sentCount >= 80, 15_000);
    const o = await load.stop();
    expect(o.cost.totals.sent).toBeGreaterThanOrEqual(80);
    expect(o.cost.totals.acknowledged).toBe(o.cost.totals.sent);
    expect(o.cost.totals.delivered).toBe(o.cost.totals.sent);
    expect([o.cost.totals.lost, o.cost.totals.duplicated, o.cost.totals.reordered]).toEqual([0, 0, 0]);
    expect(o.cost.latencyMs.samples).toBe(o.cost.totals.delivered);
    expect(o.cost.latencyMs.p99).toBeGreaterThan(0);
    expect(o.logs.reduce((a, [, e]) => a + e.length, 0)).toBe(o.cost.totals.sent);
  }, 30_000);
});
