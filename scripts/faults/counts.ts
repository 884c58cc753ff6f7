// What a fault cost the visit counter, per view, checked as Jepsen checks a register: every
// number a view was shown is an acknowledged increment, and the counter's final value must
// account for all of them and for nothing more than the views that may have counted.
// docs/architecture.md#counting-through-a-failover.
import { isSuccess, type ProbeRecord } from '../observe/probe.js';
import { emptyTally, type OperationTally } from './cost.js';

/**
 * How long a data fault's window stays open after the fault for a count to be shown again (the
 * bench's R1: a run that showed none by then is reported as "> 60 s", not recovered).
 */
export const COUNT_CAP_MS = 60_000;

/** The day's counter read from the primary before the first view and after the last one settled. */
export interface CounterReadings {
  before: number;
  after: number;
}

export interface CountTally extends OperationTally {
  /** Page loads that got no page (an error status, a refused or reset connection, a timeout). */
  failedPages: number;
  /** Views whose count was pending or unavailable: they may be missing, never doubled. */
  pending: number;
  /** Longest time between two views that were shown a count, ms. */
  countBlackoutMs: number;
  /**
   * A count was shown after that longest stretch: false when it lasted to the end of the run (the
   * figure is then a lower bound: the bench's "> 60 s").
   */
  countRecovered: boolean;
  /**
   * Longest time between two views that reached Redis (counted, or pending: taken by a primary
   * that no replica acknowledged), ms: how long the client had no primary to write to.
   */
  writeBlackoutMs: number;
  /** The numbers shown more than once (each is an increment lost and re-counted). */
  shownTwice: number[];
}

/**
 * - acknowledged: the view was shown its number (X-Count: counted);
 * - lost: a number shown twice (a failover took an increment back and the next view got the
 *   same number), or shown above the final counter;
 * - doubled: the counter grew by more than the views that may have counted (every view, since a
 *   failed or pending one may still have counted once);
 * - unknown: views that may or may not have counted (pending, unavailable, no page).
 */
export function tallyCounts(records: ProbeRecord[], counter: CounterReadings): CountTally {
  const t = emptyTally();
  const shown = records.filter((r) => isSuccess(r) && r.countState === 'counted' && r.count !== undefined);
  const seen = new Map<number, number>();
  for (const r of shown) seen.set(r.count!, (seen.get(r.count!) ?? 0) + 1);
  const shownTwice = [...seen].filter(([, n]) => n > 1).map(([count]) => count);
  const aboveFinal = [...seen.keys()].filter((c) => c > counter.after).length;
  t.acknowledged = shown.length;
  t.unknown = records.length - shown.length;
  t.failed = records.filter((r) => !isSuccess(r)).length;
  t.lost = shownTwice.reduce((sum, c) => sum + seen.get(c)! - 1, 0) + aboveFinal;
  t.doubled = Math.max(0, counter.after - counter.before - records.length);
  return {
    ...t,
    failedPages: t.failed,
    pending: records.filter((r) => isSuccess(r) && r.countState !== 'counted').length,
    ...countGaps(
      shown.map((r) => r.atMs + r.latencyMs),
      records,
    ),
    writeBlackoutMs: longestGap(
      records.filter((r) => isSuccess(r) && (r.countState === 'counted' || r.countState === 'pending')).map((r) => r.atMs + r.latencyMs),
      records,
    ),
    shownTwice,
  };
}

/** The longest stretch of the run with no count shown, including its two ends. */
function longestGap(shownAt: number[], records: ProbeRecord[]): number {
  return countGaps(shownAt, records).countBlackoutMs;
}

/** The longest stretch with none of `shownAt`, and whether one came after it (it did not reach the run's end). */
function countGaps(shownAt: number[], records: ProbeRecord[]): { countBlackoutMs: number; countRecovered: boolean } {
  if (records.length === 0) return { countBlackoutMs: 0, countRecovered: true };
  const start = Math.min(...records.map((r) => r.atMs));
  const end = Math.max(...records.map((r) => r.atMs + r.latencyMs));
  const marks = [start, ...shownAt.sort((a, b) => a - b), end];
  let gap = 0;
  for (let i = 1; i < marks.length; i++) gap = Math.max(gap, marks[i]! - marks[i - 1]!);
  const trailing = end - marks[marks.length - 2]!;
  return { countBlackoutMs: Math.round(gap), countRecovered: trailing < gap || gap === 0 };
}
