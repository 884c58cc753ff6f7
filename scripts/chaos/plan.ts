// The chaos soak's fault plan: a small seeded PRNG (mulberry32) draws a sequence of faults from
// the fault catalogue (faults/catalogue.ts, by each entry's weight) with their targets, how long
// each fault is held and the pause after it. The same seed (and the same node groups) gives the
// same plan; the runner plays it until its --duration runs out. Pure: no clock, no I/O.
import { drawable, faultByKind, type FaultKind, type TargetRule } from '../faults/catalogue.js';
import type { Role } from '../stack/topology.js';

export type { FaultKind };

/** The failure mode (F1…F8) of a fault kind. */
export const faultMode = (kind: FaultKind): string => faultByKind(kind).id;

/** mulberry32: a 32-bit seeded generator, plenty for picking faults; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Who a drawn fault hits: the LB holding the VIP or the other one, a backend by name, both
 * LBs/backends, or a data-node rule of the catalogue (resolved against the primary or the
 * cluster's shards then).
 */
export type TargetRole =
  Exclude<TargetRule, 'all-lbs' | 'all-backends' | 'one-backend'> | 'both-lbs' | 'both-backends' | `backend:${string}`;

export interface PlannedFault {
  kind: FaultKind;
  target: TargetRole;
  /** How long the fault stays before its restore (or heal), ms. */
  holdMs: number;
  /** Pause after the stack is healthy again, before the next fault, ms. */
  gapMs: number;
}

export interface PlanOptions {
  /** Backend node names (targets for F4/F5). */
  backends: string[];
  /** The stack's node groups: only faults that apply to them are drawn (default: lb and backend). */
  groups?: Role[];
  /** How many faults to draw (the runner stops earlier when the duration is spent). */
  count: number;
}

const between = (rnd: () => number, lo: number, hi: number) => Math.round(lo + rnd() * (hi - lo));

export function planFaults(seed: number, opts: PlanOptions): PlannedFault[] {
  const rnd = mulberry32(seed);
  const faults = drawable(opts.groups ?? ['lb', 'backend']);
  const total = faults.reduce((s, f) => s + f.weight, 0);
  const plan: PlannedFault[] = [];
  for (let i = 0; i < opts.count; i++) {
    let x = rnd() * total;
    const fault = faults.find((f) => (x -= f.weight) < 0) ?? faults.at(-1)!;
    let target: TargetRole;
    if (fault.target === 'all-lbs') target = 'both-lbs';
    else if (fault.target === 'all-backends') target = 'both-backends';
    else if (fault.target === 'one-backend') target = `backend:${opts.backends[Math.floor(rnd() * opts.backends.length)]!}`;
    // Mostly the active LB (the fault that costs something), sometimes the backup.
    else if (fault.target === 'active-lb' || fault.target === 'backup-lb') target = rnd() < 0.75 ? 'active-lb' : 'backup-lb';
    // A data-node rule: resolved against the primary or the shards when injected.
    else target = fault.target;
    plan.push({ kind: fault.kind, target, holdMs: between(rnd, 400, 1500), gapMs: between(rnd, 200, 1000) });
  }
  return plan;
}
