// The bench runner: for each repeat and each profile (interleaved, so that a change in the
// machine's load hits both alike), one fresh stack is brought up with the profile, measured and
// torn down — one "chunk", held under the stack lock when one is given. The failover figures come
// from the demo's own runner and analysis (runDemo → analyze), nothing is computed twice.
import { ensureCredentials } from '../stack/credentials.js';
import { ensureTls } from '../stack/tls.js';
import { waitHealthy } from '../stack/actions.js';
import { shares } from '../observe/analysis.js';
import { runDemo, type ScenarioResult } from '../demo/run.js';
import { ExitCode, HakitError } from '../errors.js';
import { isSuccess, assertKitAddress, probeSequential } from '../observe/probe.js';
import { keepalivedProfileConf, profiles, vipManagerOf, type ConfigProfile, type ProfileName } from '../stack/profiles.js';
import { silentProgress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { groupsOf } from '../groups/index.js';
import { findScenario, type Scenario } from '../demo/scenarios.js';
import { sleep, waitFor } from '../sh.js';
import { getStatus, masters } from '../observe/status.js';
import { waitStable } from '../observe/settle.js';
import { backends, dataNodes, lbs, tierProbePath, urls } from '../stack/topology.js';
import { componentMemory, type Component } from './memory.js';
import { flapCheck, type FlapResult } from './flap.js';
import { measureLoad, type LoadResult } from './load.js';
import { acquireLock } from './lock.js';
import { formatProblems } from '../stack/preflight.js';
import { clockTicksPerSecond, cpuMsPer1000, haproxyTicks } from './cpu.js';

export interface BenchOptions {
  profiles: ProfileName[];
  repeat: number;
  /** Per throughput point, ≤ 10 s. */
  loadSeconds: number;
  connections: number;
  /** Length of the flap check per run (0 skips it). */
  flapSeconds: number;
  /** Only the failover groups holding one of these (BENCH_FAULTS); all of them when absent. */
  faults?: string[];
  flapHogs: number;
  /** Sequential requests for the round-robin evenness. */
  rrRequests: number;
  /** flock(1) file held around each chunk (one stack's life). */
  lock?: string;
  /** Progress lines (stderr in the CLI). */
  write: (line: string) => void;
  /** Also print the demo's live lines. */
  verbose?: boolean;
  signal?: AbortSignal;
  /** Called with each run's sample as soon as it is measured (an interrupted bench keeps them). */
  onSample?: (sample: RunSample) => void;
}

export type LoadPoint = 'vip' | 'direct' | 'haproxy';

export interface ScenarioFigures {
  blackoutMs: number;
  failed: number;
  /** Successful, but only after ≥ 1 s: sent into the gap, saved by TCP's SYN retransmission. */
  delayed: number;
  maxLatencyMs: number;
  vipBefore: string | null;
  vipAfter: string | null;
  /** keepalived's MASTER transitions, ms after the fault. */
  mastersAtMs: Array<[string, number]>;
  note?: string;
  /** A data fault: what it cost the visit counter (faults/counts.ts). */
  counts?: CountFigures;
}

export interface CountFigures {
  /** Longest time with no count shown; a lower bound when `recovered` is false. */
  blackoutMs: number;
  /** A count was shown again before the window closed (COUNT_CAP_MS after the fault). */
  recovered: boolean;
  /** Longest time with no view reaching Redis (counted or pending); optional in older samples. */
  writeBlackoutMs?: number;
  acknowledged: number;
  lost: number;
  doubled: number;
  /** Page latency p99 from the fault to the first count shown again. */
  p99DuringMs: number;
}

/** Everything measured on one stack: one profile, one repeat. */
export interface RunSample {
  profile: ProfileName;
  run: number;
  upColdMs: number;
  upWarmMs?: number;
  scenarios: Record<string, ScenarioFigures>;
  /** F6: the VIP holder once the stack settled after the restore differs from the one before. */
  f6VipMoved?: boolean;
  rr?: { requests: number; failed: number; maxDeviationPct: number };
  load: Partial<Record<LoadPoint, LoadResult>>;
  memoryMiB: Partial<Record<Component, number>>;
  flap?: FlapResult;
  versions?: { haproxy?: string; keepalived?: string };
  problems: string[];
}

/** Tour order, grouped so that F6 follows F1 on the stack F1 left broken; R1 where there are data nodes. */
const GROUPS: string[][] = [['F4'], ['F5'], ['F2'], ['F1', 'F6'], ['F3'], ['R1']];
/** The scenarios `--faults` may name. */
export const BENCH_FAULTS = GROUPS.flat();
/** After a load balancer was restored, the VIP may still move (pre-emption): wait the profile's settle time. */
const RESTORES_LB = new Set(['F2', 'F1', 'F6', 'F3']);
/** Otherwise a short check that one healthy LB holds the VIP. */
const QUICK_SETTLE_MS = 300;

export interface BenchRun {
  samples: RunSample[];
  /** Time spent waiting for the stack lock (other people's stacks), ms. */
  lockWaitMs: number;
}

export async function runBench(rt: Runtime, o: BenchOptions): Promise<BenchRun> {
  const samples: RunSample[] = [];
  let lockWaitMs = 0;
  for (let run = 1; run <= o.repeat; run++) {
    for (const name of o.profiles) {
      if (o.signal?.aborted) throw new HakitError('interrupted', ExitCode.interrupted);
      o.write(`\n== ${name}, run ${run}/${o.repeat}`);
      const waitStart = performance.now();
      const release = o.lock ? await lockWithNotice(o.lock, o.write) : undefined;
      lockWaitMs += performance.now() - waitStart;
      try {
        if (o.lock) await assertReady(rt);
        else await refuseKeptData(rt);
        const sample = await runChunk(rt, profiles[name], run, o);
        samples.push(sample);
        o.onSample?.(sample);
      } finally {
        await release?.();
      }
    }
  }
  return { samples, lockWaitMs: Math.round(lockWaitMs) };
}

/** Under the lock: what `hakit up` would refuse, refused before this chunk's stack. */
async function assertReady(rt: Runtime): Promise<void> {
  await refuseKeptData(rt);
  const problems = await rt.preflight();
  if (problems.length) throw new HakitError(`cannot start:\n${formatProblems(problems)}`, ExitCode.preflight);
}

/**
 * Data kept by an earlier `down` would be the bench's first stack's (and removed with it, since
 * every chunk ends with `down --volumes`): refused, so no user's data is measured or lost.
 */
async function refuseKeptData(rt: Runtime): Promise<void> {
  const kept = await rt.keptData();
  if (kept.length)
    throw new HakitError(
      `data kept from an earlier stack: ${kept.join(', ')}`,
      ExitCode.preflight,
      'the bench starts every stack on empty data nodes and removes their data after it: remove it first with `hakit down --volumes`',
    );
}

async function lockWithNotice(path: string, write: (l: string) => void) {
  let waiting = true;
  const timer = setTimeout(() => waiting && write(`   waiting for the stack lock ${path} …`), 500);
  try {
    return await acquireLock(path);
  } finally {
    waiting = false;
    clearTimeout(timer);
  }
}

async function step<T>(o: BenchOptions, title: string, body: () => Promise<T>): Promise<T> {
  if (o.signal?.aborted) throw new HakitError('interrupted', ExitCode.interrupted);
  const start = performance.now();
  const result = await body();
  o.write(`   ${title} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return result;
}

async function runChunk(rt: Runtime, profile: ConfigProfile, run: number, o: BenchOptions): Promise<RunSample> {
  if (await rt.isUp()) {
    throw new HakitError(
      'a hakit stack is already up: the bench brings up its own stacks',
      ExitCode.preflight,
      'remove it with `hakit down` (or wait for whoever uses it)',
    );
  }
  const sample: RunSample = { profile: profile.name, run, upColdMs: 0, scenarios: {}, load: {}, memoryMiB: {}, problems: [] };
  try {
    sample.upColdMs = await step(o, 'up', () => timedUp(rt, profile));
    await verifyProfile(rt, profile);
    if (run === 1) sample.versions = await versions(rt);
    await waitStable(rt, QUICK_SETTLE_MS);
    sample.rr = await step(o, `round robin over ${o.rrRequests} sequential requests`, () => roundRobin(rt, o.rrRequests));
    sample.load = await step(o, `throughput, 3 points × ${o.loadSeconds} s`, () => loadPoints(rt, o));
    sample.memoryMiB = await componentMemory(rt);
    if (o.flapSeconds > 0) {
      await waitStable(rt, QUICK_SETTLE_MS);
      sample.flap = await step(o, `flap check, ${o.flapSeconds} s with ${o.flapHogs} CPU hogs`, () =>
        flapCheck(rt, o.flapSeconds, o.flapHogs),
      );
    }
    let settle = QUICK_SETTLE_MS;
    const data = dataNodes(rt.topology).length > 0;
    const chosen = GROUPS.filter(
      (g) => (data || !g.some((id) => id.startsWith('R'))) && (!o.faults || g.some((id) => o.faults!.includes(id))),
    );
    for (const group of chosen) {
      await waitStable(rt, settle);
      settle = group.some((id) => RESTORES_LB.has(id)) ? profile.settleMs : QUICK_SETTLE_MS;
      const list = group.map((id) => findScenario(id)).filter((s): s is Scenario => s !== undefined);
      const result = await step(o, `${group.join(' + ')}`, () =>
        runDemo(rt, {
          scenarios: list,
          repeat: 1,
          write: o.verbose ? (l) => o.write(`     ${l}`) : undefined,
          signal: o.signal,
          floorProbeMs: 0,
        }),
      );
      for (const r of result.scenarios) record(sample, r);
      if (group.includes('F6')) {
        const before = sample.scenarios.F6?.vipBefore;
        const settled = await waitStable(rt, profile.settleMs);
        sample.f6VipMoved = before !== null && before !== undefined ? settled !== before : undefined;
        settle = QUICK_SETTLE_MS;
      }
    }
    await waitStable(rt, settle);
    sample.upWarmMs = await step(o, 'warm start (every node restarted on the existing network)', () => warmRestart(rt));
  } catch (err) {
    if (err instanceof HakitError && err.exitCode === ExitCode.interrupted) throw err;
    if (err instanceof HakitError && err.exitCode === ExitCode.preflight) throw err;
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    sample.problems.push(msg);
    o.write(`   ✗ ${msg}`);
  } finally {
    // Its data too: the next chunk's stack is fresh, whatever profile it runs (a data node kept
    // from the textbook's layout would start the kit's with the wrong primary).
    await rt.down(silentProgress, { volumes: true }).catch(() => undefined);
  }
  return sample;
}

export const DELAYED_MS = 1000;

function record(sample: RunSample, r: ScenarioResult): void {
  const w = r.timeline?.window;
  const origin = r.timeline?.originMs ?? 0;
  const inWindow = (r.timeline?.records ?? []).filter((x) => !w || (x.atMs >= w.startMs && x.atMs <= w.endMs));
  sample.scenarios[r.id] = {
    blackoutMs: r.blackoutMs,
    failed: r.failed,
    delayed: inWindow.filter((x) => isSuccess(x) && x.latencyMs >= DELAYED_MS).length,
    maxLatencyMs: r.maxLatencyMs,
    mastersAtMs: r.vrrpTransitions.filter((t) => t.state === 'MASTER').map((t) => [t.lb, t.atMs - origin]),
    vipBefore: r.vipBefore,
    vipAfter: r.vipAfter,
    ...(r.note ? { note: r.note } : {}),
    ...(r.counts ? { counts: countFigures(r) } : {}),
  };
  if (r.note) sample.problems.push(`${r.id}: ${r.note}`);
}

/** The counter's figures of a data fault, from its tally and its window's records. */
export function countFigures(r: ScenarioResult): CountFigures {
  const c = r.counts!;
  const records = r.timeline?.records ?? [];
  const faultAt = r.timeline?.markers.find((m) => m.kind === 'fault')?.atMs ?? r.timeline?.window.startMs ?? 0;
  const during = records.filter((x) => x.atMs >= faultAt && x.atMs <= faultAt + c.countBlackoutMs).map((x) => x.latencyMs);
  return {
    blackoutMs: c.countBlackoutMs,
    recovered: c.countRecovered,
    writeBlackoutMs: c.writeBlackoutMs,
    acknowledged: c.acknowledged,
    lost: c.lost,
    doubled: c.doubled,
    p99DuringMs: Math.round(percentile(during, 0.99)),
  };
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** `up` under the profile, to a healthy stack (as `hakit up` does, with the profile passed through). */
async function timedUp(rt: Runtime, profile: ConfigProfile): Promise<number> {
  const { creds } = ensureCredentials();
  await ensureTls(rt.topology); // made once; not part of the timed start
  const started = performance.now();
  await rt.up({ progress: silentProgress, credentials: creds, profile });
  await waitHealthy(rt, 30_000);
  return Math.round(performance.now() - started);
}

/**
 * The runtime really applied the profile: each LB runs the profile's VIP manager (lb-peer writes
 * /run/hakit/vip-manager; keepalived's nodes have none) and keepalived's include holds its
 * definitions. Read once every LB's VIP manager has started and decided (MASTER or BACKUP): a
 * healthy stack needs one MASTER only, so the second LB may still be starting when `up` returns
 * (on a busy machine, before its lb-peer wrote vip-manager: "did not apply the ucarp profile on lb2").
 */
export async function verifyProfile(rt: Runtime, profile: ConfigProfile, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    "every load balancer's VIP manager to start (MASTER or BACKUP)",
    async () => {
      const states = (await getStatus(rt)).nodes.filter((n) => n.role === 'lb').map((n) => n.state);
      return states.every((s) => s === 'MASTER' || s === 'BACKUP') ? true : undefined;
    },
    timeoutMs,
    100,
  );
  const layout = dataLayoutProblems(profile, (await getStatus(rt)).nodes);
  if (layout.length)
    throw new HakitError(
      `the ${rt.name} runtime did not apply the ${profile.name} profile's data layout: ${layout.join('; ')}`,
      ExitCode.preflight,
      "it must pass the data group's profileEnv (REDIS_ADDRESSES, SENTINEL_ADDRESSES) to its data nodes",
    );
  const want = keepalivedProfileConf(profile).trim();
  for (const lb of lbs(rt.topology)) {
    const manager = (await rt.readRunFile(lb.name, 'vip-manager'))?.trim() || 'keepalived';
    // A healthy stack needs one MASTER: the other LB's entrypoint may not have written its
    // keepalived profile yet (it was read too early, and the bench stopped on a profile it had
    // applied). Only keepalived writes one: under a peer manager there is nothing to wait for.
    const written =
      manager === 'keepalived'
        ? await waitFor(`${lb.name}'s profile`, async () => rt.readRunFile(lb.name, 'profile.conf'), 5_000, 100).catch(() => undefined)
        : undefined;
    if (manager !== vipManagerOf(profile) || (manager === 'keepalived' && written?.trim() !== want)) {
      throw new HakitError(
        `the ${rt.name} runtime did not apply the ${profile.name} profile on ${lb.name}`,
        ExitCode.preflight,
        'it must pass UpOptions.profile to its load balancers (lbProfileEnv in scripts/stack/profiles.ts)',
      );
    }
  }
}

/**
 * What differs between a profile's data layout (profiles.ts dataLayout) and the data nodes as
 * status reads them: a node that should run no Redis is SENTINEL, one that should run no Sentinel
 * says "none". Nothing without a layout.
 */
export function dataLayoutProblems(
  profile: ConfigProfile,
  nodes: Array<{ name: string; role: string; state: string; detail?: Record<string, string | number> }>,
): string[] {
  const layout = profile.dataLayout;
  if (!layout) return [];
  const problems: string[] = [];
  for (const n of nodes.filter((x) => x.role === 'redis')) {
    const redis = layout.redis.includes(n.name);
    const sentinel = layout.sentinels.includes(n.name);
    if (redis === (n.state === 'SENTINEL')) problems.push(`${n.name} ${redis ? 'runs no Redis' : 'runs a Redis'} (${n.state})`);
    if (sentinel === (n.detail?.sentinel === 'none')) problems.push(`${n.name} ${sentinel ? 'runs no Sentinel' : 'runs a Sentinel'}`);
  }
  return problems;
}

async function versions(rt: Runtime): Promise<{ haproxy?: string; keepalived?: string }> {
  const lb = lbs(rt.topology)[0]!.name;
  const first = (s: string) => s.split('\n')[0]?.trim();
  const h = await rt.exec(lb, ['haproxy', '-v']);
  const k = await rt.exec(lb, ['keepalived', '-v']);
  return { haproxy: first(h.stdout)?.match(/version (\S+)/)?.[1], keepalived: first(k.stdout + k.stderr)?.match(/v(\d\S*)/)?.[1] };
}

/** Largest deviation from an equal share, in percentage points, over n sequential requests through the VIP. */
async function roundRobin(rt: Runtime, n: number): Promise<{ requests: number; failed: number; maxDeviationPct: number }> {
  const url = urls(rt.topology).probe;
  assertKitAddress(url, rt.topology);
  const records = await probeSequential(url, n, rt.topology);
  return {
    requests: n,
    failed: records.filter((r) => !isSuccess(r)).length,
    maxDeviationPct: maxShareDeviationPct(shares(records), backends(rt.topology).length),
  };
}

/** Largest |share − 1/n| over the n servers (a server that served nothing counts as share 0), in percentage points. */
export function maxShareDeviationPct(s: Record<string, number>, servers: number): number {
  const values = Object.values(s);
  while (values.length < servers) values.push(0);
  const equal = 1 / servers;
  return Math.round(Math.max(...values.map((v) => Math.abs(v - equal))) * 1000) / 10;
}

/** Throughput through the VIP (both backends), directly to one backend, and through one HAProxy to one backend. */
async function loadPoints(rt: Runtime, o: BenchOptions): Promise<Partial<Record<LoadPoint, LoadResult>>> {
  const t = rt.topology;
  const [b1, b2] = backends(t);
  const active = masters(await getStatus(rt))[0] ?? lbs(t)[0]!.name;
  const activeAddress = t.nodes.find((n) => n.name === active)!.address;
  const at = (url: string) => measureLoad({ url, seconds: o.loadSeconds, connections: o.connections, topology: t });
  // Through HAProxy: also its own CPU time on the active LB, read before and after.
  const clk = await clockTicksPerSecond();
  const viaHaproxy = async (url: string): Promise<LoadResult> => {
    const before = await haproxyTicks(rt, active);
    const r = await at(url);
    const after = await haproxyTicks(rt, active);
    const cpu = before !== undefined && after !== undefined ? cpuMsPer1000(after - before, clk, r.requests) : undefined;
    return cpu === undefined ? r : { ...r, haproxyCpuMsPer1000: cpu };
  };
  const out: Partial<Record<LoadPoint, LoadResult>> = {};
  out.vip = await viaHaproxy(urls(t).probe);
  out.direct = await at(`http://${b1!.address}:${t.ports.backend}${tierProbePath}`);
  // HAProxy with one server: the other is put in maintenance on the active LB, and back after.
  await rt.runtimeApi(active, `disable server be_web/${b2!.name}`);
  try {
    await sleep(200);
    out.haproxy = await viaHaproxy(`http://${activeAddress}:${t.ports.http}${tierProbePath}`);
  } finally {
    await rt.runtimeApi(active, `enable server be_web/${b2!.name}`);
  }
  return out;
}

/** Every node stopped hard, then all started again on the network that is still there, to a healthy stack. */
async function warmRestart(rt: Runtime): Promise<number> {
  const nodes = rt.topology.nodes;
  for (const n of nodes) await rt.stop(n.name, 'hard');
  const { creds } = ensureCredentials();
  const started = performance.now();
  // In the order `up` starts them: group by group, each group's nodes in its own order.
  for (const { nodes: group } of groupsOf(rt.topology)) for (const n of group) await rt.restore(n.name, creds);
  await waitHealthy(rt, 30_000);
  return Math.round(performance.now() - started);
}
