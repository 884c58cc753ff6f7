// The chaos soak's fault plan: a small seeded PRNG (mulberry32) draws a sequence of faults from
// DESIGN.md's F1–F8 with their targets, how long each fault is held and the pause after it. The
// same seed (and the same runtime capabilities) gives the same plan; the runner plays it until
// its --duration runs out. Pure: no clock, no I/O.

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

export type FaultKind = 'lb-hard' | 'lb-graceful' | 'haproxy' | 'backend-hard' | 'backend-graceful' | 'partition' | 'all-backends';

/** The failure mode of DESIGN.md each kind injects (F6, the rejoin, is every LB fault's restore). */
export const faultModes: Record<FaultKind, string> = {
  'lb-hard': 'F1',
  haproxy: 'F2',
  'lb-graceful': 'F3',
  'backend-hard': 'F4',
  'backend-graceful': 'F5',
  partition: 'F7',
  'all-backends': 'F8',
};

export const faultKinds = Object.keys(faultModes) as FaultKind[];

/** Who a fault hits: the LB holding the VIP or the other one, a backend by name, or both LBs/backends. */
export type TargetRole = 'active-lb' | 'backup-lb' | 'both-lbs' | 'both-backends' | `backend:${string}`;

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
  /** Leave partitions out (a runtime without Runtime.partition). */
  noPartition?: boolean;
  /** How many faults to draw (the runner stops earlier when the duration is spent). */
  count: number;
}

// Relative weights: the LB faults are the interesting ones, so they come up more often.
const weights: Record<FaultKind, number> = {
  'lb-hard': 3,
  haproxy: 2,
  'lb-graceful': 2,
  'backend-hard': 2,
  'backend-graceful': 2,
  partition: 1,
  'all-backends': 1,
};

const between = (rnd: () => number, lo: number, hi: number) => Math.round(lo + rnd() * (hi - lo));

export function planFaults(seed: number, opts: PlanOptions): PlannedFault[] {
  const rnd = mulberry32(seed);
  const kinds = faultKinds.filter((k) => !(opts.noPartition && k === 'partition'));
  const total = kinds.reduce((s, k) => s + weights[k], 0);
  const plan: PlannedFault[] = [];
  for (let i = 0; i < opts.count; i++) {
    let x = rnd() * total;
    const kind = kinds.find((k) => (x -= weights[k]) < 0) ?? kinds.at(-1)!;
    let target: TargetRole;
    if (kind === 'partition') target = 'both-lbs';
    else if (kind === 'all-backends') target = 'both-backends';
    else if (kind.startsWith('backend')) target = `backend:${opts.backends[Math.floor(rnd() * opts.backends.length)]!}`;
    // Mostly the active LB (the fault that costs something), sometimes the backup.
    else target = rnd() < 0.75 ? 'active-lb' : 'backup-lb';
    plan.push({ kind, target, holdMs: between(rnd, 400, 1500), gapMs: between(rnd, 200, 1000) });
  }
  return plan;
}
