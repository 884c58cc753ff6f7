// The bench's results: samples summarised per profile ({min, median, max} for every figure), the
// ratios between profiles (run by run within this invocation), and the same as a terminal table,
// JSON and a markdown section for the README.
import Table from 'cli-table3';
import { profileNames, profiles, vipManagerOf, type ProfileKind, type ProfileName, type VipManager } from '../stack/profiles.js';
import type { LoadPoint, RunSample } from './run.js';
import { formatSummary, pairedRatio, summarize, type Summary } from './summary.js';
import { COUNT_CAP_MS } from '../faults/counts.js';

type S = Summary | null;

export interface Machine {
  date: string;
  command: string;
  runtime: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  haproxy?: string;
  keepalived?: string;
  /** 1-minute load average when the bench started and ended (other work on the machine shows here). */
  loadAverage: { start: number; end: number };
  durationS: number;
  /** Of which waiting for the stack lock while others used the one stack slot. */
  lockWaitS: number;
  options: Record<string, unknown>;
  note?: string;
}

export interface ProfileFigures {
  description: string;
  kind: ProfileKind;
  vipManager: VipManager;
  overrides: { haproxy: Record<string, string>; keepalived: Record<string, string> };
  runs: number;
  /** delayed: requests that succeeded only after ≥ 1 s (sent into the gap, saved by SYN retransmission). */
  f1: { blackoutMs: S; failed: S; delayed: S };
  f2: { blackoutMs: S; failed: S; delayed: S };
  f3: { blackoutMs: S; failed: S; delayed: S };
  f4: { failed: S; maxLatencyMs: S };
  f5: { failed: S; maxLatencyMs: S };
  /** vipMoved: 1 when the VIP moved on restore, 0 when it stayed. */
  f6: { vipMoved: S; runsMoved: number; runsMeasured: number };
  roundRobin: { requests: number; maxDeviationPct: S; failed: S };
  /** haproxyCpuMsPer1000: HAProxy's own CPU time per 1,000 requests on the LB serving the point (none for direct). */
  throughput: Record<LoadPoint, { rps: S; p50Ms: S; p99Ms: S; failed: S; haproxyCpuMsPer1000: S }>;
  up: { coldMs: S; warmMs: S };
  memoryMiB: { haproxy: S; keepalived: S; backend: S };
  flap: { secondsPerRun: number; hogs: number; masterTransitions: S; total: number; sentinelFailovers?: { perRun: S; total: number } };
  /** R1, the data nodes' primary killed hard (stacks with data nodes): what the visit counter lost. */
  r1?: {
    countBlackoutMs: S;
    runsNotRecovered: number;
    /** Runs that measured R1. */
    runs: number;
    /** Longest time with no view reaching Redis (counted or pending). */
    writeBlackoutMs: S;
    lost: number;
    doubled: number;
    acknowledged: S;
    p99DuringMs: S;
  };
  problems: string[];
  /** The raw figures of each run, for audit. */
  perRun: Array<Pick<RunSample, 'run' | 'upColdMs' | 'upWarmMs' | 'scenarios' | 'f6VipMoved' | 'rr' | 'load' | 'memoryMiB' | 'flap'>>;
}

export interface BenchReport {
  machine: Machine;
  profiles: Partial<Record<ProfileName, ProfileFigures>>;
  ratios: {
    /** textbook ÷ tuned, run by run. */
    textbookOverTuned: Record<string, S>;
    /** Every other profile ÷ tuned (the kit), run by run: the connection modes' and the peers' tables. */
    overKit: Partial<Record<ProfileName, Record<string, S>>>;
    /** Through one HAProxy vs straight to the backend, and through the VIP (two backends) vs one backend, per profile. */
    overhead: Partial<Record<ProfileName, Record<string, S>>>;
  };
}

const num = (x: number | undefined) => (x === undefined ? [] : [x]);
const over = <T>(samples: RunSample[], pick: (s: RunSample) => T | undefined) => samples.flatMap((s) => num(pick(s) as number | undefined));

function figures(name: ProfileName, samples: RunSample[]): ProfileFigures {
  const p = profiles[name];
  const sc = (id: string, k: 'blackoutMs' | 'failed' | 'delayed' | 'maxLatencyMs') => summarize(over(samples, (s) => s.scenarios[id]?.[k]));
  const load = (pt: LoadPoint) => ({
    rps: summarize(
      over(samples, (s) => s.load[pt]?.rps),
      0,
    ),
    p50Ms: summarize(
      over(samples, (s) => s.load[pt]?.p50Ms),
      2,
    ),
    p99Ms: summarize(
      over(samples, (s) => s.load[pt]?.p99Ms),
      2,
    ),
    failed: summarize(
      over(samples, (s) => (s.load[pt] ? s.load[pt]!.non2xx + s.load[pt]!.errors : undefined)),
      0,
    ),
    haproxyCpuMsPer1000: summarize(
      over(samples, (s) => s.load[pt]?.haproxyCpuMsPer1000),
      1,
    ),
  });
  const moved = samples.filter((s) => s.f6VipMoved !== undefined);
  const flaps = over(samples, (s) => s.flap?.masterTransitions);
  const falseFailovers = over(samples, (s) => s.flap?.sentinelFailovers);
  const r1 = samples.flatMap((s) => (s.scenarios.R1?.counts ? [s.scenarios.R1.counts] : []));
  return {
    description: p.description,
    kind: p.kind,
    vipManager: vipManagerOf(p),
    overrides: { haproxy: p.haproxy, keepalived: p.keepalived },
    runs: samples.length,
    f1: { blackoutMs: sc('F1', 'blackoutMs'), failed: sc('F1', 'failed'), delayed: sc('F1', 'delayed') },
    f2: { blackoutMs: sc('F2', 'blackoutMs'), failed: sc('F2', 'failed'), delayed: sc('F2', 'delayed') },
    f3: { blackoutMs: sc('F3', 'blackoutMs'), failed: sc('F3', 'failed'), delayed: sc('F3', 'delayed') },
    f4: { failed: sc('F4', 'failed'), maxLatencyMs: sc('F4', 'maxLatencyMs') },
    f5: { failed: sc('F5', 'failed'), maxLatencyMs: sc('F5', 'maxLatencyMs') },
    f6: {
      vipMoved: summarize(moved.map((s) => (s.f6VipMoved ? 1 : 0))),
      runsMoved: moved.filter((s) => s.f6VipMoved).length,
      runsMeasured: moved.length,
    },
    roundRobin: {
      requests: samples.find((s) => s.rr)?.rr?.requests ?? 0,
      maxDeviationPct: summarize(over(samples, (s) => s.rr?.maxDeviationPct)),
      failed: summarize(
        over(samples, (s) => s.rr?.failed),
        0,
      ),
    },
    throughput: { vip: load('vip'), direct: load('direct'), haproxy: load('haproxy') },
    up: {
      coldMs: summarize(
        over(samples, (s) => s.upColdMs || undefined),
        0,
      ),
      warmMs: summarize(
        over(samples, (s) => s.upWarmMs),
        0,
      ),
    },
    memoryMiB: {
      haproxy: summarize(over(samples, (s) => s.memoryMiB.haproxy)),
      keepalived: summarize(over(samples, (s) => s.memoryMiB.keepalived)),
      backend: summarize(over(samples, (s) => s.memoryMiB.backend)),
    },
    flap: {
      secondsPerRun: samples.find((s) => s.flap)?.flap?.seconds ?? 0,
      hogs: samples.find((s) => s.flap)?.flap?.hogs ?? 0,
      masterTransitions: summarize(flaps, 0),
      total: flaps.reduce((a, b) => a + b, 0),
      ...(falseFailovers.length
        ? { sentinelFailovers: { perRun: summarize(falseFailovers, 0), total: falseFailovers.reduce((a, b) => a + b, 0) } }
        : {}),
    },
    ...(r1.length
      ? {
          r1: {
            countBlackoutMs: summarize(
              r1.map((c) => c.blackoutMs),
              0,
            ),
            runsNotRecovered: r1.filter((c) => !c.recovered).length,
            runs: r1.length,
            writeBlackoutMs: summarize(
              r1.flatMap((c) => (c.writeBlackoutMs === undefined ? [] : [c.writeBlackoutMs])),
              0,
            ),
            lost: r1.reduce((a, c) => a + c.lost, 0),
            doubled: r1.reduce((a, c) => a + c.doubled, 0),
            acknowledged: summarize(
              r1.map((c) => c.acknowledged),
              0,
            ),
            p99DuringMs: summarize(
              r1.map((c) => c.p99DuringMs),
              0,
            ),
          },
        }
      : {}),
    problems: samples.flatMap((s) => s.problems.map((m) => `run ${s.run}: ${m}`)),
    perRun: samples.map(({ run, upColdMs, upWarmMs, scenarios, f6VipMoved, rr, load, memoryMiB, flap }) => ({
      run,
      upColdMs,
      upWarmMs,
      scenarios,
      f6VipMoved,
      rr,
      load,
      memoryMiB,
      flap,
    })),
  };
}

/** Per run index: the sample of that profile (runs line up because the profiles are interleaved). */
const byRun = (samples: RunSample[], name: ProfileName) => {
  const out: Array<RunSample | undefined> = [];
  for (const s of samples.filter((x) => x.profile === name)) out[s.run - 1] = s;
  return out;
};

/** Figures compared run by run against the kit, with the digits their ratio is shown with (throughput ratios sit near 1). */
const COMPARED: Array<[string, (s: RunSample) => number | undefined, number]> = [
  ['f1BlackoutMs', (s) => s.scenarios.F1?.blackoutMs, 1],
  ['f2BlackoutMs', (s) => s.scenarios.F2?.blackoutMs, 1],
  ['f3BlackoutMs', (s) => s.scenarios.F3?.blackoutMs, 1],
  ['f4MaxLatencyMs', (s) => s.scenarios.F4?.maxLatencyMs, 1],
  // A run that did not recover within the window counts with its (lower-bound) blackout.
  ['r1CountBlackoutMs', (s) => s.scenarios.R1?.counts?.blackoutMs, 1],
  ['upColdMs', (s) => s.upColdMs || undefined, 1],
  ['upWarmMs', (s) => s.upWarmMs, 1],
  ['vipRps', (s) => s.load.vip?.rps, 2],
  ['vipP99Ms', (s) => s.load.vip?.p99Ms, 2],
  ['vipCpuPer1000', (s) => s.load.vip?.haproxyCpuMsPer1000, 2],
  ['haproxyRps', (s) => s.load.haproxy?.rps, 2],
];

export function buildReport(machine: Machine, samples: RunSample[]): BenchReport {
  const names = [...new Set(samples.map((s) => s.profile))];
  const report: BenchReport = { machine, profiles: {}, ratios: { textbookOverTuned: {}, overKit: {}, overhead: {} } };
  for (const n of names) {
    const mine = samples.filter((s) => s.profile === n);
    report.profiles[n] = figures(n, mine);
    const ratio = (a: (s: RunSample) => number | undefined, b: (s: RunSample) => number | undefined) =>
      pairedRatio(mine.map(a), mine.map(b));
    report.ratios.overhead[n] = {
      rpsHaproxyOverDirect: ratio(
        (s) => s.load.haproxy?.rps,
        (s) => s.load.direct?.rps,
      ),
      p50HaproxyOverDirect: ratio(
        (s) => s.load.haproxy?.p50Ms,
        (s) => s.load.direct?.p50Ms,
      ),
      p99HaproxyOverDirect: ratio(
        (s) => s.load.haproxy?.p99Ms,
        (s) => s.load.direct?.p99Ms,
      ),
      rpsVipOverDirect: ratio(
        (s) => s.load.vip?.rps,
        (s) => s.load.direct?.rps,
      ),
    };
  }
  if (names.includes('tuned')) {
    const kit = byRun(samples, 'tuned');
    for (const n of names.filter((x) => x !== 'tuned')) {
      const mine = byRun(samples, n);
      const ratios: Record<string, S> = {};
      for (const [key, pick, digits] of COMPARED) {
        ratios[key] = pairedRatio(
          mine.map((s) => (s ? pick(s) : undefined)),
          kit.map((s) => (s ? pick(s) : undefined)),
          digits,
        );
      }
      report.ratios.overKit[n] = ratios;
    }
    if (report.ratios.overKit.textbook) report.ratios.textbookOverTuned = report.ratios.overKit.textbook;
  }
  return report;
}

// ---- presentation: one list of rows for the table and the markdown ----

interface Row {
  label: string;
  cell: (f: ProfileFigures, p: ProfileName) => string;
  ratio?: string;
}

const ms = (s: S) => formatSummary(s, ' ms');
const n = (s: S) => formatSummary(s);
const load = (pt: LoadPoint) => (f: ProfileFigures) => {
  const t = f.throughput[pt];
  return t.rps ? `${formatSummary(t.rps)} req/s · p50 ${formatSummary(t.p50Ms)} · p99 ${formatSummary(t.p99Ms)} ms` : '–';
};

function rows(r: BenchReport): Row[] {
  const anyProfile = Object.values(r.profiles)[0];
  const flapLabel = anyProfile
    ? `VRRP flaps: MASTER changes with no fault, ${anyProfile.flap.secondsPerRun} s × ${anyProfile.flap.hogs} CPU hogs per run`
    : 'VRRP flaps';
  return [
    { label: 'F1 active LB killed hard: blackout', cell: (f) => ms(f.f1.blackoutMs), ratio: 'f1BlackoutMs' },
    { label: 'F1 failed requests (+ delayed ≥ 1 s)', cell: (f) => `${n(f.f1.failed)} (+ ${n(f.f1.delayed)})` },
    { label: 'F2 HAProxy dies on the active LB: blackout', cell: (f) => ms(f.f2.blackoutMs), ratio: 'f2BlackoutMs' },
    { label: 'F2 failed requests (+ delayed ≥ 1 s)', cell: (f) => `${n(f.f2.failed)} (+ ${n(f.f2.delayed)})` },
    {
      label: 'F3 active LB stopped gracefully: failed requests (+ delayed ≥ 1 s)',
      cell: (f) => `${n(f.f3.failed)} (+ ${n(f.f3.delayed)})`,
    },
    { label: 'F3 blackout', cell: (f) => ms(f.f3.blackoutMs), ratio: 'f3BlackoutMs' },
    {
      label: 'F4 backend killed under load: failed requests',
      cell: (f) => `${n(f.f4.failed)} (slowest ${ms(f.f4.maxLatencyMs)})`,
      ratio: 'f4MaxLatencyMs',
    },
    { label: 'F5 backend drained under load: failed requests', cell: (f) => n(f.f5.failed) },
    {
      label: 'F6 failed LB restored: VIP moved back',
      cell: (f) => (f.f6.runsMeasured ? `${f.f6.runsMoved} of ${f.f6.runsMeasured} runs` : '–'),
    },
    {
      label: `Round robin: largest deviation from an equal share (${anyProfile?.roundRobin.requests ?? 0} requests)`,
      cell: (f) => formatSummary(f.roundRobin.maxDeviationPct, ' pp'),
    },
    { label: 'Load through the VIP, both backends', cell: load('vip'), ratio: 'vipRps' },
    { label: 'Load straight to one backend', cell: load('direct') },
    { label: 'Load through one HAProxy to one backend', cell: load('haproxy') },
    { label: 'HAProxy overhead: req/s kept · p50 × · p99 ×', cell: (_f, p) => overheadCell(r, p) },
    { label: '`up` to a healthy stack (cold)', cell: (f) => ms(f.up.coldMs), ratio: 'upColdMs' },
    { label: 'restart of every node on the existing network (warm)', cell: (f) => ms(f.up.warmMs), ratio: 'upWarmMs' },
    {
      label: 'Resident memory: HAProxy · keepalived · backend (MiB)',
      cell: (f) => `${n(f.memoryMiB.haproxy)} · ${n(f.memoryMiB.keepalived)} · ${n(f.memoryMiB.backend)}`,
    },
    { label: flapLabel, cell: (f) => (f.flap.secondsPerRun ? `${n(f.flap.masterTransitions)} (total ${f.flap.total})` : 'not run') },
    ...(Object.values(r.profiles).some((f) => f.r1)
      ? [
          { label: 'R1 data primary killed hard: count blackout', cell: r1Blackout, ratio: 'r1CountBlackoutMs' },
          {
            label: 'R1 write blackout (no view reaching Redis, counted or pending)',
            cell: (f: ProfileFigures) => (f.r1 ? ms(f.r1.writeBlackoutMs) : '–'),
          },
          {
            label: 'R1 counts lost · doubled (all runs) · counted per run',
            cell: (f: ProfileFigures) => (f.r1 ? `${f.r1.lost} · ${f.r1.doubled} · ${n(f.r1.acknowledged)}` : '–'),
          },
          { label: 'R1 page latency p99 during the failover', cell: (f: ProfileFigures) => (f.r1 ? ms(f.r1.p99DuringMs) : '–') },
          {
            label: `Sentinel false failovers with no fault (same ${anyProfile?.flap.secondsPerRun ?? 0} s × ${anyProfile?.flap.hogs ?? 0} hogs)`,
            cell: (f: ProfileFigures) =>
              f.flap.sentinelFailovers ? `${n(f.flap.sentinelFailovers.perRun)} (total ${f.flap.sentinelFailovers.total})` : 'not run',
          },
        ]
      : []),
  ];
}

/**
 * The count blackout; "> 60 s" for the runs whose window (open COUNT_CAP_MS after the fault)
 * closed before a count was shown again: their figure is a lower bound.
 */
export function r1Blackout(f: ProfileFigures): string {
  if (!f.r1) return '–';
  const cap = `> ${COUNT_CAP_MS / 1000} s`;
  const runs = f.r1.runs;
  if (f.r1.runsNotRecovered === 0) return ms(f.r1.countBlackoutMs);
  if (f.r1.runsNotRecovered >= runs) return `${cap} (not recovered in ${runs} of ${runs} runs)`;
  return `${ms(f.r1.countBlackoutMs)} (${f.r1.runsNotRecovered} of ${runs} runs ${cap}: not recovered)`;
}

function overheadCell(r: BenchReport, p: ProfileName): string {
  const o = r.ratios.overhead[p];
  if (!o) return '–';
  return `${formatSummary(o.rpsHaproxyOverDirect)} · ${formatSummary(o.p50HaproxyOverDirect)} · ${formatSummary(o.p99HaproxyOverDirect)}`;
}

/** The profiles of the report that are of this kind, in the catalogue's order. */
const ofKind = (r: BenchReport, kinds: ProfileKind[]) => profileNames.filter((p) => r.profiles[p] && kinds.includes(r.profiles[p]!.kind));
const allProfiles = (r: BenchReport) => profileNames.filter((p) => r.profiles[p]);

interface Grid {
  title: string;
  head: string[];
  body: string[][];
}

/** textbook vs tuned: every figure, one column per kit profile. */
function kitGrid(r: BenchReport): Grid | undefined {
  const names = ofKind(r, ['kit']);
  if (names.length === 0) return undefined;
  const withRatio = Object.keys(r.ratios.textbookOverTuned).length > 0;
  const head = ['', ...names, ...(withRatio ? ['textbook ÷ tuned'] : [])];
  const body = rows(r).map((row) => [
    row.label,
    ...names.map((p) => row.cell(r.profiles[p]!, p)),
    ...(withRatio ? [row.ratio ? formatSummary(r.ratios.textbookOverTuned[row.ratio], '×') : ''] : []),
  ]);
  return { title: 'Benchmark: textbook vs tuned', head, body };
}

const ratioOf = (r: BenchReport, p: ProfileName, key: string) => formatSummary(r.ratios.overKit[p]?.[key], '×');
const failedCell = (x: { failed: S; delayed: S }) => `${n(x.failed)} (+ ${n(x.delayed)})`;

/** Connection modes: the kit (http-server-close) against keep-alive + http-reuse safe, load and failover. */
function connectionGrid(r: BenchReport): Grid | undefined {
  if (!r.profiles.tuned || ofKind(r, ['connection']).length === 0) return undefined;
  const names: ProfileName[] = ['tuned', ...ofKind(r, ['connection'])];
  const cpu = (pt: LoadPoint) => (f: ProfileFigures) => formatSummary(f.throughput[pt].haproxyCpuMsPer1000, ' ms');
  const lines: Array<[string, (f: ProfileFigures) => string, string?]> = [
    ['Through the VIP: req/s', (f) => n(f.throughput.vip.rps), 'vipRps'],
    ['Through the VIP: p99', (f) => ms(f.throughput.vip.p99Ms), 'vipP99Ms'],
    ['HAProxy CPU per 1,000 requests through the VIP', cpu('vip'), 'vipCpuPer1000'],
    ['One HAProxy to one backend: req/s', (f) => n(f.throughput.haproxy.rps), 'haproxyRps'],
    ['One HAProxy to one backend: HAProxy CPU per 1,000 requests', cpu('haproxy')],
    ['F1 active LB killed hard: blackout', (f) => ms(f.f1.blackoutMs), 'f1BlackoutMs'],
    ['F1 failed requests (+ delayed ≥ 1 s)', (f) => failedCell(f.f1)],
    ['F2 HAProxy dies on the active LB: blackout', (f) => ms(f.f2.blackoutMs), 'f2BlackoutMs'],
    ['F2 failed requests (+ delayed ≥ 1 s)', (f) => failedCell(f.f2)],
    ['F4 backend killed under load: failed requests (slowest)', (f) => `${n(f.f4.failed)} (${ms(f.f4.maxLatencyMs)})`, 'f4MaxLatencyMs'],
  ];
  const others = names.slice(1);
  const head = ['', ...names.map((p) => (p === 'tuned' ? 'tuned (http-server-close)' : p)), ...others.map((p) => `${p} ÷ tuned`)];
  const body = lines.map(([label, cell, key]) => [
    label,
    ...names.map((p) => cell(r.profiles[p]!)),
    ...others.map((p) => (key ? ratioOf(r, p, key) : '')),
  ]);
  return { title: 'Connection modes: http-server-close (the kit) vs keep-alive with http-reuse safe', head, body };
}

/** The peers: one row per VIP manager (and the textbook, and the kit), medians with their ratio to the kit. */
function peersGrid(r: BenchReport): Grid | undefined {
  const names = [
    ...ofKind(r, ['peer']),
    ...ofKind(r, ['kit']).filter((p) => p !== 'tuned'),
    ...(r.profiles.tuned ? ['tuned' as const] : []),
  ];
  if (ofKind(r, ['peer']).length === 0) return undefined;
  const blackout = (p: ProfileName, x: { blackoutMs: S }, key: string) => {
    const med = x.blackoutMs ? `${x.blackoutMs.median} ms` : '–';
    const ratio = p === 'tuned' ? undefined : r.ratios.overKit[p]?.[key];
    return ratio ? `${med} (${ratio.median}×)` : med;
  };
  const head = [
    '',
    'F1 blackout, median (÷ kit)',
    'F1 failed (+ delayed)',
    'F2 blackout, median (÷ kit)',
    'F2 failed (+ delayed)',
    'F3 blackout, median (÷ kit)',
    'F3 failed (+ delayed)',
    'flaps (total)',
  ];
  const label = (p: ProfileName) =>
    p === 'tuned' ? 'kit (tuned keepalived)' : p === 'pacemaker' ? 'Pacemaker/Corosync' : p === 'textbook' ? 'textbook keepalived' : p;
  const body = names.map((p) => {
    const f = r.profiles[p]!;
    return [
      label(p),
      blackout(p, f.f1, 'f1BlackoutMs'),
      failedCell(f.f1),
      blackout(p, f.f2, 'f2BlackoutMs'),
      failedCell(f.f2),
      blackout(p, f.f3, 'f3BlackoutMs'),
      failedCell(f.f3),
      f.flap.secondsPerRun ? `${n(f.flap.masterTransitions)} (${f.flap.total})` : 'not run',
    ];
  });
  return { title: 'Peers: what users pick instead of keepalived, on the same nodes, probe and faults', head, body };
}

const grids = (r: BenchReport) => [kitGrid(r), connectionGrid(r), peersGrid(r)].filter((g): g is Grid => g !== undefined);

export function formatTable(r: BenchReport, colour: boolean): string {
  return grids(r)
    .map((g) => {
      const table = new Table({
        head: g.head,
        style: colour ? {} : { head: [], border: [] },
        wordWrap: true,
        colWidths: [g.body.length > 4 ? 44 : 24, ...g.head.slice(1).map(() => null)] as number[],
      });
      for (const row of g.body) table.push(row);
      return `${g.title}\n${table.toString()}`;
    })
    .join('\n\n');
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');
const mdGrid = (g: Grid) => [
  `#### ${g.title}`,
  '',
  `| ${g.head.map(mdCell).join(' | ')} |`,
  `|${g.head.map(() => '---').join('|')}|`,
  ...g.body.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
];

export function formatMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    '### Benchmark: textbook vs tuned, connection modes, peers',
    '',
    `Measured ${m.date} with \`${m.command}\` (${m.durationS} s${m.lockWaitS ? `, of which ${m.lockWaitS} s waiting for the stack lock` : ''}), ${m.runtime} runtime, ${Object.values(r.profiles)[0]?.runs ?? 0} runs per profile, interleaved. ` +
      'Every figure is min / median / max over the runs (one figure when they agree); ratios are against tuned (the kit), run by run.',
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, HAProxy ${m.haproxy ?? '?'}, keepalived ${m.keepalived ?? '?'}; ` +
      `load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end.`,
    ...(m.note ? ['', `Note: ${m.note}`] : []),
    ...grids(r).flatMap((g) => ['', ...mdGrid(g)]),
    '',
    'Profiles (scripts/stack/profiles.ts):',
    '',
    ...allProfiles(r).map((p) => `- **${p}**: ${r.profiles[p]!.description}.`),
    '',
    "How it is measured: each run brings up a fresh stack under the profile. F1–F6 are the failover tour's scenarios (`hakit demo`), " +
      'a probe sending a request every 10 ms through the VIP on a new connection; blackout = the longest time without a successful answer. ' +
      `Load: autocannon, ${m.options.connections} keep-alive connections, ${m.options.loadSeconds} s per point, from the host. ` +
      "HAProxy CPU: utime + stime of the serving LB's HAProxy processes from /proc, before and after the point, per 1,000 answers. " +
      'Warm = every node stopped hard and started again on the network that is still there. ' +
      "Flaps: MASTER transitions counted from the VIP manager's log (keepalived's notify, ucarp's up script, the VIP appearing under Pacemaker) while busy loops occupy both cores, with no fault.",
  ];
  const problems = allProfiles(r).flatMap((p) => r.profiles[p]!.problems.map((x) => `- ${p} ${x}`));
  if (problems.length) lines.push('', 'Problems seen during the runs:', '', ...problems);
  return lines.join('\n') + '\n';
}

export const README_START = '<!-- bench-results:start -->';
export const README_END = '<!-- bench-results:end -->';

/** The README with the text between the bench markers replaced; undefined when the markers are missing. */
export function embedInReadme(readme: string, section: string): string | undefined {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + README_START.length)}\n${section.trimEnd()}\n${readme.slice(b)}`;
}
