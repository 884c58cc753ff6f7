// The chaos soak's invariants, checked on what the run recorded: pure functions over the probe's
// records, the status samples and the faults as they were injected, so every rule can be
// unit-tested on synthetic timelines. The runner (run.ts) only records; this judges.
import { completedAt, failureKind, longestBlackout, splitBrainSpans, type VipSample } from '../observe/analysis.js';
import { faultByKind } from '../faults/catalogue.js';
import { defaultBounds, type Bounds } from '../faults/cost.js';
import { faultMode, type FaultKind } from './plan.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';

export type Invariant =
  'single-master' | 'served-again' | 'served-after-heal' | 'no-failed-request' | 'status-readable' | 'recovers' | 'down-leaves-nothing';

/** One status reading (getStatus): who held the VIP, or why the status could not be read. */
export interface StatusSample extends VipSample {
  error?: string;
}

/** A fault as the runner injected it, with absolute times (ms since the epoch). */
export interface InjectedFault {
  atMs: number;
  /**
   * When the fault call returned (a kill takes a moment): "served again" is judged on requests
   * started from here, or a request answered just before the node died would count. Default atMs.
   */
  injectedAtMs?: number;
  kind: FaultKind;
  /** Resolved node names: "lb1", "backend2", "lb1+lb2", "backend1+backend2". */
  target: string;
  /** The target held the VIP when it was hit (only then may an LB fault cost requests). */
  targetHeldVip: boolean;
  /** When the restore (or the heal) began. */
  restoreAtMs: number;
  /** When the stack was healthy again after it (or the runner gave up). */
  restoredAtMs: number;
  /** The next fault, or the end of the run: requests up to here belong to this fault. */
  endMs: number;
}

export interface Violation {
  atMs: number;
  invariant: Invariant;
  detail: string;
}

export interface FaultReport {
  /** Since the start of the run. */
  atMs: number;
  kind: FaultKind;
  mode: string;
  target: string;
  requests: number;
  failed: number;
  /** Longest span from the fault to the end of its cycle without a successful answer, ms. */
  blackoutMs: number;
  /** Fault to the first answer that counts as served (F8: HAProxy's 503 too), ms; null if none. */
  recoveredMs: number | null;
  /** How long two LBs were seen holding the VIP during the fault (a partition should show some), ms. */
  splitBrainMs: number;
  /**
   * A partition of the LBs (F7): the longest gap between successful answers from its heal to the
   * end of its cycle, ms — the tour's "longest gap after the heal"; null for other faults.
   */
  afterHealBlackoutMs: number | null;
}

export interface ChaosInput {
  startMs: number;
  endMs: number;
  records: ProbeRecord[];
  samples: StatusSample[];
  faults: InjectedFault[];
  /** The probe's per-request timeout: how long before a fault a request may still be in flight. */
  timeoutMs: number;
  bounds?: Partial<Bounds>;
}

interface Allowance {
  fromMs: number;
  toMs: number;
  /** Only HTTP error pages are allowed (F8: HAProxy's 503, never a hang or a reset). */
  httpOnly?: boolean;
}

/** When a fault may cost requests, by its cost rule in the catalogue; undefined when it may not. */
export function failureAllowance(f: InjectedFault, timeoutMs: number, b: Bounds = defaultBounds): Allowance | undefined {
  const inFlight = f.atMs - timeoutMs;
  const rule = faultByKind(f.kind).cost.failures;
  switch (rule.kind) {
    case 'none':
      return undefined;
    case 'takeover':
      return f.targetHeldVip ? { fromMs: inFlight, toMs: f.atMs + b[rule.bound] } : undefined;
    case 'until-healed':
      return { fromMs: inFlight, toMs: f.restoredAtMs + b[rule.bound], ...(rule.httpOnly ? { httpOnly: true } : {}) };
  }
}

/** Two VIP holders are expected only inside a fault whose cost allows it, until it healed and settled. */
export function splitBrainAllowance(f: InjectedFault, b: Bounds = defaultBounds): { fromMs: number; toMs: number } | undefined {
  return faultByKind(f.kind).cost.splitBrain ? { fromMs: f.atMs, toMs: f.restoredAtMs + b.healToleranceMs } : undefined;
}

const label = (f: InjectedFault) => `${faultMode(f.kind)} ${f.kind} ${f.target}`;

function countKinds(records: ProbeRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(failureKind(r)!, (counts.get(failureKind(r)!) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}×${n}`).join(', ');
}

export function checkChaos(input: ChaosInput): { faults: FaultReport[]; violations: Violation[] } {
  const b: Bounds = { ...defaultBounds, ...input.bounds };
  const rel = (t: number) => Math.round(t - input.startMs);
  const records = [...input.records].sort((x, y) => x.atMs - y.atMs);
  const faults = [...input.faults].sort((x, y) => x.atMs - y.atMs);
  const samples = [...input.samples].sort((x, y) => x.atMs - y.atMs);
  const violations: Violation[] = [];

  // Never two LBs holding the VIP outside an injected partition.
  const window = { startMs: input.startMs, endMs: input.endMs };
  const allowedSplit = faults.map((f) => splitBrainAllowance(f, b)).filter((a) => a !== undefined);
  for (const span of splitBrainSpans(
    samples.filter((s) => !s.error),
    window,
  )) {
    if (allowedSplit.some((a) => span.fromMs >= a.fromMs && span.fromMs <= a.toMs)) continue;
    const holders = samples.find((s) => s.atMs === span.fromMs)?.holders.join('+') ?? '?';
    violations.push({
      atMs: rel(span.fromMs),
      invariant: 'single-master',
      detail: `${holders} held the VIP at once for ${Math.round(span.toMs - span.fromMs)} ms outside a partition`,
    });
  }

  // State readable at every moment: every sample succeeded, and none came late.
  let prev = input.startMs;
  for (const s of samples) {
    if (s.error) violations.push({ atMs: rel(s.atMs), invariant: 'status-readable', detail: `status failed: ${s.error}` });
    else if (s.atMs - prev > b.statusGapMs)
      violations.push({ atMs: rel(prev), invariant: 'status-readable', detail: `no status for ${Math.round(s.atMs - prev)} ms` });
    prev = s.atMs;
  }
  if (samples.length === 0 || input.endMs - prev > b.statusGapMs) {
    violations.push({ atMs: rel(prev), invariant: 'status-readable', detail: `no status for ${Math.round(input.endMs - prev)} ms` });
  }

  // No failed request outside the windows of the faults that may cost one.
  const allowances = faults.map((f) => failureAllowance(f, input.timeoutMs, b)).filter((a) => a !== undefined);
  const allowed = (r: ProbeRecord) =>
    allowances.some((a) => r.atMs >= a.fromMs && r.atMs <= a.toMs && (!a.httpOnly || r.status !== undefined));
  const unallowed = records.filter((r) => !isSuccess(r) && !allowed(r));
  // Attributed to the fault whose cycle the failure was seen in (its completion), for one line each.
  const owner = (r: ProbeRecord) => faults.filter((f) => f.atMs <= completedAt(r)).at(-1);
  const groups = new Map<InjectedFault | undefined, ProbeRecord[]>();
  for (const r of unallowed) groups.set(owner(r), [...(groups.get(owner(r)) ?? []), r]);
  for (const [f, rs] of groups) {
    violations.push({
      atMs: rel(rs[0]!.atMs),
      invariant: 'no-failed-request',
      detail: `${rs.length} failed request${rs.length > 1 ? 's' : ''} (${countKinds(rs)}) ${f ? `after ${label(f)}` : 'before the first fault'}, outside any allowed window`,
    });
  }

  // After every fault, and after its restore, the VIP serves again within the bound.
  const reports = faults.map((f): FaultReport => {
    const served = (r: ProbeRecord) => isSuccess(r) || (f.kind === 'all-backends' && r.status !== undefined);
    const firstServed = (from: number, pick: (r: ProbeRecord) => boolean) => {
      const done = records.filter((r) => r.atMs >= from && r.atMs < f.endMs && pick(r)).map(completedAt);
      return done.length ? Math.round(Math.min(...done) - from) : null;
    };
    const injected = f.injectedAtMs ?? f.atMs;
    const servedAfter = firstServed(injected, served);
    const recoveredMs = servedAfter === null ? null : Math.round(servedAfter + injected - f.atMs);
    if (recoveredMs === null || recoveredMs > b.servedWithinMs) {
      violations.push({
        atMs: rel(f.atMs),
        invariant: 'served-again',
        detail: `${label(f)}: ${recoveredMs === null ? 'no answer through the VIP after the fault' : `first answer ${recoveredMs} ms after the fault`} (bound ${b.servedWithinMs} ms)`,
      });
    }
    const afterRestore = firstServed(f.restoredAtMs, isSuccess);
    if (f.restoredAtMs < f.endMs && (afterRestore === null || afterRestore > b.servedWithinMs)) {
      violations.push({
        atMs: rel(f.restoredAtMs),
        invariant: 'served-again',
        detail: `${label(f)}: ${afterRestore === null ? 'no success after the restore' : `first success ${afterRestore} ms after the restore`} (bound ${b.servedWithinMs} ms)`,
      });
    }
    // A healed partition serves again at once: no gap from the heal on beyond the bound.
    const afterHeal = faultByKind(f.kind).cost.splitBrain
      ? longestBlackout(records, { startMs: f.restoreAtMs, endMs: f.endMs })
      : undefined;
    const afterHealBlackoutMs = afterHeal ? Math.round(afterHeal.toMs - afterHeal.fromMs) : null;
    if (afterHealBlackoutMs !== null && afterHealBlackoutMs > b.healServedWithinMs) {
      violations.push({
        atMs: rel(afterHeal!.fromMs),
        invariant: 'served-after-heal',
        detail: `${label(f)}: no answer through the VIP for ${afterHealBlackoutMs} ms after the heal (bound ${b.healServedWithinMs} ms)`,
      });
    }
    const mine = records.filter((r) => r.atMs >= f.atMs && r.atMs < f.endMs);
    const failed = records.filter((r) => !isSuccess(r) && completedAt(r) >= f.atMs && completedAt(r) < f.endMs).length;
    const blackout = longestBlackout(records, { startMs: f.atMs, endMs: f.endMs });
    return {
      atMs: rel(f.atMs),
      kind: f.kind,
      mode: faultMode(f.kind),
      target: f.target,
      requests: mine.length,
      failed,
      blackoutMs: Math.round(blackout.toMs - blackout.fromMs),
      recoveredMs,
      splitBrainMs: Math.round(
        splitBrainSpans(
          samples.filter((s) => !s.error),
          { startMs: f.atMs, endMs: f.endMs },
        ).reduce((t, x) => t + x.toMs - x.fromMs, 0),
      ),
      afterHealBlackoutMs,
    };
  });

  violations.sort((x, y) => x.atMs - y.atMs);
  return { faults: reports, violations };
}
