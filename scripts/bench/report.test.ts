import { describe, expect, it } from 'vitest';
import {
  buildReport,
  embedInReadme,
  formatMarkdown,
  formatTable,
  r1Blackout,
  README_END,
  README_START,
  type Machine,
  type ProfileFigures,
} from './report.js';
import { maxShareDeviationPct, type RunSample } from './run.js';
import type { ProfileName } from '../stack/profiles.js';

const machine: Machine = {
  date: '2026-11-23T12:00:00Z',
  command: 'hakit bench',
  runtime: 'netns',
  cpu: 'Test CPU',
  cores: 2,
  memoryGiB: 4,
  kernel: '6.1',
  node: '20.0.0',
  loadAverage: { start: 0.5, end: 0.7 },
  durationS: 600,
  lockWaitS: 0,
  options: { connections: 10, loadSeconds: 3 },
};

const scenario = (blackoutMs: number, failed = 0) => ({
  blackoutMs,
  failed,
  delayed: 0,
  maxLatencyMs: 10,
  vipBefore: 'lb1',
  vipAfter: 'lb2',
  mastersAtMs: [],
});
const load = (rps: number, p50Ms: number, haproxyCpuMsPer1000?: number) => ({
  rps,
  p50Ms,
  p99Ms: p50Ms * 3,
  non2xx: 0,
  errors: 0,
  requests: rps * 3,
  ...(haproxyCpuMsPer1000 === undefined ? {} : { haproxyCpuMsPer1000 }),
});

function sample(profile: ProfileName, run: number, f1: number, vipRps = 800, cpu = 40): RunSample {
  return {
    profile,
    run,
    upColdMs: profile === 'textbook' ? 5000 : 2000,
    upWarmMs: 1000,
    scenarios: { F1: scenario(f1, 1), F2: scenario(f1 / 2), F3: scenario(50), F4: scenario(0), F5: scenario(0), F6: scenario(0) },
    f6VipMoved: profile === 'textbook',
    rr: { requests: 1000, failed: 0, maxDeviationPct: 0 },
    load: { vip: load(vipRps, 10, cpu), direct: load(1000, 5), haproxy: load(900, 6, cpu) },
    memoryMiB: { haproxy: 15, keepalived: 13, backend: 80 },
    flap: { seconds: 10, hogs: 2, masterTransitions: 0 },
    problems: [],
  };
}

const samples = [
  sample('textbook', 1, 3000),
  sample('tuned', 1, 150),
  sample('textbook', 2, 3600),
  sample('tuned', 2, 180),
  sample('textbook', 3, 3300),
  sample('tuned', 3, 165),
];

describe('buildReport', () => {
  const r = buildReport(machine, samples);

  it('has the JSON shape {machine, profiles: {textbook, tuned}, ratios} with {min, median, max} figures', () => {
    expect(Object.keys(r)).toEqual(['machine', 'profiles', 'ratios']);
    expect(Object.keys(r.profiles).sort()).toEqual(['textbook', 'tuned']);
    expect(r.profiles.textbook!.f1.blackoutMs).toEqual({ min: 3000, median: 3300, max: 3600 });
    expect(r.profiles.tuned!.throughput.vip.rps).toEqual({ min: 800, median: 800, max: 800 });
    expect(r.profiles.textbook!.f6).toMatchObject({ runsMoved: 3, runsMeasured: 3 });
    expect(r.profiles.tuned!.runs).toBe(3);
  });

  it('divides textbook by tuned run by run', () => {
    // 3000/150 = 20, 3600/180 = 20, 3300/165 = 20
    expect(r.ratios.textbookOverTuned.f1BlackoutMs).toEqual({ min: 20, median: 20, max: 20 });
    expect(r.ratios.overhead.tuned!.rpsHaproxyOverDirect).toEqual({ min: 0.9, median: 0.9, max: 0.9 });
    expect(r.ratios.overhead.tuned!.p50HaproxyOverDirect).toEqual({ min: 1.2, median: 1.2, max: 1.2 });
  });

  it('has no textbook ÷ tuned ratios when only one profile ran', () => {
    const one = buildReport(
      machine,
      samples.filter((s) => s.profile === 'tuned'),
    );
    expect(one.ratios.textbookOverTuned).toEqual({});
    expect(formatTable(one, false)).not.toContain('textbook ÷ tuned');
  });

  it('prints both profiles and the ratio in the table and the markdown', () => {
    const table = formatTable(r, false);
    expect(table).toContain('textbook ÷ tuned');
    expect(table).toContain('3000 / 3300 / 3600 ms');
    const md = formatMarkdown(r);
    expect(md).toContain('| F1 active LB killed hard: blackout | 3000 / 3300 / 3600 ms | 150 / 165 / 180 ms | 20× |');
    expect(md).toContain('`hakit bench`');
    expect(md).toContain('Test CPU');
  });
});

describe('connection modes and peers', () => {
  // keepalive: 1.25× the kit's req/s at half its HAProxy CPU; ucarp: 20× the kit's F1, pacemaker 30×.
  const more = [
    ...samples,
    sample('keepalive', 1, 150, 1000, 20),
    sample('keepalive', 2, 180, 1000, 20),
    sample('keepalive', 3, 165, 1000, 20),
    sample('ucarp', 1, 3000),
    sample('ucarp', 2, 3600),
    sample('ucarp', 3, 3300),
    sample('pacemaker', 1, 4500),
    sample('pacemaker', 2, 5400),
    sample('pacemaker', 3, 4950),
  ];
  const r = buildReport(machine, more);

  it('sums HAProxy CPU per 1,000 requests and divides every profile by the kit run by run', () => {
    expect(r.profiles.keepalive!.throughput.vip.haproxyCpuMsPer1000).toEqual({ min: 20, median: 20, max: 20 });
    expect(r.profiles.tuned!.throughput.direct.haproxyCpuMsPer1000).toBeNull();
    expect(r.ratios.overKit.keepalive!.vipRps).toEqual({ min: 1.25, median: 1.25, max: 1.25 });
    expect(r.ratios.overKit.keepalive!.vipCpuPer1000).toEqual({ min: 0.5, median: 0.5, max: 0.5 });
    expect(r.ratios.overKit.pacemaker!.f1BlackoutMs).toEqual({ min: 30, median: 30, max: 30 });
    expect(r.profiles.ucarp).toMatchObject({ kind: 'peer', vipManager: 'ucarp' });
  });

  it('renders a connection-mode table and a peers table beside the kit table', () => {
    const md = formatMarkdown(r);
    expect(md).toContain('#### Connection modes');
    expect(md).toContain('| HAProxy CPU per 1,000 requests through the VIP | 40 ms | 20 ms | 0.5× |');
    expect(md).toContain('| Through the VIP: req/s | 800 | 1000 | 1.25× |');
    expect(md).toContain('#### Peers');
    expect(md).toContain('| Pacemaker/Corosync | 4950 ms (30×) |');
    expect(md).toContain('| ucarp | 3300 ms (20×) |');
    expect(md).toContain('| kit (tuned keepalived) | 165 ms |');
    // ucarp before Pacemaker before the textbook before the kit.
    expect(md.indexOf('| ucarp |')).toBeLessThan(md.indexOf('| Pacemaker/Corosync |'));
    expect(md.indexOf('| textbook keepalived |')).toBeLessThan(md.indexOf('| kit (tuned keepalived) |'));
    expect(formatTable(r, false)).toContain('Peers:');
  });

  it('leaves out the tables whose profiles did not run', () => {
    const md = formatMarkdown(buildReport(machine, samples));
    expect(md).not.toContain('Connection modes');
    expect(md).not.toContain('#### Peers');
  });
});

describe('embedInReadme', () => {
  it('replaces only what is between the markers', () => {
    const readme = `# x\n\nbefore\n${README_START}\nold\n${README_END}\nafter\n`;
    expect(embedInReadme(readme, 'new section\n')).toBe(`# x\n\nbefore\n${README_START}\nnew section\n${README_END}\nafter\n`);
    expect(embedInReadme('no markers', 'x')).toBeUndefined();
  });
});

describe('maxShareDeviationPct', () => {
  it('is the largest distance from an equal share, a silent server counting as 0', () => {
    expect(maxShareDeviationPct({ backend1: 0.5, backend2: 0.5 }, 2)).toBe(0);
    expect(maxShareDeviationPct({ backend1: 0.53, backend2: 0.47 }, 2)).toBe(3);
    expect(maxShareDeviationPct({ backend1: 1 }, 2)).toBe(50);
  });
});

describe("R1's count blackout", () => {
  const figures = (runsNotRecovered: number, runs: number) =>
    ({
      r1: {
        countBlackoutMs: { min: 1200, median: 1500, max: 60_100 },
        runsNotRecovered,
        runs,
        writeBlackoutMs: { min: 900, median: 1000, max: 1100 },
        lost: 0,
        doubled: 0,
        acknowledged: null,
        p99DuringMs: null,
      },
    }) as unknown as ProfileFigures;

  it('is a figure when every run recovered, "> 60 s" for those whose window closed first', () => {
    expect(r1Blackout(figures(0, 3))).toBe('1200 / 1500 / 60100 ms');
    expect(r1Blackout(figures(1, 3))).toBe('1200 / 1500 / 60100 ms (1 of 3 runs > 60 s: not recovered)');
    expect(r1Blackout(figures(3, 3))).toBe('> 60 s (not recovered in 3 of 3 runs)');
  });
});
