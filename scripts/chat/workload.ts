// The chat as a workload: rooms chatting through the VIP over WebSockets, every client a
// ChatSession (the page's own client code), every send and every message shown recorded, and the
// rooms' logs read back at the end for the checker (checker.ts). The tour and `hakit chat load`
// run it; a fault is paired with it, never written for it (faults/workload.ts).
import { WebSocket } from 'ws';
import { ChatSession, type SocketLike } from '../../backends/chat/session.js';
import type { Workload } from '../faults/workload.js';
import { assertKitAddress } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls } from '../stack/topology.js';
import { chatTally, checkChat, type ChatCost, type ClientRecord, type RoomLogEntry } from './checker.js';

export interface ChatLoadOptions {
  /** http://HOST[:PORT] the chat is served on (the VIP). */
  base: string;
  /** Where a client connects instead, asked at each (re)connect (the loopback bench: two backends, no LB). */
  baseFor?: (room: number, client: number) => string;
  rooms: number;
  /** Clients in each room (a number for all, or per room index). */
  clientsPerRoom: number | ((room: number) => number);
  /** Messages per second over all rooms. */
  ratePerSecond: number;
  /** Room names are PREFIX-1 … PREFIX-N (a run of its own starts on fresh rooms). */
  roomPrefix: string;
  /** Who writes: by default every client alike; `writer` picks a client's share (the heavy user writes 100×). */
  weightOf?: (room: number, client: number) => number;
  nickOf?: (room: number, client: number) => string;
  /** Stop sending after this many messages (undefined: until stop()). */
  maxMessages?: number;
  /** The sessions' liveness check: ping every `pingMs`, reconnect after `silenceMs` without a frame. */
  pingMs?: number;
  silenceMs?: number;
  /** Runs stop by themselves after this long, ms. */
  maxDurationMs: number;
  /** Called for each line worth saying (progress). */
  log?: (line: string) => void;
}

interface Client {
  record: ClientRecord;
  session: ChatSession;
  weight: number;
  liveOnce: boolean;
  /** Its sends by sid, for the acks. */
  sends: Map<string, ClientRecord['sends'][number]>;
}

export interface ChatObservation {
  clients: ClientRecord[];
  logs: [room: string, entries: RoomLogEntry[]][];
  /** The same, checked. */
  cost: ChatCost;
  sentPerSecond: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The room's whole log through the API (GET …/messages?after=N, 500 at a time). */
export async function readRoomLog(base: string, room: string, signal?: AbortSignal): Promise<RoomLogEntry[]> {
  const out: RoomLogEntry[] = [];
  for (let after = 0; ;) {
    const r = await fetch(`${base}/api/chat/rooms/${room}/messages?after=${after}&limit=500`, {
      signal: signal ?? AbortSignal.timeout(5000),
    });
    if (!r.ok) throw new Error(`GET ${room} messages after ${after}: HTTP ${r.status}`);
    const { messages } = (await r.json()) as { messages: RoomLogEntry[] };
    out.push(...messages.map((m) => ({ seq: m.seq, sid: m.sid })));
    if (messages.length < 500) return out;
    after = messages.at(-1)!.seq;
  }
}

export class ChatLoad {
  private readonly clients: Client[] = [];
  private readonly started = Date.now();
  private sent = 0;
  private sending = true;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly deadline: ReturnType<typeof setTimeout>;
  private readonly rooms: string[];
  private cursor = 0;

  constructor(private readonly o: ChatLoadOptions) {
    const ws = (r: number, c: number) => (o.baseFor?.(r, c) ?? o.base).replace(/^http/, 'ws');
    this.rooms = Array.from({ length: o.rooms }, (_, i) => `${o.roomPrefix}-${i + 1}`);
    for (const [r, room] of this.rooms.entries()) {
      const count = typeof o.clientsPerRoom === 'number' ? o.clientsPerRoom : o.clientsPerRoom(r);
      for (let c = 0; c < count; c++) {
        const nick = o.nickOf?.(r, c) ?? `u${r + 1}-${c + 1}`;
        const record: ClientRecord = {
          name: `${room}/${nick}#${c + 1}`,
          room,
          startedAfter: 0,
          sends: [],
          shown: [],
          reconnects: 0,
          outages: [],
          duplicateFrames: 0,
          gaps: 0,
        };
        const sendAt = new Map<string, ClientRecord['sends'][number]>();
        const client = { record, weight: o.weightOf?.(r, c) ?? 1, liveOnce: false, sends: sendAt } as Client;
        client.session = new ChatSession({
          open: (after) => {
            const q = new URLSearchParams({ room, nick, ...(after === undefined ? {} : { after: String(after) }) });
            return new WebSocket(`${ws(r, c)}/chat/ws?${q}`, { handshakeTimeout: 2000 }) as unknown as SocketLike;
          },
          pingIntervalMs: o.pingMs ?? 250,
          silenceMs: o.silenceMs ?? 750,
          connectTimeoutMs: 2000,
          onMessage: (m) => record.shown.push({ seq: m.seq, sid: m.sid, at: Date.now() }),
          onStored: (sid, seq) => {
            const s = sendAt.get(sid);
            if (s) s.seq = seq;
          },
          onFailed: (sid, code) => {
            const s = sendAt.get(sid);
            if (s) s.failed = code;
          },
          onState: (state) => {
            const open = record.outages.at(-1);
            if (state === 'live') {
              if (!client.liveOnce) {
                client.liveOnce = true;
                record.startedAfter = client.session.lastSeq ?? 0;
              } else if (open && open.liveAt === undefined) open.liveAt = Date.now();
            } else if (state === 'connecting' && client.liveOnce && (!open || open.liveAt !== undefined)) {
              record.outages.push({ lostAt: Date.now() });
            }
          },
        });
        this.clients.push(client);
      }
    }
    // Sends are spread over the clients by weight, paced at the rate (the weights decide who).
    const tickMs = 20;
    let credit = 0;
    const total = this.clients.reduce((a, c) => a + c.weight, 0);
    const weights = this.clients.map((c) => c.weight / total);
    const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((a, b) => a + b, 0));
    this.ticker = setInterval(() => {
      if (!this.sending) return;
      credit += (o.ratePerSecond * tickMs) / 1000;
      while (credit >= 1) {
        credit -= 1;
        if (o.maxMessages !== undefined && this.sent >= o.maxMessages) {
          this.sending = false;
          return;
        }
        // A low-discrepancy walk over the weights: every client gets its share, in an even rhythm.
        this.cursor = (this.cursor + 0.6180339887498949) % 1;
        const i = Math.min(
          this.clients.length - 1,
          cumulative.findIndex((c) => c >= this.cursor),
        );
        const client = this.clients[i]!;
        if (client.session.state !== 'live' || client.session.unsent > 2) continue;
        const at = Date.now();
        const sid = client.session.send(`${client.record.name} #${client.record.sends.length + 1}`);
        const s = { sid, at };
        client.record.sends.push(s);
        client.sends.set(sid, s);
        this.sent++;
      }
    }, tickMs);
    this.deadline = setTimeout(() => void this.stop(), o.maxDurationMs);
    this.deadline.unref();
  }

  /** Every client has been live once (joined its room). */
  async waitJoined(ms = 30_000): Promise<void> {
    const until = Date.now() + ms;
    while (this.clients.some((c) => !c.liveOnce)) {
      if (Date.now() > until)
        throw new Error(`${this.clients.filter((c) => !c.liveOnce).length} chat clients did not join within ${ms} ms`);
      await sleep(50);
    }
  }

  get sentCount(): number {
    return this.sent;
  }

  get records(): ClientRecord[] {
    return this.clients.map((c) => c.record);
  }

  private stopped?: Promise<ChatObservation>;

  /** Stops sending, lets every send settle and every client catch up (bounded), reads the logs, closes. */
  stop(settleMs = 15_000): Promise<ChatObservation> {
    this.stopped ??= this.finish(settleMs);
    return this.stopped;
  }

  private async finish(settleMs: number): Promise<ChatObservation> {
    this.sending = false;
    clearInterval(this.ticker);
    clearTimeout(this.deadline);
    const durationMs = Date.now() - this.started;
    const until = Date.now() + settleMs;
    let logs: [string, RoomLogEntry[]][] = [];
    for (;;) {
      const unsent = this.clients.some((c) => c.session.unsent > 0);
      if (!unsent) {
        logs = await Promise.all(this.rooms.map(async (r) => [r, await readRoomLog(this.o.base, r)] as [string, RoomLogEntry[]])).catch(
          () => [],
        );
        const heads = new Map(logs.map(([r, e]) => [r, e.at(-1)?.seq ?? 0]));
        if (logs.length && this.clients.every((c) => (c.session.lastSeq ?? 0) >= (heads.get(c.record.room) ?? 0))) break;
      }
      if (Date.now() > until) {
        this.o.log?.(
          `chat load: not settled within ${settleMs} ms (${this.clients.filter((c) => c.session.unsent > 0).length} clients with unsent messages)`,
        );
        if (!logs.length)
          logs = await Promise.all(this.rooms.map(async (r) => [r, await readRoomLog(this.o.base, r)] as [string, RoomLogEntry[]]));
        break;
      }
      await sleep(100);
    }
    for (const c of this.clients) {
      c.record.reconnects = c.session.reconnects;
      c.record.duplicateFrames = c.session.duplicateFrames;
      c.record.gaps = c.session.gaps;
      c.session.close();
    }
    const clients = this.records;
    return { clients, logs, cost: checkChat(clients, new Map(logs)), sentPerSecond: this.sent / (durationMs / 1000), durationMs };
  }
}

let runs = 0;

/** The chat through the VIP as the fault catalogue's workload: 100 rooms, 2 clients each, 50 messages/s. */
export function chatWorkload(
  o: Partial<Pick<ChatLoadOptions, 'rooms' | 'clientsPerRoom' | 'ratePerSecond' | 'pingMs' | 'silenceMs'>> = {},
): Workload<ChatObservation> {
  return {
    name: 'chat',
    start(rt: Runtime, { maxDurationMs }) {
      const base = urls(rt.topology).vip.replace(/\/$/, '');
      assertKitAddress(base, rt.topology);
      const load = new ChatLoad({
        base,
        rooms: o.rooms ?? 100,
        clientsPerRoom: o.clientsPerRoom ?? 2,
        ratePerSecond: o.ratePerSecond ?? 50,
        roomPrefix: `w${Date.now().toString(36)}${++runs}`,
        maxDurationMs,
        ...(o.pingMs ? { pingMs: o.pingMs } : {}),
        ...(o.silenceMs ? { silenceMs: o.silenceMs } : {}),
      });
      const records: ChatObservation[] = [];
      return {
        records,
        stop: async () => {
          records.push(await load.stop());
          return records;
        },
      };
    },
    tally: (records) => chatTally(records[0]?.cost ?? checkChat([], new Map())),
  };
}
