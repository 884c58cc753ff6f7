// The shortener workload's count: a link created before the window is followed through the VIP at
// the probe's rate (each request a click under HAProxy's own request id), and creates are sent
// every ~100 ms to the master role. A redirect served is a 302; what Postgres holds for the link
// once every batch is applied must equal the redirects served (a timed-out one may or may not
// have been counted). docs/architecture.md#the-url-shortener.
import type { ProbeRecord } from '../observe/probe.js';
import { emptyTally, type OperationTally } from './cost.js';

export interface ShortenerTally extends OperationTally {
  redirects: { total: number; served: number; failed: number; unknown: number };
  creates: { total: number; ok: number; failed: number };
  /** The longest time without an acknowledged create, the window's edges included, ms. */
  createBlackoutMs: number;
  /** Σ clicks Postgres holds for the link, and what is still pending when the count settled. */
  clicks: { counted: number; pending: number };
  /** The faulted replica's catch-up: its follower's caughtUpMs after the fault (null: not observed). */
  catchUpMs: number | null;
  /** How often the faulted replica read the links stream again (U5). */
  rebuilds: number | null;
}

export interface CreateAttempt {
  atMs: number;
  ok: boolean;
}

export interface ShortenerTallyInput {
  records: ProbeRecord[];
  creates: CreateAttempt[];
  window: { startMs: number; endMs: number };
  clicks: { counted: number; pending: number };
  catchUpMs?: number | null;
  rebuilds?: number | null;
}

/** The longest gap between acknowledged creates, counting the window's start and end as edges. */
export function createBlackout(creates: CreateAttempt[], window: { startMs: number; endMs: number }): number {
  const oks = [window.startMs, ...creates.filter((c) => c.ok).map((c) => c.atMs), window.endMs].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < oks.length; i++) longest = Math.max(longest, oks[i]! - oks[i - 1]!);
  return longest;
}

/**
 * What the window cost: a redirect that is not a 302 failed; lost = served − counted, doubled =
 * counted − served − unknown (a request that timed out may have been served and counted).
 */
export function tallyShortener(t: ShortenerTallyInput): ShortenerTally {
  const redirects = { total: 0, served: 0, failed: 0, unknown: 0 };
  for (const r of t.records) {
    redirects.total++;
    if (r.status === 302) redirects.served++;
    else if (r.error === 'ETIMEDOUT') redirects.unknown++;
    else redirects.failed++;
  }
  const ok = t.creates.filter((c) => c.ok).length;
  const tally = emptyTally();
  tally.acknowledged = redirects.served;
  tally.failed = redirects.failed;
  tally.unknown = redirects.unknown;
  tally.lost = Math.max(0, redirects.served - t.clicks.counted);
  tally.doubled = Math.max(0, t.clicks.counted - redirects.served - redirects.unknown);
  return {
    ...tally,
    redirects,
    creates: { total: t.creates.length, ok, failed: t.creates.length - ok },
    createBlackoutMs: Math.round(createBlackout(t.creates, t.window)),
    clicks: t.clicks,
    catchUpMs: t.catchUpMs ?? null,
    rebuilds: t.rebuilds ?? null,
  };
}
