// The chaos soak's runner: plays a seeded fault plan (plan.ts) against a live stack under a
// steady bounded probe through the VIP, samples the status every ~100 ms, restores after every
// fault, stops by itself when --duration is spent, and hands what it recorded to the invariant
// checker (invariants.ts). Optionally tears the stack down and checks nothing is left.
import { killNode, restoreNode, waitHealthy } from '../stack/actions.js';
import { checkChaos, defaultBounds, type FaultReport, type InjectedFault, type StatusSample, type Violation } from './invariants.js';
import { faultModes, planFaults, type PlannedFault } from './plan.js';
import { assertKitAddress, isSuccess, runProbe, type ProbeRecord } from '../observe/probe.js';
import type { Progress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep } from '../sh.js';
import { getStatus, masters } from '../observe/status.js';
import { backends, lbs, urls } from '../stack/topology.js';

export const MAX_CHAOS_MS = 30 * 60_000;

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  /** Time between probe requests (each on a new connection). */
  intervalMs?: number;
  timeoutMs?: number;
  /** Live lines (stderr in the CLI). */
  write?: (line: string) => void;
  signal?: AbortSignal;
  /** Tear the stack down at the end and check that nothing is left (invariant down-leaves-nothing). */
  down?: Progress;
}

export interface ChaosResult {
  seed: number;
  runtime: string;
  durationMs: number;
  faults: FaultReport[];
  violations: Violation[];
  requests: number;
  failed: number;
}

/** Everything of the kit left on the machine (runtimes that can list it), else whether it is up. */
async function leftovers(rt: Runtime): Promise<string[]> {
  const withList = rt as Runtime & { leftovers?: () => Promise<string[]> };
  if (withList.leftovers) return withList.leftovers();
  return (await rt.isUp()) ? [`a ${rt.name} stack`] : [];
}

interface Cycle {
  injected: InjectedFault;
  planned: PlannedFault;
}

export async function runChaos(rt: Runtime, opts: ChaosOptions): Promise<ChaosResult> {
  const durationMs = Math.min(Math.max(opts.durationMs, 1000), MAX_CHAOS_MS);
  const timeoutMs = opts.timeoutMs ?? 2000;
  const write = opts.write ?? (() => undefined);
  const url = urls(rt.topology).vip;
  assertKitAddress(url, rt.topology);
  const lbNames = lbs(rt.topology).map((n) => n.name);
  const backendNames = backends(rt.topology).map((n) => n.name);
  // Enough faults for the longest run even if every cycle were short; the runner stops on time.
  const plan = planFaults(opts.seed, { backends: backendNames, noPartition: !rt.partition, count: Math.ceil(durationMs / 1000) + 5 });
  const extra: Violation[] = [];

  await waitHealthy(rt, 20_000);
  const startMs = Date.now();
  const rel = (t: number) => `${((t - startMs) / 1000).toFixed(1).padStart(6)} s`;

  // State readable at every moment: getStatus every ~100 ms, each failure recorded.
  const samples: StatusSample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = Date.now();
      try {
        const s = await getStatus(rt);
        samples.push({ atMs: Date.now(), holders: masters(s) });
      } catch (err) {
        samples.push({ atMs: Date.now(), holders: [], error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      }
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
  })();

  // Steady bounded load through the VIP for the whole run.
  const records: ProbeRecord[] = [];
  const stopProbe = new AbortController();
  const probe = runProbe({
    url,
    topology: rt.topology,
    intervalMs: opts.intervalMs ?? 15,
    timeoutMs,
    maxDurationMs: durationMs + 120_000,
    signal: stopProbe.signal,
    onRecord: (r) => records.push(r),
  });

  const cycles: Cycle[] = [];
  const healthy = async (what: string) => {
    try {
      return await waitHealthy(rt, 20_000);
    } catch (err) {
      extra.push({
        atMs: Date.now() - startMs,
        invariant: 'recovers',
        detail: `${what}: ${err instanceof Error ? err.message : String(err)}`,
      });
      // Bring back whatever is still down, so the soak can go on.
      for (const n of rt.topology.nodes) await restoreNode(rt, n.name).catch(() => undefined);
      if (rt.partition) await rt.partition(lbNames[0]!, lbNames[1]!, false).catch(() => undefined);
      return waitHealthy(rt, 20_000).catch(() => undefined);
    }
  };
  try {
    await sleep(500);
    for (const p of plan) {
      if (opts.signal?.aborted) break;
      // Stop by itself: a cycle takes its hold plus ~2–3 s of restore; leave room for it.
      if (Date.now() - startMs + p.holdMs + 2500 > durationMs) break;
      const status = await healthy('before the next fault');
      const holder = status ? masters(status)[0] : samples.at(-1)?.holders[0];
      const active = holder ?? lbNames[0]!;
      const backup = lbNames.find((n) => n !== active) ?? active;
      const target =
        p.target === 'active-lb'
          ? active
          : p.target === 'backup-lb'
            ? backup
            : p.target === 'both-lbs'
              ? lbNames.join('+')
              : p.target === 'both-backends'
                ? backendNames.join('+')
                : p.target.slice('backend:'.length);
      // Not in step with the probe: a random phase within one interval.
      await sleep(Math.random() * (opts.intervalMs ?? 15));
      const atMs = Date.now();
      await inject(rt, p, target, lbNames, backendNames);
      // A graceful stop works from its first instant (keepalived hands over, HAProxy or the backend
      // drains) and may take a second to return: service is judged from its start. Every other
      // fault is judged once it is in place.
      const injectedAtMs = p.kind === 'lb-graceful' || p.kind === 'backend-graceful' ? atMs : Date.now();
      await sleep(p.holdMs);
      const restoreAtMs = Date.now();
      await mend(rt, p, target, lbNames, backendNames).catch((err: unknown) => {
        extra.push({
          atMs: Date.now() - startMs,
          invariant: 'recovers',
          detail: `restoring after ${faultModes[p.kind]} ${p.kind} ${target}: ${err instanceof Error ? err.message : String(err)}`,
        });
      });
      await healthy(`after ${faultModes[p.kind]} ${p.kind} ${target}`);
      const restoredAtMs = Date.now();
      const injected: InjectedFault = {
        atMs,
        injectedAtMs,
        kind: p.kind,
        target,
        targetHeldVip: target === holder,
        restoreAtMs,
        restoredAtMs,
        endMs: Date.now(),
      };
      cycles.push({ injected, planned: p });
      await sleep(p.gapMs);
      injected.endMs = Date.now();
      write(liveLine(rel(atMs), injected, records, samples, timeoutMs));
    }
    await sleep(500);
  } finally {
    stopProbe.abort();
    sampling = false;
    if (opts.signal?.aborted) {
      // Interrupted mid-fault: heal and restore before leaving.
      if (rt.partition) await rt.partition(lbNames[0]!, lbNames[1]!, false).catch(() => undefined);
      for (const n of rt.topology.nodes) await restoreNode(rt, n.name).catch(() => undefined);
    }
  }
  const all = await probe;
  await sampler;
  const endMs = Date.now();
  const faults = cycles.map((c) => c.injected);
  for (let i = 0; i < faults.length; i++) faults[i]!.endMs = faults[i + 1]?.atMs ?? endMs;
  const checked = checkChaos({ startMs, endMs, records: all, samples, faults, timeoutMs });
  const violations = [...checked.violations, ...extra];

  if (opts.down) {
    await rt.down(opts.down);
    const left = await leftovers(rt);
    if (left.length)
      violations.push({ atMs: Date.now() - startMs, invariant: 'down-leaves-nothing', detail: `left behind: ${left.join(', ')}` });
  }
  violations.sort((a, b) => a.atMs - b.atMs);
  return {
    seed: opts.seed,
    runtime: rt.name,
    durationMs: endMs - startMs,
    faults: checked.faults,
    violations,
    requests: all.length,
    failed: all.filter((r) => !isSuccess(r)).length,
  };
}

async function inject(rt: Runtime, p: PlannedFault, target: string, lbNames: string[], backendNames: string[]): Promise<void> {
  switch (p.kind) {
    case 'lb-hard':
    case 'backend-hard':
      return killNode(rt, target, 'hard');
    case 'lb-graceful':
    case 'backend-graceful':
      return killNode(rt, target, 'graceful');
    case 'haproxy':
      return killNode(rt, target, 'haproxy');
    case 'partition':
      return rt.partition!(lbNames[0]!, lbNames[1]!, true);
    case 'all-backends':
      await Promise.all(backendNames.map((n) => killNode(rt, n, 'hard')));
  }
}

async function mend(rt: Runtime, p: PlannedFault, target: string, lbNames: string[], backendNames: string[]): Promise<void> {
  if (p.kind === 'partition') return rt.partition!(lbNames[0]!, lbNames[1]!, false);
  const nodes = p.kind === 'all-backends' ? backendNames : [target];
  await Promise.all(nodes.map((n) => restoreNode(rt, n)));
}

/** One line per fault as it happens: what was hit, what it cost, how long until healthy again. */
function liveLine(at: string, f: InjectedFault, records: ProbeRecord[], samples: StatusSample[], timeoutMs: number): string {
  const r = checkChaos({
    startMs: f.atMs,
    endMs: f.endMs,
    records: records.filter((x) => x.atMs >= f.atMs - timeoutMs),
    samples: samples.filter((s) => s.atMs >= f.atMs),
    faults: [f],
    timeoutMs,
  }).faults[0]!;
  const who =
    f.kind === 'lb-hard' || f.kind === 'lb-graceful' || f.kind === 'haproxy'
      ? `${f.target}${f.targetHeldVip ? ' (VIP holder)' : ' (backup)'}`
      : f.target;
  const served =
    (r.recoveredMs === null ? 'not served again' : `served after ${r.recoveredMs} ms`) +
    (r.splitBrainMs ? `, split brain ${r.splitBrainMs} ms` : '');
  return `${at}  ${r.mode} ${f.kind.padEnd(16)} ${who.padEnd(20)} failed ${String(r.failed).padStart(3)}  blackout ${String(r.blackoutMs).padStart(5)} ms  ${served}, healthy ${((f.restoredAtMs - f.restoreAtMs) / 1000).toFixed(1)} s after the restore`;
}

export { defaultBounds };
