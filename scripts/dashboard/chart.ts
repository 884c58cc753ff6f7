// The demo's failover chart (timeline-svg.ts) drawn from what the dashboard saw: the ticker's
// requests, the VIP holders and HAProxy's backend states from the status polls, keepalived's
// transitions and the kill / restore clicks as markers. x = 0 is the last click in the window.
import { longestBlackout, splitBrainSpans, type VipSample } from '../observe/analysis.js';
import type { LbTransition, ServerSample } from '../observe/evidence.js';
import { isSuccess } from '../observe/probe.js';
import { renderTimelineSvg, type Marker, type TimelineData } from '../observe/timeline-svg.js';
import { backends, lbs, type Topology } from '../stack/topology.js';
import type { ChartInput, ChartRenderer } from './app.js';

export function chartData(input: ChartInput, t: Topology, spanMs = 30_000): TimelineData {
  const first = Math.min(...input.probes.map((r) => r.atMs), ...input.snapshots.map((s) => s.atMs), input.nowMs);
  const window = { startMs: Math.max(first, input.nowMs - spanMs), endMs: input.nowMs };
  const inWindow = (atMs: number) => atMs >= window.startMs && atMs <= window.endMs;
  const markers: Marker[] = input.timeline
    .filter((e) => e.kind === 'marker' && (e.state === 'fault' || e.state === 'restore') && inWindow(e.atMs))
    .map((e) => ({ atMs: e.atMs, label: e.text, kind: e.state as Marker['kind'] }));
  const vip: VipSample[] = input.snapshots.map((s) => ({
    atMs: s.atMs,
    holders: s.nodes.filter((n) => n.role === 'lb' && n.state === 'MASTER').map((n) => n.name),
  }));
  // The dashboard reads HAProxy's view from one LB per poll; it stands for the tier's view.
  const servers: ServerSample[] = input.snapshots.flatMap((s) =>
    s.nodes
      .filter((n) => n.role === 'backend')
      .map((n) => ({ atMs: s.atMs, lb: s.vipHolder ?? '', server: n.name, status: n.state, retries: 0, redispatches: 0 })),
  );
  const transitions: LbTransition[] = input.timeline
    .filter((e) => e.kind === 'keepalived' && e.node && e.state)
    .map((e) => ({ atMs: e.atMs, lb: e.node!, state: e.state! }));
  const records = input.probes.filter((r) => inWindow(r.atMs));
  const blackout = records.some((r) => !isSuccess(r)) ? longestBlackout(records, window) : null;
  return {
    window,
    originMs: markers.at(-1)?.atMs ?? window.startMs,
    lbNames: lbs(t).map((n) => n.name),
    backendNames: backends(t).map((n) => n.name),
    records,
    vip,
    servers,
    transitions,
    markers,
    blackout,
    splitBrain: splitBrainSpans(vip, window),
  };
}

export const dashboardChart =
  (t: Topology): ChartRenderer =>
  (input) =>
    renderTimelineSvg(chartData(input, t));
