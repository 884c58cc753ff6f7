// What a fault cost a chat, message by message and room by room: every client's sends and what
// it was shown, checked against the rooms' final logs. docs/architecture.md#chat-through-a-fault.
//
//  - lost: a send acknowledged as stored but missing from the room's log, or a message of the log
//    that a client in the room all along was never shown;
//  - duplicated: a send id stored at two seqs, or a message shown twice to one client;
//  - reordered: a client shown seqs out of order, or a sender's messages stored out of the order
//    it sent them (it sends one at a time, so each must land after the one before);
//  - delivery latency: from the send (the user pressing Send) until another client shows it.
import type { OperationTally } from '../faults/cost.js';

export interface ClientSend {
  sid: string;
  /** When the user asked to send it, ms (the clock of the process that runs every client). */
  at: number;
  /** Where it was stored, from its ack (or from seeing it in the room). */
  seq?: number;
  /** Given up on: retrying could not help (invalid, too old). */
  failed?: string;
}

export interface ClientShown {
  seq: number;
  sid: string;
  /** When this client showed it, ms. */
  at: number;
}

export interface ClientRecord {
  name: string;
  room: string;
  /** The room's last seq when this client's first catch-up ended: it must be shown everything after. */
  startedAfter: number;
  sends: ClientSend[];
  shown: ClientShown[];
  reconnects: number;
  /** Each time the connection was lost: when, and when the next connection was live again (undefined: never). */
  outages: { lostAt: number; liveAt?: number }[];
  /** Frames the server sent twice or out of turn (the session did not show them twice, but the server sent them). */
  duplicateFrames: number;
  gaps: number;
}

export interface RoomLogEntry {
  seq: number;
  sid: string;
}

export interface RoomCost {
  room: string;
  sent: number;
  acknowledged: number;
  /** Messages shown to clients other than their sender. */
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Lost and duplicated, each with the sid and where (for the report's details). */
  problems: string[];
}

export interface ChatCost {
  rooms: RoomCost[];
  totals: Omit<RoomCost, 'room' | 'problems'>;
  latencyMs: { p50: number; p99: number; max: number; samples: number };
  reconnects: number;
  /** Time from losing a connection to being live again, ms: each client's longest, summarized. */
  resumeMs: { p50: number; max: number; clients: number };
  /** Sends never stored by the end (still retrying when the run stopped). */
  unsettled: number;
  failedSends: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function checkChat(clients: ClientRecord[], logs: Map<string, RoomLogEntry[]>): ChatCost {
  const byRoom = new Map<string, ClientRecord[]>();
  for (const c of clients) byRoom.set(c.room, [...(byRoom.get(c.room) ?? []), c]);
  const rooms: RoomCost[] = [];
  const latencies: number[] = [];
  for (const [room, members] of [...byRoom].sort(([a], [b]) => a.localeCompare(b))) {
    const log = logs.get(room) ?? [];
    const problems: string[] = [];
    const seqsOfSid = new Map<string, number[]>();
    for (const e of log) seqsOfSid.set(e.sid, [...(seqsOfSid.get(e.sid) ?? []), e.seq]);
    const sentAt = new Map<string, { at: number; by: string }>();
    let sent = 0,
      acknowledged = 0,
      delivered = 0,
      lost = 0,
      duplicated = 0,
      reordered = 0;
    for (const [sid, seqs] of seqsOfSid) {
      if (seqs.length > 1) {
        duplicated += seqs.length - 1;
        problems.push(`sid ${sid} stored ${seqs.length} times (seqs ${seqs.join(', ')})`);
      }
    }
    for (const c of members) {
      let prevSeq = 0;
      for (const s of c.sends) {
        sent++;
        sentAt.set(s.sid, { at: s.at, by: c.name });
        if (s.seq === undefined) continue;
        acknowledged++;
        const stored = seqsOfSid.get(s.sid);
        if (!stored) {
          lost++;
          problems.push(`${c.name}: sid ${s.sid} acknowledged at seq ${s.seq}, not in the log`);
        } else if (!stored.includes(s.seq)) {
          problems.push(`${c.name}: sid ${s.sid} acknowledged at seq ${s.seq}, stored at ${stored.join(', ')}`);
          reordered++;
        }
        if (s.seq <= prevSeq) {
          reordered++;
          problems.push(`${c.name}: sid ${s.sid} stored at ${s.seq}, before its previous send (${prevSeq})`);
        }
        prevSeq = Math.max(prevSeq, s.seq);
      }
    }
    for (const c of members) {
      const seen = new Set<number>();
      let prev = c.startedAfter;
      for (const m of c.shown) {
        if (seen.has(m.seq)) {
          duplicated++;
          problems.push(`${c.name}: seq ${m.seq} shown twice`);
          continue;
        }
        seen.add(m.seq);
        if (m.seq <= prev) {
          reordered++;
          problems.push(`${c.name}: seq ${m.seq} shown after ${prev}`);
        }
        prev = Math.max(prev, m.seq);
        const origin = sentAt.get(m.sid);
        if (origin && origin.by !== c.name && m.seq > c.startedAfter) {
          delivered++;
          latencies.push(m.at - origin.at);
        }
      }
      for (const e of log) {
        if (e.seq > c.startedAfter && !seen.has(e.seq)) {
          lost++;
          problems.push(`${c.name}: seq ${e.seq} (sid ${e.sid}) never shown`);
        }
      }
    }
    rooms.push({ room, sent, acknowledged, delivered, lost, duplicated, reordered, problems });
  }
  latencies.sort((a, b) => a - b);
  const worstResume = clients
    .map((c) => Math.max(0, ...c.outages.map((o) => (o.liveAt ?? Number.POSITIVE_INFINITY) - o.lostAt)))
    .filter((ms) => ms > 0)
    .sort((a, b) => a - b);
  const sum = (k: keyof Omit<RoomCost, 'room' | 'problems'>) => rooms.reduce((a, r) => a + r[k], 0);
  return {
    rooms,
    totals: {
      sent: sum('sent'),
      acknowledged: sum('acknowledged'),
      delivered: sum('delivered'),
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      reordered: sum('reordered'),
    },
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0, samples: latencies.length },
    reconnects: clients.reduce((a, c) => a + c.reconnects, 0),
    resumeMs: { p50: percentile(worstResume, 50), max: worstResume.at(-1) ?? 0, clients: worstResume.length },
    unsettled: clients.reduce((a, c) => a + c.sends.filter((s) => s.seq === undefined && !s.failed).length, 0),
    failedSends: clients.reduce((a, c) => a + c.sends.filter((s) => s.failed).length, 0),
  };
}

/** The cost as the fault catalogue's tally (scripts/faults/cost.ts). */
export function chatTally(cost: ChatCost): OperationTally {
  return {
    acknowledged: cost.totals.acknowledged,
    failed: cost.failedSends,
    unknown: cost.unsettled,
    lost: cost.totals.lost,
    doubled: cost.totals.duplicated,
    reordered: cost.totals.reordered,
  };
}
