// A settled stack: what must hold before a figure measured with no fault means anything. Right
// after `up` the stack is healthy but not yet quiet: a backend's first requests compile its code,
// the other LB's HAProxy may still be checking its servers, ARP caches fill (a floor read at once
// on Docker was 122 ms). So: the same single MASTER for a while, every running LB's HAProxy sees
// every backend UP, then the VIP answers `streak` requests in a row at the probe's cadence.
import { backendView } from '../groups/backend/status.js';
import { HakitError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { backends, lbs, urls } from '../stack/topology.js';
import { isSuccess, runProbe, type ProbeOptions, type ProbeRecord } from './probe.js';
import { getStatus, isHealthy, masters } from './status.js';

/**
 * Healthy, with the same single MASTER for `ms` in a row: a node that pre-empts after a restore
 * (textbook) has done so before the next measurement starts. Returns that MASTER.
 */
export async function waitStable(rt: Runtime, ms: number, timeoutMs = 40_000): Promise<string> {
  let since = 0;
  let holder: string | undefined;
  return waitFor(
    `the VIP to stay on one healthy load balancer for ${ms} ms`,
    async () => {
      const s = await getStatus(rt);
      const m = masters(s);
      const now = Date.now();
      if (!isHealthy(s) || m.length !== 1) {
        holder = undefined;
        return undefined;
      }
      if (m[0] !== holder) {
        holder = m[0];
        since = now;
      }
      return now - since >= ms ? holder : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Every running LB's HAProxy (not only the first that answers) has every backend UP. */
export async function everyLbSeesBackendsUp(rt: Runtime): Promise<boolean> {
  const running = new Set((await rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
  const want = backends(rt.topology).map((b) => b.name);
  for (const lb of lbs(rt.topology)) {
    if (!running.has(lb.name)) continue;
    const view = await backendView(rt, [lb.name]);
    if (!view || want.some((b) => view.get(b) !== 'UP')) return false;
  }
  return true;
}

/**
 * Counts successes in a row, in completion order: a failure, or a success slower than
 * `maxLatencyMs` (a backend still compiling, a cold path), starts the count again.
 */
export class Streak {
  private run = 0;
  constructor(
    readonly needed: number,
    readonly maxLatencyMs: number,
  ) {}

  /** Adds a record; true once `needed` successes in a row were seen. */
  add(r: ProbeRecord): boolean {
    this.run = isSuccess(r) && r.latencyMs <= this.maxLatencyMs ? this.run + 1 : 0;
    return this.reached();
  }

  reached(): boolean {
    return this.run >= this.needed;
  }
}

export interface SettleOptions {
  /** How long the same MASTER must hold, ms. */
  stableMs?: number;
  /** Requests through the VIP in a row that must succeed. */
  streak?: number;
  /** A success slower than this breaks the streak, ms. */
  maxLatencyMs?: number;
  intervalMs?: number;
  /** For the whole wait, ms. */
  timeoutMs?: number;
}

export const settleDefaults: Required<SettleOptions> = { stableMs: 500, streak: 100, maxLatencyMs: 50, intervalMs: 10, timeoutMs: 30_000 };

export interface Settled {
  /** How long settling took, ms. */
  tookMs: number;
  /** Requests sent through the VIP until the streak was reached. */
  requests: number;
}

/** Waits for a settled stack (see the top of this file); fails with what was missing after timeoutMs. */
export async function waitSettled(
  rt: Runtime,
  opts: SettleOptions = {},
  probe: (o: ProbeOptions) => Promise<ProbeRecord[]> = runProbe,
): Promise<Settled> {
  const o = { ...settleDefaults, ...opts };
  const started = Date.now();
  const left = () => Math.max(0, o.timeoutMs - (Date.now() - started));
  await waitStable(rt, o.stableMs, left());
  await waitFor(
    'every load balancer to see every backend UP',
    async () => ((await everyLbSeesBackendsUp(rt)) ? true : undefined),
    left(),
    100,
  );
  const streak = new Streak(o.streak, o.maxLatencyMs);
  const stop = new AbortController();
  const records = await probe({
    url: urls(rt.topology).probe,
    topology: rt.topology,
    intervalMs: o.intervalMs,
    timeoutMs: 2000,
    maxDurationMs: Math.max(1, left()),
    signal: stop.signal,
    onRecord: (r) => {
      if (streak.add(r)) stop.abort();
    },
  });
  if (!streak.reached()) {
    throw new HakitError(
      `the stack did not settle within ${o.timeoutMs / 1000} s: the VIP never answered ${o.streak} requests in a row, each within ${o.maxLatencyMs} ms (${records.filter((r) => !isSuccess(r)).length} of ${records.length} failed)`,
      undefined,
      'is the machine busy (uptime)? see `hakit status` and `hakit logs NODE`',
    );
  }
  return { tookMs: Date.now() - started, requests: records.length };
}
