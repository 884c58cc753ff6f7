import { describe, expect, it } from 'vitest';
import { defaultTopology } from '../stack/topology.js';
import { chartData, dashboardChart } from './chart.js';
import type { Snapshot } from './monitor.js';

const t0 = 1_700_000_000_000;
const snap = (atMs: number, lb1: string, lb2: string): Snapshot => ({
  atMs,
  runtime: 'netns',
  vip: '10.213.0.10',
  url: 'http://10.213.0.10/',
  statsUrl: '',
  vipHolder: lb1 === 'MASTER' ? 'lb1' : lb2 === 'MASTER' ? 'lb2' : undefined,
  nodes: [
    { name: 'lb1', role: 'lb', state: lb1 as 'MASTER', address: '' },
    { name: 'lb2', role: 'lb', state: lb2 as 'MASTER', address: '' },
    { name: 'backend1', role: 'backend', state: 'UP', address: '' },
    { name: 'backend2', role: 'backend', state: 'UP', address: '' },
  ],
});

const input = {
  nowMs: t0 + 1400,
  probes: [
    { atMs: t0 + 100, latencyMs: 2, status: 200, backend: 'backend1', lb: 'lb1' },
    { atMs: t0 + 1100, latencyMs: 2, error: 'ECONNREFUSED' },
    { atMs: t0 + 1300, latencyMs: 2, status: 200, backend: 'backend2', lb: 'lb2' },
  ],
  snapshots: [snap(t0, 'MASTER', 'BACKUP'), snap(t0 + 1200, 'DOWN', 'MASTER')],
  timeline: [
    { atMs: t0 + 1000, kind: 'marker' as const, node: 'lb1', state: 'fault', text: 'kill lb1 (hard)' },
    { atMs: t0 + 1150, kind: 'keepalived' as const, node: 'lb2', state: 'MASTER', text: 'lb2 keepalived: MASTER (priority 100)' },
    { atMs: t0 + 1160, kind: 'vip' as const, text: 'VIP: lb1 → lb2' },
  ],
};

describe('dashboard chart', () => {
  it("turns the dashboard's data into the demo's timeline: fault marker at x = 0, VIP samples, transitions, blackout", () => {
    const d = chartData(input, defaultTopology);
    expect(d.window).toEqual({ startMs: t0, endMs: t0 + 1400 });
    expect(d.originMs).toBe(t0 + 1000);
    expect(d.markers).toEqual([{ atMs: t0 + 1000, label: 'kill lb1 (hard)', kind: 'fault' }]);
    expect(d.vip.map((s) => s.holders)).toEqual([['lb1'], ['lb2']]);
    expect(d.transitions).toEqual([{ atMs: t0 + 1150, lb: 'lb2', state: 'MASTER' }]);
    expect(d.blackout).toEqual({ fromMs: t0 + 102, toMs: t0 + 1302 });
    expect(d.splitBrain).toEqual([]);
  });

  it('has no blackout when every request succeeded, and renders an SVG', () => {
    const ok = { ...input, probes: input.probes.filter((r) => r.status === 200) };
    expect(chartData(ok, defaultTopology).blackout).toBeNull();
    const svg = dashboardChart(defaultTopology)(input) as string;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('kill lb1 (hard)');
  });
});
