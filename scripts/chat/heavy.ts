// `hakit chat load --users 200 --heavy 1`: users chatting in rooms through the VIP, the heavy ones
// writing 100× the average of the others (the course's "Lady Gaga effect"), and where the heavy
// users' messages landed: per primary, from the cluster's slot map (spread.ts).
import { ChatLoad, type ChatObservation } from './workload.js';

export interface HeavyLoadOptions {
  base: string;
  users: number;
  heavy: number;
  rooms: number;
  /** Messages the heavy users send in all (the others send a hundredth as many each). */
  heavyMessages: number;
  /** Connections each heavy user writes through (one connection is held to its rate limit). */
  heavyConnections: number;
  ratePerSecond: number;
  maxDurationMs: number;
  log?: (line: string) => void;
}

export interface HeavyLoadResult {
  observation: ChatObservation;
  /** The heavy users' stored messages: room and seq. */
  heavyMessages: { room: string; seq: number }[];
  otherMessages: { room: string; seq: number }[];
  heavyNicks: string[];
}

/**
 * Room i (1-based) holds the light users u with u mod rooms = i − 1; every heavy user writes in
 * room 1 through all its connections: the worst case for a shard key, one room and one writer.
 */
export async function runHeavyLoad(o: HeavyLoadOptions): Promise<HeavyLoadResult> {
  if (o.heavy < 0 || o.heavy >= o.users) throw new Error('--heavy must be at least 0 and less than --users');
  const light = o.users - o.heavy;
  const heavyNicks = Array.from({ length: o.heavy }, (_, i) => `gaga${i + 1}`);
  // Clients per room: the light users of the room, and in room 1 the heavy users' connections too.
  const members: { room: number; nick: string; weight: number }[][] = Array.from({ length: o.rooms }, () => []);
  for (let u = 0; u < light; u++) members[u % o.rooms]!.push({ room: u % o.rooms, nick: `user${u + 1}`, weight: 1 });
  for (const nick of heavyNicks)
    for (let c = 0; c < o.heavyConnections; c++) members[0]!.push({ room: 0, nick, weight: 100 / o.heavyConnections });
  const totalWeight = light + 100 * o.heavy;
  const maxMessages = Math.ceil((o.heavyMessages * totalWeight) / Math.max(1, 100 * o.heavy));
  const load = new ChatLoad({
    base: o.base,
    rooms: o.rooms,
    clientsPerRoom: (r) => members[r]!.length,
    weightOf: (r, c) => members[r]![c]!.weight,
    nickOf: (r, c) => members[r]![c]!.nick,
    ratePerSecond: o.ratePerSecond,
    roomPrefix: `load${Date.now().toString(36)}`,
    maxMessages,
    maxDurationMs: o.maxDurationMs,
    // A load, not a fault: liveness checked at the page's pace.
    pingMs: 1000,
    silenceMs: 5000,
    log: o.log,
  });
  await load.waitJoined(60_000);
  o.log?.(
    `${o.users} users (${o.heavy} heavy, ${o.heavyConnections} connections each) in ${o.rooms} rooms: sending ${maxMessages} messages at ${o.ratePerSecond}/s`,
  );
  const started = Date.now();
  let lastSaid = 0;
  while (load.sentCount < maxMessages && Date.now() - started < o.maxDurationMs) {
    await new Promise((r) => setTimeout(r, 250));
    if (Date.now() - lastSaid > 5000) {
      lastSaid = Date.now();
      o.log?.(`  ${load.sentCount}/${maxMessages} sent`);
    }
  }
  const observation = await load.stop(30_000);
  const heavyMessages: HeavyLoadResult['heavyMessages'] = [];
  const otherMessages: HeavyLoadResult['otherMessages'] = [];
  for (const c of observation.clients) {
    const nick = c.name.slice(c.name.indexOf('/') + 1).replace(/#\d+$/, '');
    for (const s of c.sends)
      if (s.seq !== undefined) (heavyNicks.includes(nick) ? heavyMessages : otherMessages).push({ room: c.room, seq: s.seq });
  }
  return { observation, heavyMessages, otherMessages, heavyNicks };
}
