// The chaos soak's runner: plays a seeded fault plan (plan.ts) from the fault catalogue against a
// live stack under a workload (the web probe through the VIP; with the weather feature also the
// weather reads and writes, weather.ts), samples the status every ~100 ms, heals after every fault
// (a cluster fault: until `--cluster check` is clean; a shortener fault: judged by the web probe's
// invariants, its clicks not counted here), stops by itself when --duration is spent,
// and hands what it recorded to the invariant checkers (invariants.ts, weather.ts). Optionally
// tears the stack down and checks nothing is left.
import { restoreNode, waitHealthy } from '../stack/actions.js';
import { checkChaos, type FaultReport, type InjectedFault, type StatusSample, type Violation } from './invariants.js';
import { faultMode, planFaults, type PlannedFault } from './plan.js';
import { faultByKind } from '../faults/catalogue.js';
import type { OperationTally } from '../faults/cost.js';
import { backendNames, lbNames, resolveTargets, shortenerRules, type Holders } from '../faults/targets.js';
import { readShortenerHolders } from '../faults/shortener-holders.js';
import type { TargetRule } from '../faults/catalogue.js';
import { webProbe } from '../faults/workload.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';
import type { Progress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep } from '../sh.js';
import { getStatus, masters } from '../observe/status.js';
import type { Role } from '../stack/topology.js';
import { readShards } from '../groups/cluster/admin.js';
import { checkCluster, waitClusterWhole } from '../groups/cluster/formation.js';
import type { WeatherTally } from '../faults/weather-ops.js';
import { hasWeather, judgeWeather, startWeather } from './weather.js';

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
  /** The workload's operations: acknowledged, failed, unknown (and, for state, lost/doubled/reordered). */
  operations: OperationTally;
  /** With the weather feature: the weather workload's reads and writes over the run. */
  weather?: WeatherTally;
}

/** The run's shared state: when it started, what it recorded, what went wrong outside the checker. */
interface Run {
  rt: Runtime;
  startMs: number;
  timeoutMs: number;
  intervalMs: number;
  extra: Violation[];
}

export async function runChaos(rt: Runtime, opts: ChaosOptions): Promise<ChaosResult> {
  const durationMs = Math.min(Math.max(opts.durationMs, 1000), MAX_CHAOS_MS);
  const intervalMs = opts.intervalMs ?? 15;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const groups = [...new Set(rt.topology.nodes.map((n) => n.role))] as Role[];
  // Enough faults for the longest run even if every cycle were short; the runner stops on time.
  const plan = planFaults(opts.seed, { backends: backendNames(rt.topology), groups, count: Math.ceil(durationMs / 1000) + 5 });

  await waitHealthy(rt, 20_000);
  const run: Run = { rt, startMs: Date.now(), timeoutMs, intervalMs, extra: [] };
  const sampler = startSampler(rt);
  const workload = webProbe({ intervalMs, timeoutMs });
  const weather = hasWeather(rt) ? await startWeather(rt, durationMs + 120_000) : undefined;
  const load = workload.start(rt, { maxDurationMs: durationMs + 120_000 });
  const faults: InjectedFault[] = [];
  // The workload's end: the last fault's cycle ends here, not when the judging starts (a gap from
  // the probe's last answer to a later instant would count as a blackout).
  let loadEndMs: number;
  try {
    await sleep(500);
    for (const p of plan) {
      if (opts.signal?.aborted) break;
      // Stop by itself: a cycle takes its hold plus ~2–3 s of restore; leave room for it.
      if (Date.now() - run.startMs + p.holdMs + 2500 > durationMs) break;
      const f = await playFault(run, p, sampler.samples);
      faults.push(f);
      (opts.write ?? (() => undefined))(liveLine(run, f, load.records, sampler.samples));
    }
    await sleep(500);
  } finally {
    loadEndMs = Date.now();
    const stopping = load.stop();
    const weatherStopping = weather?.stop();
    await sampler.stop();
    // Interrupted mid-fault: heal and restore before leaving.
    if (opts.signal?.aborted) await healEverything(rt);
    await stopping;
    await weatherStopping;
  }
  const records = await load.stop(); // already stopped: the same records
  const result: ChaosResult = {
    ...judge(run, records, sampler.samples, faults, opts.seed, loadEndMs),
    operations: workload.tally(records),
  };
  if (weather) {
    const weatherRecords = await weather.stop();
    const judged = judgeWeather({
      startMs: run.startMs,
      endMs: loadEndMs,
      records: weatherRecords,
      plan: weather.plan,
      faults,
      stored: await weather.stored(weatherRecords),
    });
    result.weather = judged.tally;
    result.violations.push(...judged.violations);
  }
  if (opts.down) await downAndCheck(run, opts.down, result.violations);
  result.violations.sort((a, b) => a.atMs - b.atMs);
  return result;
}

/** State readable at every moment: getStatus every ~100 ms, each failure recorded. */
function startSampler(rt: Runtime): { samples: StatusSample[]; stop(): Promise<void> } {
  const samples: StatusSample[] = [];
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const t = Date.now();
      try {
        samples.push({ atMs: Date.now(), holders: masters(await getStatus(rt)) });
      } catch (err) {
        samples.push({ atMs: Date.now(), holders: [], error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      }
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
  })();
  return {
    samples,
    stop: () => {
      sampling = false;
      return loop;
    },
  };
}

/** One cycle: wait for health, inject, hold, heal, wait for health again, pause. */
async function playFault(run: Run, p: PlannedFault, samples: StatusSample[]): Promise<InjectedFault> {
  const { rt } = run;
  const fault = faultByKind(p.kind);
  const status = await healthy(run, 'before the next fault');
  const holder = (status ? masters(status)[0] : samples.at(-1)?.holders[0]) ?? lbNames(rt.topology)[0]!;
  const primary = status?.nodes.find((n) => n.role === 'redis' && n.state === 'PRIMARY')?.name;
  const shards = p.target.startsWith('cluster-') ? await readShards(rt) : undefined;
  const shortener = shortenerRules.includes(p.target as TargetRule) ? await readShortenerHolders(rt) : undefined;
  const targets = resolvePlanned(run, p, { vip: holder, primary, shards, shortener });
  const target = targets.join('+');
  // Not in step with the probe: a random phase within one interval.
  await sleep(Math.random() * run.intervalMs);
  const atMs = Date.now();
  await fault.inject(rt, targets);
  const injectedAtMs = fault.judgedFrom === 'start' ? atMs : Date.now();
  await sleep(p.holdMs);
  const restoreAtMs = Date.now();
  const what = `${faultMode(p.kind)} ${p.kind} ${target}`;
  await fault.heal(rt, targets).catch((err: unknown) => {
    run.extra.push({ atMs: Date.now() - run.startMs, invariant: 'recovers', detail: `restoring after ${what}: ${message(err)}` });
  });
  await healthy(run, `after ${what}`);
  if (fault.groups.includes('cluster')) await clusterWhole(run, what);
  const injected: InjectedFault = {
    atMs,
    injectedAtMs,
    kind: p.kind,
    target,
    targetHeldVip: target === holder,
    restoreAtMs,
    restoredAtMs: Date.now(),
    endMs: Date.now(),
  };
  await sleep(p.gapMs);
  injected.endMs = Date.now();
  return injected;
}

/** The planned target as node names: the catalogue's rules, with the backend the plan drew. */
function resolvePlanned(run: Run, p: PlannedFault, holders: Holders): string[] {
  if (p.target.startsWith('backend:')) return [p.target.slice('backend:'.length)];
  const renamed: Record<string, TargetRule> = { 'both-lbs': 'all-lbs', 'both-backends': 'all-backends' };
  // A replica drawn at random, as the plan draws backends.
  return resolveTargets(
    run.rt.topology,
    renamed[p.target] ?? (p.target as TargetRule),
    holders,
    (n) => n[Math.floor(Math.random() * n.length)]!,
  );
}

/** Healthy again within 20 s, or a `recovers` violation and everything healed so the soak goes on. */
async function healthy(run: Run, what: string) {
  try {
    return await waitHealthy(run.rt, 20_000);
  } catch (err) {
    run.extra.push({ atMs: Date.now() - run.startMs, invariant: 'recovers', detail: `${what}: ${message(err)}` });
    await healEverything(run.rt);
    return waitHealthy(run.rt, 20_000).catch(() => undefined);
  }
}

/** After a cluster fault's heal: the cluster whole again and `--cluster check` clean, or a violation. */
async function clusterWhole(run: Run, what: string): Promise<void> {
  const problems = await waitClusterWhole(run.rt, 20_000)
    .then(() => checkCluster(run.rt))
    .then((v) => (v.ok ? [] : v.problems))
    .catch((err: unknown) => [message(err)]);
  if (problems.length)
    run.extra.push({ atMs: Date.now() - run.startMs, invariant: 'cluster-whole', detail: `after ${what}: ${problems.join('; ')}` });
}

/** Every cut healed and every node restored, whatever was injected. */
async function healEverything(rt: Runtime): Promise<void> {
  await faultByKind('partition')
    .heal(rt, lbNames(rt.topology))
    .catch(() => undefined);
  for (const n of rt.topology.nodes) await restoreNode(rt, n.name).catch(() => undefined);
}

function judge(
  run: Run,
  records: ProbeRecord[],
  samples: StatusSample[],
  faults: InjectedFault[],
  seed: number,
  endMs: number,
): Omit<ChaosResult, 'operations'> {
  for (let i = 0; i < faults.length; i++) faults[i]!.endMs = faults[i + 1]?.atMs ?? endMs;
  const checked = checkChaos({ startMs: run.startMs, endMs, records, samples, faults, timeoutMs: run.timeoutMs });
  return {
    seed,
    runtime: run.rt.name,
    durationMs: endMs - run.startMs,
    faults: checked.faults,
    violations: [...checked.violations, ...run.extra],
    requests: records.length,
    failed: records.filter((r) => !isSuccess(r)).length,
  };
}

async function downAndCheck(run: Run, progress: Progress, violations: Violation[]): Promise<void> {
  await run.rt.down(progress);
  const left = await run.rt.leftovers();
  if (left.length)
    violations.push({ atMs: Date.now() - run.startMs, invariant: 'down-leaves-nothing', detail: `left behind: ${left.join(', ')}` });
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One line per fault as it happens: what was hit, what it cost, how long until healthy again. */
function liveLine(run: Run, f: InjectedFault, records: ProbeRecord[], samples: StatusSample[]): string {
  const r = checkChaos({
    startMs: f.atMs,
    endMs: f.endMs,
    records: records.filter((x) => x.atMs >= f.atMs - run.timeoutMs),
    samples: samples.filter((s) => s.atMs >= f.atMs),
    faults: [f],
    timeoutMs: run.timeoutMs,
  }).faults[0]!;
  const at = `${((f.atMs - run.startMs) / 1000).toFixed(1).padStart(6)} s`;
  const who =
    faultByKind(f.kind).groups.includes('lb') && !f.target.includes('+')
      ? `${f.target}${f.targetHeldVip ? ' (VIP holder)' : ' (backup)'}`
      : f.target;
  const served =
    (r.recoveredMs === null ? 'not served again' : `served after ${r.recoveredMs} ms`) +
    (r.splitBrainMs ? `, split brain ${r.splitBrainMs} ms` : '') +
    (r.afterHealBlackoutMs !== null ? `, longest gap after the heal ${r.afterHealBlackoutMs} ms` : '');
  return `${at}  ${r.mode} ${f.kind.padEnd(16)} ${who.padEnd(20)} failed ${String(r.failed).padStart(3)}  blackout ${String(r.blackoutMs).padStart(5)} ms  ${served}, healthy ${((f.restoredAtMs - f.restoreAtMs) / 1000).toFixed(1)} s after the restore`;
}
