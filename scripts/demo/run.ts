// The failover tour's runner: for each scenario, a measuring window with the probe sending a
// request every 10 ms through the VIP and the evidence poller watching the stack; the fault is
// injected inside the window, the stack is mended outside it. Returns one result per scenario.
import { nodeIsWhole, restoreNode, waitHealthy } from '../stack/actions.js';
import { analyze, type ScenarioMetrics } from '../observe/analysis.js';
import { counterDeltas, serverChanges, startEvidence, type Evidence, type EvidencePoller, type ServerSample } from '../observe/evidence.js';
import { LiveView } from './live-view.js';
import { assertKitAddress, runProbe, type ProbeRecord, type ProbeStep } from '../observe/probe.js';
import { formatFloor, measureFloor, type ProbeFloor } from '../observe/floor.js';
import { warmProbeThread } from '../observe/probe-thread.js';
import { waitSettled } from '../observe/settle.js';
import type { Runtime } from '../runtime/runtime.js';
import { scenarios as allScenarios, type Marked, type Scenario, type ScenarioContext } from './scenarios.js';
import { sleep } from '../sh.js';
import { backends, dataNodes, lbs, urls } from '../stack/topology.js';
import { randomBytes } from 'node:crypto';
import { COUNT_CAP_MS, tallyCounts, type CounterReadings, type CountTally } from '../faults/counts.js';
import { countersAgree, primaryCounter } from '../groups/redis/counter.js';
import type { TimelineData } from '../observe/timeline-svg.js';
import type { WeatherTally } from '../faults/weather-ops.js';
import { openWeatherWindow } from './weather-window.js';
import { tallyShortener, type ShortenerTally } from '../faults/shortener-ops.js';
import { openShortenerWindow } from './shortener-window.js';
import { checkCluster } from '../groups/cluster/formation.js';

export interface DemoOptions {
  scenarios?: Scenario[];
  repeat?: number;
  /** Live lines (stderr in the CLI); nothing when absent. */
  write?: (line: string) => void;
  colour?: boolean;
  /** Probe traffic before the fault and after the stack settled, ms. */
  beforeMs?: number;
  afterMs?: number;
  intervalMs?: number;
  /** How long the probe's floor is measured before the first scenario, ms (0: not measured). */
  floorProbeMs?: number;
  signal?: AbortSignal;
}

export interface ScenarioResult extends ScenarioMetrics {
  id: string;
  name: string;
  title: string;
  run: number;
  target: string | null;
  retries: number;
  redispatches: number;
  vrrpTransitions: Array<{ atMs: number; lb: string; state: string }>;
  serverChanges: Array<{ atMs: number; lb: string; server: string; from: string; to: string }>;
  checks: Array<{ expect: string; ok: boolean }>;
  ok: boolean;
  skipped?: string;
  /** Why the scenario did not reach its expected state, if it did not. */
  note?: string;
  windowMs: number;
  timeline?: TimelineData;
  /** The data scenarios: what the visit counter lost or doubled, and its readings. */
  counts?: CountTally & CounterReadings;
  /** After the mend, the day's counter on each data node (the course's check: all equal). */
  countersAfterRestore?: Record<string, number>;
  /** The C-scenarios: what the weather workload's reads and writes saw, and what was lost. */
  weather?: WeatherTally;
  /** The U-scenarios: redirects, creates, Σ clicks in Postgres against the redirects served, catch-up. */
  shortener?: ShortenerTally;
}

export interface DemoResult {
  runtime: string;
  ok: boolean;
  durationMs: number;
  /** The probe's longest gap between successes with no fault (what every blackout sits on), ms. */
  floorMs: number | null;
  floor: ProbeFloor | null;
  scenarios: ScenarioResult[];
}

export async function runDemo(rt: Runtime, opts: DemoOptions = {}): Promise<DemoResult> {
  const list = opts.scenarios ?? allScenarios;
  const repeat = Math.max(1, opts.repeat ?? 1);
  const write = opts.write ?? (() => undefined);
  const url = urls(rt.topology).probe;
  assertKitAddress(url, rt.topology);
  const started = Date.now();
  const results: ScenarioResult[] = [];
  const shared: ScenarioContext['shared'] = {};
  // The probe's thread starts now, not at the first window's edge (a gap there would read as a blackout).
  await warmProbeThread();
  const floor = await probeFloor(rt, list[0], shared, opts, url, write);
  for (let run = 1; run <= repeat; run++) {
    for (let i = 0; i < list.length; i++) {
      if (opts.signal?.aborted) break;
      const sc = list[i]!;
      const next = list[i + 1] ?? (run < repeat ? list[0] : undefined);
      write('');
      write(`${sc.id}  ${sc.title}${repeat > 1 ? `  (run ${run}/${repeat})` : ''}`);
      const skipped = sc.unsupported?.(rt);
      if (skipped) {
        write(`  skipped: ${skipped}`);
        results.push(skippedResult(sc, run, skipped));
        continue;
      }
      const result = await runScenario(rt, sc, run, shared, { ...opts, write, url });
      results.push(result);
      write(`  ${headline(result)}`);
      for (const c of result.checks) write(`  ${c.ok ? '✓' : '✗'} ${c.expect}`);
      if (sc.cleanup && next?.continues !== sc.id) {
        write('  mending the stack …');
        await sc.cleanup(context(rt, [], undefined, shared), result.target ?? undefined);
      }
      if (sc.counts) await checkCountersAgree(rt, result, write);
      if (sc.weather) await checkClusterClean(rt, result, write);
    }
  }
  return {
    runtime: rt.name,
    ok: results.every((r) => r.ok),
    durationMs: Date.now() - started,
    floorMs: floor?.longestGapMs ?? null,
    floor,
    scenarios: results,
  };
}

/**
 * The probe's floor on the settled stack (observe/settle.ts: a floor read right after `up` measures
 * the stack's warm-up, not the probe), with the evidence poller running as in a window (its work
 * is part of what the probe must not feel), before any fault.
 */
async function probeFloor(
  rt: Runtime,
  first: Scenario | undefined,
  shared: ScenarioContext['shared'],
  opts: DemoOptions,
  url: string,
  write: (line: string) => void,
): Promise<ProbeFloor | null> {
  const ms = opts.floorProbeMs ?? 5000;
  if (!first || ms <= 0 || opts.signal?.aborted) return null;
  await ready(rt, first, shared);
  // Not settled in time: still measured, and said, since the tour itself does not depend on it.
  const unsettled = await waitSettled(rt, { intervalMs: opts.intervalMs ?? 10 }).then(
    () => undefined,
    (err: Error) => err.message,
  );
  if (unsettled) write(`${unsettled}; measuring the floor anyway`);
  const evidence = startEvidence(rt, 75);
  const floor = await measureFloor(url, rt.topology, ms, opts.intervalMs ?? 10).finally(() => evidence.stop(Date.now()));
  write(formatFloor(floor));
  return floor;
}

function context(
  rt: Runtime,
  records: ProbeRecord[],
  evidence: ScenarioContext['evidence'] | undefined,
  shared: ScenarioContext['shared'],
  marks: Marked[] = [],
): ScenarioContext {
  return {
    rt,
    records,
    evidence: evidence ?? {
      latest: () => undefined,
      latestServers: () => [],
      stop: async () => ({ vip: [], servers: [], transitions: [] }),
    },
    mark: (label, kind) => marks.push({ atMs: Date.now(), label, kind }),
    shared,
  };
}

/** Every node whole and the stack healthy, except what the scenario takes over from the previous one. */
async function ready(rt: Runtime, sc: Scenario, shared: ScenarioContext['shared']): Promise<void> {
  for (const n of rt.topology.nodes) {
    if (sc.continues && n.name === shared.downLb) continue;
    if (!(await nodeIsWhole(rt, n.name))) await restoreNode(rt, n.name);
  }
  if (!sc.continues || !shared.downLb) await waitHealthy(rt, 20_000);
}

async function runScenario(
  rt: Runtime,
  sc: Scenario,
  run: number,
  shared: ScenarioContext['shared'],
  opts: DemoOptions & { write: (l: string) => void; url: string },
): Promise<ScenarioResult> {
  await ready(rt, sc, shared);
  const target = await sc.setup?.(context(rt, [], undefined, shared));
  // A data scenario loads the counting page as one visitor, and reads the counter around it.
  const before = sc.counts ? await primaryCounter(rt) : undefined;
  // A C-scenario reads and writes the weather API (the probe's timeout outlasts a write's retries).
  const weather = sc.weather ? await openWeatherWindow(rt, { misses: sc.weather.misses, steps: 6000 }) : undefined;
  // A U-scenario follows a link of its own, with creates beside it while the window is open.
  forgetCatchUp(shared);
  const links = sc.shortener ? await openShortenerWindow(rt, COUNT_CAP_MS + 10_000) : undefined;
  const w = openWindow(
    rt,
    shared,
    sc.counts
      ? { ...opts, url: urls(rt.topology).vip, headers: countingVisitor() }
      : weather
        ? { ...opts, url: urls(rt.topology).vip, plan: weather.plan, timeoutMs: 6000 }
        : links
          ? { ...opts, url: urls(rt.topology).vip, plan: links.plan }
          : opts,
  );
  const played = await play(sc, w, target, opts);
  const creates = await links?.stopCreates();
  const closed = await closeWindow(w);
  const counts = before === undefined ? undefined : countsOf(closed.all, { before, after: await primaryCounter(rt) });
  const tally = weather
    ? await weather.tally(closed.all, { startMs: w.startMs, endMs: closed.endMs }, played.faultAtMs, target)
    : undefined;
  const clicks = links
    ? tallyShortener({
        records: closed.all,
        creates: creates ?? [],
        window: { startMs: w.startMs, endMs: closed.endMs },
        clicks: await links.settledClicks(closed.all.filter((r) => r.status === 302).length, sc.shortener!.lossy),
        catchUpMs: shared.catchUp?.ms,
        rebuilds: shared.catchUp?.rebuilds,
      })
    : undefined;
  return scenarioResult(rt, sc, run, target, w, played, closed, counts, tally, clicks);
}

/** The previous U-scenario's catch-up is not this one's. */
const forgetCatchUp = (shared: ScenarioContext['shared']) => void delete shared.catchUp;

/** One visitor for the whole window: the day's unique visitors grow by one, not by every view. */
const countingVisitor = () => ({ cookie: `hakit_visitor=tour-${randomBytes(12).toString('base64url')}` });

function countsOf(records: ProbeRecord[], readings: CounterReadings): CountTally & CounterReadings {
  return { ...tallyCounts(records, readings), ...readings };
}

/** After the mend: the day's counter equal on every data node (the course's own check). */
async function checkCountersAgree(rt: Runtime, result: ScenarioResult, write: (line: string) => void): Promise<void> {
  const seen = await countersAgree(rt);
  const values = [...seen.values()];
  const ok = values.length === dataNodes(rt.topology).length && new Set(values).size === 1;
  result.countersAfterRestore = Object.fromEntries(seen);
  result.checks.push({ expect: 'after the restore, the counter is equal on every data node', ok });
  result.ok &&= ok;
  write(`  ${ok ? '✓' : '✗'} counter after the restore: ${[...seen].map(([n, c]) => `${n} ${c}`).join(', ') || 'no node answered'}`);
}

/** After the mend: `redis-cli --cluster check` clean, every slot covered (the cluster's own check). */
async function checkClusterClean(rt: Runtime, result: ScenarioResult, write: (line: string) => void): Promise<void> {
  const v = await checkCluster(rt);
  result.checks.push({ expect: 'after the restore, --cluster check is clean and every slot covered', ok: v.ok });
  result.ok &&= v.ok;
  write(`  ${v.ok ? '✓' : '✗'} --cluster check after the restore${v.ok ? '' : `: ${v.problems.join('; ')}`}`);
}

/** The measuring window: the probe, the evidence poller and the live view, started together. */
interface MeasuringWindow {
  startMs: number;
  marks: Marked[];
  live: LiveView;
  probe: Promise<ProbeRecord[]>;
  evidence: EvidencePoller;
  ctx: ScenarioContext;
  stop(): void;
}

function openWindow(
  rt: Runtime,
  shared: ScenarioContext['shared'],
  opts: DemoOptions & { write: (l: string) => void; url: string; headers?: Record<string, string>; plan?: ProbeStep[]; timeoutMs?: number },
): MeasuringWindow {
  const records: ProbeRecord[] = [];
  const marks: Marked[] = [];
  const startMs = Date.now();
  const live = new LiveView(opts.write, startMs, 100, opts.colour);
  const evidence = startEvidence(rt, 75, liveNotes(live));
  const stopProbe = new AbortController();
  const probe = runProbe({
    url: opts.url,
    topology: rt.topology,
    intervalMs: opts.intervalMs ?? 10,
    timeoutMs: opts.timeoutMs ?? 2000,
    // A safety bound: a data fault's window may run COUNT_CAP_MS after its fault, plus before and after.
    maxDurationMs: COUNT_CAP_MS + 10_000,
    headers: opts.headers,
    plan: opts.plan,
    signal: stopProbe.signal,
    onRecord: (r) => {
      records.push(r);
      live.record(r);
    },
  });
  const ticker = setInterval(() => live.tick(Date.now()), 100);
  const ctx = context(rt, records, evidence, shared, marks);
  const origMark = ctx.mark;
  ctx.mark = (label, kind) => {
    origMark(label, kind);
    live.note(marks.at(-1)!.atMs, label);
  };
  return {
    startMs,
    marks,
    live,
    probe,
    evidence,
    ctx,
    stop: () => {
      stopProbe.abort();
      clearInterval(ticker);
    },
  };
}

/** The live view's notes from the evidence: who holds the VIP, what HAProxy says of its servers. */
function liveNotes(live: LiveView): (s: { atMs: number; holders: string[] }, rows: ServerSample[]) => void {
  let lastHolders: string | undefined;
  const lastServer = new Map<string, string>();
  return (s, rows) => {
    const holders = s.holders.join('+') || 'nobody';
    if (lastHolders !== undefined && holders !== lastHolders) live.note(s.atMs, `VIP held by ${holders}`);
    lastHolders = holders;
    for (const r of rows) {
      const key = `${r.lb}/${r.server}`;
      const word = r.status.split(' ')[0]!;
      const prev = lastServer.get(key);
      if (prev !== undefined && prev !== word) live.note(r.atMs, `${r.lb}'s HAProxy: ${r.server} ${word}`);
      lastServer.set(key, word);
    }
  };
}

interface Played {
  faultAtMs: number;
  settledAtMs?: number;
  /** Why the scenario did not reach its expected state, if it did not. */
  note?: string;
}

/** Inside the window: quiet traffic, the fault, its settling, traffic after. */
async function play(sc: Scenario, w: MeasuringWindow, target: string | undefined, opts: DemoOptions): Promise<Played> {
  const played: Played = { faultAtMs: w.startMs };
  try {
    // A real fault is not in step with the probe: inject it at a random phase of the interval
    // (in step, it would always hit a request in its first millisecond).
    await sleep((opts.beforeMs ?? 800) + Math.random() * (opts.intervalMs ?? 10));
    played.faultAtMs = Date.now();
    await sc.fault(w.ctx, target);
    await sc.settle(w.ctx, target);
    played.settledAtMs = Date.now();
    await sleep(opts.afterMs ?? 1200);
  } catch (err) {
    played.note = err instanceof Error ? err.message.split('\n')[0] : String(err);
    w.live.note(Date.now(), `did not settle: ${played.note}`);
    await sleep(300);
  } finally {
    w.stop();
  }
  // The fault's own mark is the fault time (a setup may take a moment after the window opened).
  const fault = w.marks.find((m) => m.kind === 'fault');
  if (fault) played.faultAtMs = fault.atMs;
  return played;
}

async function closeWindow(w: MeasuringWindow): Promise<{ endMs: number; all: ProbeRecord[]; ev: Evidence }> {
  const endMs = Date.now();
  const all = await w.probe;
  const ev = await w.evidence.stop(w.startMs);
  w.live.end(endMs);
  return { endMs, all, ev };
}

function scenarioResult(
  rt: Runtime,
  sc: Scenario,
  run: number,
  target: string | undefined,
  w: MeasuringWindow,
  { faultAtMs, settledAtMs, note }: Played,
  { endMs, all, ev }: { endMs: number; all: ProbeRecord[]; ev: Evidence },
  counts?: CountTally & CounterReadings,
  weather?: WeatherTally,
  shortener?: ShortenerTally,
): ScenarioResult {
  const restore = w.marks.find((m) => m.kind === 'restore' && m.atMs >= faultAtMs);
  const window = { startMs: w.startMs, endMs };
  const metrics = analyze({
    records: all,
    window,
    faultAtMs,
    settledAtMs,
    restoreAtMs: restore?.atMs,
    faultedNode: sc.faultedIsTarget ? target : undefined,
    vip: ev.vip,
  });
  const checks = sc.expectations.map((e) => ({ expect: e.text, ok: e.check({ ...metrics, counts, weather, shortener }) }));
  const servers = ev.servers.filter((s) => s.atMs >= w.startMs && s.atMs <= endMs);
  return {
    id: sc.id,
    name: sc.name,
    title: sc.title,
    run,
    target: target ?? null,
    ...metrics,
    ...counterDeltas(servers),
    vrrpTransitions: ev.transitions.filter((t) => t.atMs <= endMs),
    serverChanges: serverChanges(servers),
    checks,
    ok: note === undefined && checks.every((c) => c.ok),
    ...(note ? { note } : {}),
    windowMs: endMs - w.startMs,
    ...(counts ? { counts } : {}),
    ...(weather ? { weather } : {}),
    ...(shortener ? { shortener } : {}),
    timeline: {
      window,
      originMs: faultAtMs,
      lbNames: lbs(rt.topology).map((n) => n.name),
      backendNames: backends(rt.topology).map((n) => n.name),
      records: all,
      vip: ev.vip,
      servers,
      transitions: ev.transitions,
      markers: w.marks,
      blackout: metrics.blackout,
      splitBrain: metrics.splitBrain,
    },
  };
}

function skippedResult(sc: Scenario, run: number, why: string): ScenarioResult {
  return {
    id: sc.id,
    name: sc.name,
    title: sc.title,
    run,
    target: null,
    requests: 0,
    failed: 0,
    failedNew: 0,
    failures: {},
    blackoutMs: 0,
    blackout: null,
    recoveryMs: null,
    firstErrorPageMs: null,
    restoreToSuccessMs: null,
    afterRestoreBlackoutMs: null,
    vipBefore: null,
    vipAfter: null,
    splitBrainMs: 0,
    splitBrain: [],
    mastersAfter: 0,
    sharesBefore: {},
    sharesAfter: {},
    maxLatencyMs: 0,
    retries: 0,
    redispatches: 0,
    vrrpTransitions: [],
    serverChanges: [],
    checks: [],
    ok: true,
    skipped: why,
    windowMs: 0,
  };
}

/** The figures of one scenario in a line. */
export function headline(r: ScenarioResult): string {
  const parts = [`${r.requests} requests`, `${r.failed} failed`, `blackout ${r.blackoutMs} ms`];
  if (r.recoveryMs !== null && r.target) parts.push(`first success on the new path after ${r.recoveryMs} ms`);
  parts.push(`VIP ${r.vipBefore ?? 'none'} → ${r.vipAfter ?? 'none'}`);
  if (r.splitBrainMs) parts.push(`split brain ${r.splitBrainMs} ms`);
  if (r.firstErrorPageMs !== null) parts.push(`first 503 after ${r.firstErrorPageMs} ms`);
  if (r.restoreToSuccessMs !== null) parts.push(`serving again ${r.restoreToSuccessMs} ms after the restore`);
  if (r.afterRestoreBlackoutMs !== null) parts.push(`longest gap after it ${r.afterRestoreBlackoutMs} ms`);
  if (r.retries || r.redispatches) parts.push(`HAProxy retries ${r.retries}, redispatches ${r.redispatches}`);
  if (r.weather) {
    const w = r.weather;
    parts.push(
      `reads ${w.reads.total} (${w.reads.failed + w.reads.unknown} failed; ${w.reads.hit} HIT, ${w.reads.stale} STALE, ${w.reads.miss} MISS)`,
      `writes ${w.writes.total} (${w.writes.failed + w.writes.unknown} failed, ${w.writes.lost} acknowledged lost)`,
    );
    if (w.writeBlackoutMs !== null) parts.push(`write blackout on its shard ${w.writeBlackoutMs} ms`);
    if (w.otherShardsP99Ms.during !== null)
      parts.push(`other shards p99 ${w.otherShardsP99Ms.before ?? '–'} → ${w.otherShardsP99Ms.during} ms`);
    if (w.misses.total) parts.push(`uncached ${w.misses.total}: ${w.misses.withRetryAfter} × 503 Retry-After`);
  }
  if (r.shortener) {
    const u = r.shortener;
    parts.push(
      `redirects ${u.redirects.total} (${u.redirects.failed + u.redirects.unknown} failed)`,
      `creates ${u.creates.total} (${u.creates.failed} refused), create blackout ${u.createBlackoutMs} ms`,
      `clicks ${u.redirects.served} served, ${u.clicks.counted} in Postgres (${u.clicks.pending} pending): lost ${u.lost}, doubled ${u.doubled}`,
    );
    if (u.catchUpMs !== null) parts.push(`caught up in ${u.catchUpMs} ms${u.rebuilds ? ` (rebuilds ${u.rebuilds})` : ''}`);
  }
  if (r.counts) {
    const c = r.counts;
    parts.push(
      `count blackout ${c.countBlackoutMs} ms`,
      `write blackout ${c.writeBlackoutMs} ms`,
      `${c.acknowledged} counted, ${c.pending} pending`,
      `lost ${c.lost}, doubled ${c.doubled}`,
    );
  }
  return parts.join(' · ');
}
