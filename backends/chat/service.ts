// The chat on one backend: the store, the feeds, the WebSocket endpoint (/chat/ws) and its
// connections. The HTTP routes are routes.ts; the page, page.ts. docs/architecture.md#the-chat.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Cluster } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChatConnection, defaultConnectionSettings, type ConnectionSettings } from './connection.js';
import { ChatHub, defaultHubSettings, type HubSettings } from './hub.js';
import { InvalidInput, parseNick, parseRoom, parseSeq } from './message.js';
import { maxClientFrameBytes } from './protocol.js';
import { ChatStore, defaultStoreSettings, type StoreSettings } from './store.js';

export const chatSocketPath = '/chat/ws';

export interface ChatSettings {
  store: StoreSettings;
  hub: HubSettings;
  connection: ConnectionSettings;
  /** The server pings each socket this often, and drops one that did not answer the last ping, ms. */
  serverPingMs: number;
}

export const defaultChatSettings: ChatSettings = {
  store: defaultStoreSettings,
  hub: defaultHubSettings,
  connection: defaultConnectionSettings,
  serverPingMs: 15_000,
};

export interface ChatClients {
  /** Reads, writes and SPUBLISH on the primaries. */
  primary: Cluster;
  /** Made with `shardedSubscribers: true`: the rooms' SSUBSCRIBE connections. */
  subscriber: Cluster;
}

/** The upgrade request's room, nick and after, or the message of a 400. */
export function parseJoin(url: string): { room: string; nick: string; after?: number } {
  const q = new URL(url, 'http://x').searchParams;
  const room = parseRoom(q.get('room'));
  const nick = parseNick(q.get('nick'));
  const a = q.get('after');
  return { room, nick, ...(a === null || a === '' ? {} : { after: parseSeq(a) }) };
}

function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class ChatService {
  readonly store: ChatStore;
  readonly hub: ChatHub;
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxClientFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  private readonly connections = new Map<WebSocket, ChatConnection>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly pinger: ReturnType<typeof setInterval>;
  private draining = false;

  constructor(
    readonly clients: ChatClients,
    private readonly serverName: string,
    readonly s: ChatSettings = defaultChatSettings,
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {
    this.store = new ChatStore(clients.primary, s.store);
    this.hub = new ChatHub(this.store, clients.subscriber, clients.primary, s.hub, log);
    // A peer that vanished (its host died) sends no close: the server's own ping finds it.
    this.pinger = setInterval(() => {
      for (const ws of this.connections.keys()) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, s.serverPingMs);
    this.pinger.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Handles an HTTP upgrade if it is the chat's (true), else leaves it alone (false). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== chatSocketPath) return false;
    if (this.draining) {
      refuse(socket, 503, 'Service Unavailable', 'this backend is stopping: connect again');
      return true;
    }
    let join: ReturnType<typeof parseJoin>;
    try {
      join = parseJoin(req.url ?? '');
    } catch (err) {
      refuse(socket, 400, 'Bad Request', err instanceof InvalidInput ? err.message : 'bad request');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, join));
    return true;
  }

  private accept(ws: WebSocket, join: ReturnType<typeof parseJoin>): void {
    const conn = new ChatConnection(
      ws,
      join.room,
      join.nick,
      join.after,
      this.store,
      this.hub,
      this.serverName,
      this.s.connection,
      this.log,
    );
    this.connections.set(ws, conn);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) ws.close(1003, 'text frames only');
      else conn.onText(data.toString());
    });
    ws.on('close', () => {
      this.connections.delete(ws);
      conn.gone();
    });
    ws.on('error', () => ws.terminate());
    conn.start().catch((err) => {
      this.log(`chat: join ${join.room}: ${String(err)}`);
      conn.close(1011, 'the room could not be read: reconnect');
    });
  }

  /** SIGTERM: every socket is told to go elsewhere (1001), so its client reconnects through the LB at once. */
  drain(): void {
    this.draining = true;
    for (const conn of this.connections.values()) conn.close(1001, 'server going away: reconnect');
  }

  close(): void {
    clearInterval(this.pinger);
    this.drain();
    for (const ws of this.connections.keys()) ws.terminate();
    this.hub.close();
    this.wss.close();
  }
}
