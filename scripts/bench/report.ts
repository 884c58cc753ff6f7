// The bench's results: samples summarised per profile ({min, median, max} for every figure), the
// ratios between profiles (run by run within this invocation), and the same as a terminal table,
// JSON and a markdown section for the README.
import Table from 'cli-table3';
import { profiles, type ProfileName } from '../stack/profiles.js';
import type { LoadPoint, RunSample } from './run.js';
import { formatSummary, pairedRatio, summarize, type Summary } from './summary.js';

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
  throughput: Record<LoadPoint, { rps: S; p50Ms: S; p99Ms: S; failed: S }>;
  up: { coldMs: S; warmMs: S };
  memoryMiB: { haproxy: S; keepalived: S; backend: S };
  flap: { secondsPerRun: number; hogs: number; masterTransitions: S; total: number };
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
  });
  const moved = samples.filter((s) => s.f6VipMoved !== undefined);
  const flaps = over(samples, (s) => s.flap?.masterTransitions);
  return {
    description: p.description,
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
    },
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

const COMPARED: Array<[string, (s: RunSample) => number | undefined]> = [
  ['f1BlackoutMs', (s) => s.scenarios.F1?.blackoutMs],
  ['f2BlackoutMs', (s) => s.scenarios.F2?.blackoutMs],
  ['f3BlackoutMs', (s) => s.scenarios.F3?.blackoutMs],
  ['f4MaxLatencyMs', (s) => s.scenarios.F4?.maxLatencyMs],
  ['upColdMs', (s) => s.upColdMs || undefined],
  ['upWarmMs', (s) => s.upWarmMs],
  ['vipRps', (s) => s.load.vip?.rps],
];

export function buildReport(machine: Machine, samples: RunSample[]): BenchReport {
  const names = [...new Set(samples.map((s) => s.profile))];
  const report: BenchReport = { machine, profiles: {}, ratios: { textbookOverTuned: {}, overhead: {} } };
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
  if (names.includes('textbook') && names.includes('tuned')) {
    const [tb, tu] = [byRun(samples, 'textbook'), byRun(samples, 'tuned')];
    for (const [key, pick] of COMPARED) {
      report.ratios.textbookOverTuned[key] = pairedRatio(
        tb.map((s) => (s ? pick(s) : undefined)),
        tu.map((s) => (s ? pick(s) : undefined)),
        1,
      );
    }
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
  ];
}

function overheadCell(r: BenchReport, p: ProfileName): string {
  const o = r.ratios.overhead[p];
  if (!o) return '–';
  return `${formatSummary(o.rpsHaproxyOverDirect)} · ${formatSummary(o.p50HaproxyOverDirect)} · ${formatSummary(o.p99HaproxyOverDirect)}`;
}

const profileOrder = (r: BenchReport) => (['textbook', 'tuned'] as ProfileName[]).filter((p) => r.profiles[p]);

function matrix(r: BenchReport): { head: string[]; body: string[][] } {
  const names = profileOrder(r);
  const withRatio = Object.keys(r.ratios.textbookOverTuned).length > 0;
  const head = ['', ...names, ...(withRatio ? ['textbook ÷ tuned'] : [])];
  const body = rows(r).map((row) => [
    row.label,
    ...names.map((p) => row.cell(r.profiles[p]!, p)),
    ...(withRatio ? [row.ratio ? formatSummary(r.ratios.textbookOverTuned[row.ratio], '×') : ''] : []),
  ]);
  return { head, body };
}

export function formatTable(r: BenchReport, colour: boolean): string {
  const { head, body } = matrix(r);
  const table = new Table({
    head,
    style: colour ? {} : { head: [], border: [] },
    wordWrap: true,
    colWidths: [44, ...head.slice(1).map(() => null)] as number[],
  });
  for (const row of body) table.push(row);
  return table.toString();
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

export function formatMarkdown(r: BenchReport): string {
  const m = r.machine;
  const { head, body } = matrix(r);
  const lines = [
    '### Benchmark: textbook vs tuned',
    '',
    `Measured ${m.date} with \`${m.command}\` (${m.durationS} s${m.lockWaitS ? `, of which ${m.lockWaitS} s waiting for the stack lock` : ''}), ${m.runtime} runtime, ${Object.values(r.profiles)[0]?.runs ?? 0} runs per profile, interleaved. ` +
      'Every figure is min / median / max over the runs (one figure when they agree); ratios are textbook ÷ tuned, run by run.',
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, HAProxy ${m.haproxy ?? '?'}, keepalived ${m.keepalived ?? '?'}; ` +
      `load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end.`,
    ...(m.note ? ['', `Note: ${m.note}`] : []),
    '',
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
    '',
    'Profiles (scripts/stack/profiles.ts):',
    '',
    ...profileOrder(r).map((p) => `- **${p}**: ${r.profiles[p]!.description}.`),
    '',
    "How it is measured: each run brings up a fresh stack under the profile. F1–F6 are the failover tour's scenarios (`hakit demo`), " +
      'a probe sending a request every 10 ms through the VIP on a new connection; blackout = the longest time without a successful answer. ' +
      `Load: autocannon, ${m.options.connections} keep-alive connections, ${m.options.loadSeconds} s per point, from the host. ` +
      'Warm = every node stopped hard and started again on the network that is still there. ' +
      "Flaps: MASTER transitions counted from keepalived's notify log while busy loops occupy both cores, with no fault.",
  ];
  const problems = profileOrder(r).flatMap((p) => r.profiles[p]!.problems.map((x) => `- ${p} ${x}`));
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
