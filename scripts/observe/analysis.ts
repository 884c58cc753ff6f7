// What a failover scenario did, computed from its timeline: pure functions over probe records and
// evidence samples, so every figure the demo prints can be unit-tested on synthetic timelines.
import { isSuccess, type ProbeRecord } from './probe.js';

/** Which load balancers held the VIP (and were alive) at one instant. */
export interface VipSample {
  atMs: number;
  holders: string[];
}

export interface Window {
  startMs: number;
  endMs: number;
}

export interface AnalysisInput {
  records: ProbeRecord[];
  window: Window;
  /** When the fault was injected (for a scenario without a fault: any reference instant). */
  faultAtMs: number;
  /** When the runner saw the expected steady state after the fault ("after" shares count from here). */
  settledAtMs?: number;
  /** When the runner started bringing the failed part back inside the window (F8), if it did. */
  restoreAtMs?: number;
  /** The node the fault hit: the "new path" is any answer that avoids it. */
  faultedNode?: string;
  vip: VipSample[];
}

export interface Span {
  fromMs: number;
  toMs: number;
}

export interface ScenarioMetrics {
  requests: number;
  failed: number;
  /** Failed requests that started at or after the fault: what a client arriving later would see. */
  failedNew: number;
  /** Failures by kind: an error code (ECONNREFUSED, ETIMEDOUT…) or "HTTP 503". */
  failures: Record<string, number>;
  /** Longest span in the window with no successful completion, ms. */
  blackoutMs: number;
  blackout: Span | null;
  /** Fault to the first success on the new path (a request started after the fault), ms; null when none. */
  recoveryMs: number | null;
  /** Fault to the first HTTP error page (HAProxy's 503), ms; null when none. */
  firstErrorPageMs: number | null;
  /** Restore to the first success after it, ms; null without a restore or without a success. */
  restoreToSuccessMs: number | null;
  /** Longest span without a successful answer from the restore (or heal) to the window's end, ms. */
  afterRestoreBlackoutMs: number | null;
  vipBefore: string | null;
  vipAfter: string | null;
  /** Time in the window during which two or more load balancers held the VIP, ms. */
  splitBrainMs: number;
  splitBrain: Span[];
  /** Load balancers holding the VIP at the end of the window. */
  mastersAfter: number;
  /** Fraction of successful answers per backend, before the fault and after it settled. */
  sharesBefore: Record<string, number>;
  sharesAfter: Record<string, number>;
  maxLatencyMs: number;
}

export const completedAt = (r: ProbeRecord) => r.atMs + r.latencyMs;

export function failureKind(r: ProbeRecord): string | undefined {
  if (isSuccess(r)) return undefined;
  return r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? 'error');
}

/**
 * Longest gap between consecutive successful completions in the window, its edges included: a
 * window that starts in an outage or never recovers counts up to its edge. Completion times, not
 * start times: a request that started in the gap and only succeeded late (a SYN retransmitted
 * after ~1 s) must not hide the blackout.
 */
export function longestBlackout(records: ProbeRecord[], w: Window): Span {
  const done = records
    .filter(isSuccess)
    .map(completedAt)
    .filter((t) => t >= w.startMs && t <= w.endMs)
    .sort((a, b) => a - b);
  const points = [w.startMs, ...done, w.endMs];
  let best: Span = { fromMs: w.startMs, toMs: w.startMs };
  for (let i = 1; i < points.length; i++) {
    if (points[i]! - points[i - 1]! > best.toMs - best.fromMs) best = { fromMs: points[i - 1]!, toMs: points[i]! };
  }
  return best;
}

/** Who held the VIP: one name, "lb1+lb2" in a split brain, null when nobody. */
export function vipLabel(holders: string[] | undefined): string | null {
  if (!holders || holders.length === 0) return null;
  return [...holders].sort().join('+');
}

export function splitBrainSpans(samples: VipSample[], w: Window): Span[] {
  const inWindow = samples.filter((s) => s.atMs >= w.startMs && s.atMs <= w.endMs).sort((a, b) => a.atMs - b.atMs);
  const spans: Span[] = [];
  inWindow.forEach((s, i) => {
    if (s.holders.length < 2) return;
    const to = inWindow[i + 1]?.atMs ?? w.endMs;
    const last = spans.at(-1);
    if (last && last.toMs === s.atMs) last.toMs = to;
    else spans.push({ fromMs: s.atMs, toMs: to });
  });
  return spans;
}

export function shares(records: ProbeRecord[]): Record<string, number> {
  const ok = records.filter((r) => isSuccess(r) && r.backend);
  const counts: Record<string, number> = {};
  for (const r of ok) counts[r.backend!] = (counts[r.backend!] ?? 0) + 1;
  const out: Record<string, number> = {};
  for (const k of Object.keys(counts).sort()) out[k] = Math.round((counts[k]! / ok.length) * 100) / 100;
  return out;
}

export function analyze(input: AnalysisInput): ScenarioMetrics {
  const { window: w, faultAtMs } = input;
  const records = input.records.filter((r) => r.atMs >= w.startMs && r.atMs <= w.endMs).sort((a, b) => a.atMs - b.atMs);
  const failures: Record<string, number> = {};
  for (const r of records) {
    const kind = failureKind(r);
    if (kind) failures[kind] = (failures[kind] ?? 0) + 1;
  }
  const blackout = longestBlackout(records, w);
  const blackoutMs = Math.round(blackout.toMs - blackout.fromMs);

  const avoidsFault = (r: ProbeRecord) => !input.faultedNode || (r.lb !== input.faultedNode && r.backend !== input.faultedNode);
  const firstAfter = (from: number, pick: (r: ProbeRecord) => boolean) => {
    const hits = records.filter((r) => r.atMs >= from && pick(r)).map(completedAt);
    return hits.length ? Math.round(Math.min(...hits) - from) : null;
  };
  const recoveryMs = firstAfter(faultAtMs, (r) => isSuccess(r) && avoidsFault(r));
  const firstErrorPageMs = firstAfter(faultAtMs, (r) => r.status !== undefined && r.status >= 500);
  const restoreToSuccessMs = input.restoreAtMs === undefined ? null : firstAfter(input.restoreAtMs, isSuccess);
  const afterRestore =
    input.restoreAtMs === undefined ? undefined : longestBlackout(records, { startMs: input.restoreAtMs, endMs: w.endMs });

  const samples = input.vip.filter((s) => s.atMs >= w.startMs && s.atMs <= w.endMs).sort((a, b) => a.atMs - b.atMs);
  const before = samples.filter((s) => s.atMs < faultAtMs).at(-1);
  const lastOkBefore = records.filter((r) => r.atMs < faultAtMs && isSuccess(r)).at(-1);
  const lastOk = records.filter(isSuccess).at(-1);
  const vipBefore = before ? vipLabel(before.holders) : (lastOkBefore?.lb ?? null);
  const end = samples.at(-1);
  const vipAfter = end ? vipLabel(end.holders) : (lastOk?.lb ?? null);

  const split = splitBrainSpans(samples, w);
  const settled = input.settledAtMs ?? faultAtMs;
  return {
    requests: records.length,
    failed: records.filter((r) => !isSuccess(r)).length,
    failedNew: records.filter((r) => r.atMs >= faultAtMs && !isSuccess(r)).length,
    failures,
    blackoutMs,
    blackout: blackoutMs > 0 ? blackout : null,
    recoveryMs,
    firstErrorPageMs,
    restoreToSuccessMs,
    afterRestoreBlackoutMs: afterRestore ? Math.round(afterRestore.toMs - afterRestore.fromMs) : null,
    vipBefore,
    vipAfter,
    splitBrainMs: Math.round(split.reduce((s, x) => s + x.toMs - x.fromMs, 0)),
    splitBrain: split,
    mastersAfter: end ? end.holders.length : vipAfter ? 1 : 0,
    sharesBefore: shares(records.filter((r) => r.atMs < faultAtMs)),
    sharesAfter: shares(records.filter((r) => r.atMs >= settled)),
    maxLatencyMs: Math.round(records.reduce((m, r) => Math.max(m, r.latencyMs), 0)),
  };
}
