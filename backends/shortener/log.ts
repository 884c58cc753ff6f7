// The replicated log: two JetStream streams on the three log nodes (the Kafka topics of the
// course's exercise; docs/architecture.md#the-replicated-log).
//  - LINKS, subjects links.<code>: one event per link. The master publishes; every replica reads
//    it whole on its first start, then follows it. A create is acknowledged once JetStream has
//    stored the event on a majority of the three nodes.
//  - CLICKS, subjects clicks.<backend>: batches of clicks; the master applies them to Postgres.
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  JSONCodec,
  nanos,
  RetentionPolicy,
  StorageType,
  type StoredMsg,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { codeFor } from './code.js';
import type { ShortenerSettings } from './settings.js';

export const LINKS = 'LINKS';
export const CLICKS = 'CLICKS';

export interface LinkEvent {
  code: string;
  url: string;
  createdAt: string;
}

export interface ClickBatch {
  /** The replica that counted them. */
  node: string;
  code: string;
  /** One request id per click: the master counts each id once, whichever replica sent it. */
  ids: string[];
}

const json = JSONCodec();
export const encode = (v: unknown) => json.encode(v);
export const decode = <T>(data: Uint8Array) => json.decode(data) as T;

// Partitions: a JetStream stream is one ordered log (Kafka's single partition): links need no
// more than one (a few thousand a second at most), and one order lets a replica store one
// position. Replicas: 3 (any one node may die). Retention: limits with no age limit (the links
// stream is the links' source of truth; every replica rebuilds from it); clicks are kept a week
// after they are counted. Duplicate window: a retried publish with the same id is stored once.
export const streamConfigs: Array<Partial<StreamConfig> & { name: string }> = [
  {
    name: LINKS,
    subjects: ['links.*'],
    num_replicas: 3,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_msg_size: 8 * 1024,
    duplicate_window: nanos(120_000),
    // Any of the three answers a direct get (a redirect whose link has not reached the replica's
    // Redis yet), not only the leader.
    allow_direct: true,
  },
  {
    name: CLICKS,
    subjects: ['clicks.*'],
    num_replicas: 3,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(7 * 86_400_000),
    max_msg_size: 64 * 1024,
    duplicate_window: nanos(600_000),
  },
];

export async function connectLog(s: ShortenerSettings['nats'], name: string): Promise<NatsConnection> {
  return connect({
    servers: s.servers,
    user: s.user,
    pass: s.password,
    name,
    timeout: 2000,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 2000,
    maxPingOut: 2,
  });
}

/** Creates the streams, or updates them to this config (idempotent). */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const cfg of streamConfigs) {
    try {
      await jsm.streams.info(cfg.name);
      await jsm.streams.update(cfg.name, cfg);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(cfg);
    }
  }
}

export const isNotFound = (err: unknown): boolean => {
  const e = err as { code?: string; api_error?: { code?: number; err_code?: number } };
  return e?.code === '404' || e?.api_error?.code === 404 || /not found/i.test(String((err as Error)?.message));
};

/** JetStream refused a publish because the subject already has a message (expected last sequence 0). */
const isWrongLast = (err: unknown): boolean => {
  const e = err as { api_error?: { err_code?: number } };
  return e?.api_error?.err_code === 10071 || /wrong last sequence/i.test(String((err as Error)?.message));
};

/**
 * The link stored under `code` (undefined: no such code). A redirect reads it from any log node;
 * a create asks the stream's leader (`fromLeader`): a replica a moment behind would say "no such
 * code" for a link just stored, and the create would give its URL a second code.
 */
export async function linkInLog(jsm: JetStreamManager, code: string, fromLeader = false): Promise<LinkEvent | undefined> {
  try {
    // nats.js 2.29 has the direct API on its manager but not on the manager's type.
    const direct = (jsm as JetStreamManager & { direct: { getMessage(stream: string, q: { last_by_subj: string }): Promise<StoredMsg> } })
      .direct;
    const q = { last_by_subj: `links.${code}` };
    const m = await (fromLeader ? jsm.streams.getMessage(LINKS, q) : direct.getMessage(LINKS, q));
    return decode<LinkEvent>(m.data);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Stores the link for `url` and returns it: the same URL returns its existing code. The event is
 * published only if its subject is empty (JetStream's expected-last-subject-sequence 0), so two
 * masters, or a create retried, never store two events for one code; a code held by another URL
 * moves this one to the next candidate.
 */
export async function createLink(
  js: JetStreamClient,
  jsm: JetStreamManager,
  url: string,
  now = new Date(),
): Promise<{ link: LinkEvent; created: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = codeFor(url, attempt);
    const link: LinkEvent = { code, url, createdAt: now.toISOString() };
    try {
      const ack = await js.publish(`links.${code}`, encode(link), {
        msgID: `link-${code}`,
        expect: { lastSubjectSequence: 0 },
        timeout: 5000,
      });
      // A retry within the dedup window is answered with the first publish's ack.
      if (!ack.duplicate) return { link, created: true };
    } catch (err) {
      if (!isWrongLast(err)) throw err;
    }
    const existing = await linkInLog(jsm, code, true);
    if (existing?.url === url) return { link: existing, created: false };
  }
  throw new Error('no free code for this URL after 8 attempts');
}

export { AckPolicy, DeliverPolicy };

/**
 * What may be applied after `position`: the items in sequence order, each exactly one past the
 * one before, up to the first missing sequence (`gap`). A redelivery can arrive after newer
 * messages (a nak, an ack wait run out), so a batch's first sequence alone proves nothing: moving
 * the position to its last would skip whatever is missing in between.
 */
export function nextRun<T extends { seq: number }>(items: T[], position: number): { run: T[]; gap: boolean } {
  const fresh = items.filter((e) => e.seq > position).sort((x, y) => x.seq - y.seq);
  const run: T[] = [];
  let gap = false;
  for (const e of fresh) {
    const last = run.at(-1)?.seq ?? position;
    if (e.seq === last) continue; // delivered twice in one batch
    if (e.seq !== last + 1) {
      gap = true;
      break;
    }
    run.push(e);
  }
  return { run, gap };
}

/** The batch's message with the highest sequence: acknowledging it (AckPolicy.All) acknowledges the batch. */
export const highest = <T extends { seq: number }>(batch: T[]): T => batch.reduce((a, b) => (b.seq > a.seq ? b : a));
