import { describe, expect, it } from 'vitest';
import type { DemoResult, ScenarioResult } from './run.js';
import { formatSummary, renderReport, toJson } from './report.js';

const result = (over: Partial<ScenarioResult>): ScenarioResult => ({
  id: 'F1',
  name: 'lb-hard-kill',
  title: 'The active LB dies hard',
  run: 1,
  target: 'lb1',
  requests: 300,
  failed: 2,
  failedNew: 1,
  failures: { ECONNREFUSED: 2 },
  blackoutMs: 170,
  blackout: { fromMs: 0, toMs: 170 },
  recoveryMs: 180,
  firstErrorPageMs: null,
  restoreToSuccessMs: null,
  afterRestoreBlackoutMs: null,
  vipBefore: 'lb1',
  vipAfter: 'lb2',
  splitBrainMs: 0,
  splitBrain: [],
  mastersAfter: 1,
  sharesBefore: { backend1: 0.5, backend2: 0.5 },
  sharesAfter: { backend1: 0.5, backend2: 0.5 },
  maxLatencyMs: 1020,
  retries: 0,
  redispatches: 0,
  vrrpTransitions: [{ atMs: 1, lb: 'lb2', state: 'MASTER' }],
  serverChanges: [],
  checks: [
    { expect: 'the VIP moved to the other LB', ok: true },
    { expect: 'blackout under 1 s', ok: true },
  ],
  ok: true,
  windowMs: 2500,
  timeline: {
    window: { startMs: 0, endMs: 2500 },
    originMs: 800,
    lbNames: ['lb1', 'lb2'],
    backendNames: ['backend1', 'backend2'],
    records: [{ atMs: 10, latencyMs: 1, status: 200, lb: 'lb1', backend: 'backend1' }],
    vip: [],
    servers: [],
    transitions: [],
    markers: [{ atMs: 800, label: 'kill lb1 --mode hard', kind: 'fault' }],
    blackout: null,
    splitBrain: [],
  },
  ...over,
});

const demo: DemoResult = {
  runtime: 'netns',
  ok: false,
  durationMs: 12_345,
  floorMs: 14,
  floor: { longestGapMs: 14, requests: 500, failed: 0, durationMs: 5012 },
  scenarios: [
    result({}),
    result({
      id: 'F7',
      name: 'partition',
      target: null,
      splitBrainMs: 1100,
      ok: false,
      checks: [{ expect: 'exactly one MASTER after healing', ok: false }],
      timeline: undefined,
    }),
  ],
};

describe('report', () => {
  it("--json has the issue's shape, more fields, and no timeline", () => {
    const j = toJson(demo, '/tmp/r.html') as { runtime: string; report: string; scenarios: Array<Record<string, unknown>> };
    expect(j.runtime).toBe('netns');
    expect(j.report).toBe('/tmp/r.html');
    expect(j).toMatchObject({ floorMs: 14, floor: { longestGapMs: 14, requests: 500, failed: 0 } });
    expect(j.scenarios[0]).toMatchObject({
      id: 'F1',
      name: 'lb-hard-kill',
      requests: 300,
      failed: 2,
      blackoutMs: 170,
      vipBefore: 'lb1',
      vipAfter: 'lb2',
    });
    expect(j.scenarios[0]).not.toHaveProperty('timeline');
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  it('the summary table names each scenario and what failed', () => {
    const t = formatSummary(demo);
    expect(t).toContain('lb-hard-kill');
    expect(t).toContain('lb1 → lb2');
    expect(t).toContain('FAIL: exactly one MASTER after healing');
    expect(t).toContain('probe floor: longest gap between successes 14 ms over 5 s with no fault');
    expect(formatSummary({ ...demo, floorMs: null, floor: null })).not.toContain('probe floor');
  });

  it('the HTML report has the summary, one section and one SVG per scenario with a timeline', () => {
    const html = renderReport(demo, new Date(0));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<section /g)).toHaveLength(2);
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain('href="#F7-1"');
    expect(html).toContain('kill lb1 --mode hard');
    expect(html).toContain('some expectations not met');
    expect(html).toContain('longest gap between successes 14 ms over 5 s with no fault');
  });
});

describe('report escaping', () => {
  it('escapes every value that goes into the HTML, and embeds the SVG as markup', () => {
    const html = renderReport(
      { ...demo, runtime: '<b>netns</b>', scenarios: [result({ note: `lb1 said "<script>" & left` })] },
      new Date(0),
    );
    expect(html).toContain('Runtime <b>&lt;b&gt;netns&lt;/b&gt;</b>');
    expect(html).toContain('<p class="bad">lb1 said &quot;&lt;script&gt;&quot; &amp; left</p>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<figure><svg xmlns=');
  });
});
