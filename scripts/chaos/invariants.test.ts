import { describe, expect, it } from 'vitest';
import { checkChaos, failureAllowance, type ChaosInput, type InjectedFault, type StatusSample } from './invariants.js';
import type { ProbeRecord } from '../observe/probe.js';

const T0 = 1_000_000;
const ok = (atMs: number, lb = 'lb1'): ProbeRecord => ({ atMs, latencyMs: 2, status: 200, backend: 'backend1', lb });
const reset = (atMs: number): ProbeRecord => ({ atMs, latencyMs: 3, error: 'ECONNRESET' });
const page503 = (atMs: number): ProbeRecord => ({ atMs, latencyMs: 5, status: 503, lb: 'lb1' });

/** A request every 10 ms from `from` to `to`, all served, except where `hole` says otherwise. */
function traffic(from: number, to: number, hole?: (t: number) => ProbeRecord | null | undefined): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (let t = from; t < to; t += 10) {
    const r = hole?.(t);
    if (r !== null) out.push(r ?? ok(t));
  }
  return out;
}

/** A status sample every 100 ms, lb1 holding the VIP unless `holders` says otherwise. */
function statuses(from: number, to: number, holders?: (t: number) => string[] | Error | undefined): StatusSample[] {
  const out: StatusSample[] = [];
  for (let t = from; t <= to; t += 100) {
    const h = holders?.(t) ?? ['lb1'];
    out.push(h instanceof Error ? { atMs: t, holders: [], error: h.message } : { atMs: t, holders: h });
  }
  return out;
}

const fault = (f: Partial<InjectedFault> & Pick<InjectedFault, 'kind' | 'atMs'>): InjectedFault => ({
  target: 'lb1',
  targetHeldVip: true,
  restoreAtMs: f.atMs + 1000,
  restoredAtMs: f.atMs + 2000,
  endMs: f.atMs + 3000,
  ...f,
});

const input = (over: Partial<ChaosInput>): ChaosInput => ({
  startMs: T0,
  endMs: T0 + 10_000,
  records: traffic(T0, T0 + 10_000),
  samples: statuses(T0, T0 + 10_000),
  faults: [],
  timeoutMs: 2000,
  ...over,
});

describe('checkChaos', () => {
  it('a quiet run has no violations', () => {
    expect(checkChaos(input({})).violations).toEqual([]);
  });

  it('a hard kill of the VIP holder may cost requests in its takeover window, and reports them', () => {
    const f = fault({ kind: 'lb-hard', atMs: T0 + 2000 });
    const records = traffic(T0, T0 + 10_000, (t) => (t >= T0 + 2000 && t < T0 + 2150 ? (t < T0 + 2020 ? reset(t) : null) : undefined));
    const { faults, violations } = checkChaos(input({ records, faults: [f] }));
    expect(violations).toEqual([]);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ atMs: 2000, kind: 'lb-hard', mode: 'F1', target: 'lb1', failed: 2 });
    expect(faults[0]!.blackoutMs).toBeGreaterThanOrEqual(150);
    expect(faults[0]!.recoveredMs).toBe(152);
  });

  it('a failure after the takeover tolerance, or after a backend fault, is a violation', () => {
    const f1 = fault({ kind: 'lb-hard', atMs: T0 + 2000 });
    const f4 = fault({ kind: 'backend-hard', atMs: T0 + 5000, target: 'backend1', targetHeldVip: false });
    const records = traffic(T0, T0 + 10_000, (t) => (t === T0 + 3500 || t === T0 + 5100 ? reset(t) : undefined));
    const v = checkChaos(input({ records, faults: [f1, f4] })).violations;
    expect(v.map((x) => [x.invariant, x.atMs])).toEqual([
      ['no-failed-request', 3500],
      ['no-failed-request', 5100],
    ]);
    expect(v[1]!.detail).toContain('F4 backend-hard backend1');
  });

  it('killing the LB that does not hold the VIP may cost nothing', () => {
    const f = fault({ kind: 'lb-hard', atMs: T0 + 2000, target: 'lb2', targetHeldVip: false });
    const records = traffic(T0, T0 + 10_000, (t) => (t === T0 + 2000 ? reset(t) : undefined));
    expect(checkChaos(input({ records, faults: [f] })).violations.map((v) => v.invariant)).toEqual(['no-failed-request']);
  });

  it('a graceful stop tolerates only the in-flight request and the first few ms', () => {
    const f = fault({ kind: 'lb-graceful', atMs: T0 + 2000 });
    expect(failureAllowance(f, 2000)).toEqual({ fromMs: T0, toMs: T0 + 2250 });
    const inFlight = traffic(T0, T0 + 10_000, (t) => (t === T0 + 1990 ? reset(t) : undefined));
    expect(checkChaos(input({ records: inFlight, faults: [f] })).violations).toEqual([]);
    const late = traffic(T0, T0 + 10_000, (t) => (t === T0 + 2500 ? reset(t) : undefined));
    expect(checkChaos(input({ records: late, faults: [f] })).violations.map((v) => v.invariant)).toEqual(['no-failed-request']);
  });

  it('two VIP holders are a violation outside a partition and allowed inside it until it settles', () => {
    const split = (from: number, to: number) => (t: number) => (t >= from && t < to ? ['lb1', 'lb2'] : undefined);
    const p = fault({ kind: 'partition', atMs: T0 + 2000, target: 'lb1+lb2', restoreAtMs: T0 + 3000, restoredAtMs: T0 + 3300 });
    const inside = statuses(T0, T0 + 10_000, split(T0 + 2200, T0 + 3300));
    const r = checkChaos(input({ samples: inside, faults: [p] }));
    expect(r.violations).toEqual([]);
    expect(r.faults[0]!.splitBrainMs).toBe(1100);
    const outside = statuses(T0, T0 + 10_000, split(T0 + 6000, T0 + 6200));
    const v = checkChaos(input({ samples: outside, faults: [p] })).violations;
    expect(v).toEqual([{ atMs: 6000, invariant: 'single-master', detail: 'lb1+lb2 held the VIP at once for 200 ms outside a partition' }]);
  });

  it('a healed partition reports the longest gap after its heal, and one beyond 0.5 s is a violation', () => {
    const p = fault({
      kind: 'partition',
      atMs: T0 + 2000,
      target: 'lb1+lb2',
      restoreAtMs: T0 + 3000,
      restoredAtMs: T0 + 3300,
      endMs: T0 + 5000,
    });
    // Served all along but for 60 ms right after the heal (the loser's MAC in the host's ARP cache).
    const brief = traffic(T0, T0 + 10_000, (t) => (t >= T0 + 3000 && t < T0 + 3060 ? null : undefined));
    const r = checkChaos(input({ records: brief, faults: [p] }));
    expect(r.violations).toEqual([]);
    // From the last answer before the heal (T0 + 2992) to the first after the gap (T0 + 3062).
    expect(r.faults[0]!.afterHealBlackoutMs).toBe(62);
    // Other faults carry no such figure.
    const f1 = checkChaos(input({ faults: [fault({ kind: 'lb-hard', atMs: T0 + 2000 })] }));
    expect(f1.faults[0]!.afterHealBlackoutMs).toBeNull();
    // Stranded for 800 ms after the heal: a violation, although it serves again within 2 s.
    const stranded = traffic(T0, T0 + 10_000, (t) => (t >= T0 + 3100 && t < T0 + 3900 ? null : undefined));
    const bad = checkChaos(input({ records: stranded, faults: [p] }));
    expect(bad.faults[0]!.afterHealBlackoutMs).toBe(810);
    expect(bad.violations.map((v) => [v.invariant, v.atMs])).toEqual([['served-after-heal', 3092]]);
    expect(bad.violations[0]!.detail).toBe('F7 partition lb1+lb2: no answer through the VIP for 810 ms after the heal (bound 500 ms)');
  });

  it('both backends down: 503 pages count as served, a reset is still a violation', () => {
    const f = fault({
      kind: 'all-backends',
      atMs: T0 + 2000,
      target: 'backend1+backend2',
      targetHeldVip: false,
      restoredAtMs: T0 + 3000,
      endMs: T0 + 4000,
    });
    const pages = traffic(T0, T0 + 10_000, (t) => (t >= T0 + 2000 && t < T0 + 3000 ? page503(t) : undefined));
    const r = checkChaos(input({ records: pages, faults: [f] }));
    expect(r.violations).toEqual([]);
    expect(r.faults[0]).toMatchObject({ mode: 'F8', recoveredMs: 5, failed: 100 });
    expect(r.faults[0]!.blackoutMs).toBeGreaterThanOrEqual(1000);
    const hang = traffic(T0, T0 + 10_000, (t) =>
      t === T0 + 2500 ? { atMs: t, latencyMs: 2000, error: 'ETIMEDOUT' } : t >= T0 + 2000 && t < T0 + 3000 ? page503(t) : undefined,
    );
    expect(checkChaos(input({ records: hang, faults: [f] })).violations.map((v) => v.invariant)).toEqual(['no-failed-request']);
  });

  it('the VIP must serve again within the bound after a fault and after its restore', () => {
    const f = fault({ kind: 'lb-hard', atMs: T0 + 2000, restoredAtMs: T0 + 5000, endMs: T0 + 9000 });
    // Nothing answered for 2.5 s after the kill (requests hang, then time out), and again after the restore.
    const records = traffic(T0, T0 + 10_000, (t) =>
      t >= T0 + 2000 && t < T0 + 4500 ? null : t >= T0 + 5000 && t < T0 + 7500 ? null : undefined,
    );
    const v = checkChaos(input({ records, faults: [f] })).violations;
    expect(v.map((x) => [x.invariant, x.atMs])).toEqual([
      ['served-again', 2000],
      ['served-again', 5000],
    ]);
    expect(v[0]!.detail).toContain('first answer 2502 ms after the fault');
  });

  it('status must be readable at every moment', () => {
    const failing = statuses(T0, T0 + 10_000, (t) => (t === T0 + 4000 ? new Error('exec failed') : undefined));
    expect(checkChaos(input({ samples: failing })).violations).toEqual([
      { atMs: 4000, invariant: 'status-readable', detail: 'status failed: exec failed' },
    ]);
    const gap = statuses(T0, T0 + 10_000).filter((s) => s.atMs < T0 + 3000 || s.atMs > T0 + 7000);
    expect(checkChaos(input({ samples: gap })).violations.map((v) => v.invariant)).toEqual(['status-readable']);
    expect(checkChaos(input({ samples: [] })).violations.map((v) => v.invariant)).toEqual(['status-readable']);
  });
});

describe('recoveredMs', () => {
  it('counts from the fault, judged on requests started once the fault was in place', () => {
    // The kill took 100 ms; requests before it finished still went to the old LB and were answered.
    const f = fault({ kind: 'lb-hard', atMs: T0 + 2000, injectedAtMs: T0 + 2100 });
    const records = traffic(T0, T0 + 10_000, (t) => (t >= T0 + 2100 && t < T0 + 2300 ? null : undefined));
    const r = checkChaos(input({ records, faults: [f] }));
    expect(r.violations).toEqual([]);
    expect(r.faults[0]!.recoveredMs).toBe(302);
  });
});
