// One scenario's timeline as a self-contained SVG: time on x (0 = the fault), one lane per load
// balancer (VIP ownership band, keepalived transitions, requests it answered) and per backend
// (requests it served, times HAProxy had it out of rotation), and a lane of failed requests.
// Failures are red; each answer is a tick at the time it arrived, with a thin line back to its
// start when it was slow (a retransmitted SYN). Hand-written: one chart type, no browser, no
// charting dependency; every label goes in through markup(), which escapes it.
import { markup, type Markup } from '../html.js';
import type { Span, VipSample, Window } from './analysis.js';
import type { LbTransition, ServerSample } from './evidence.js';
import { isSuccess, type ProbeRecord } from './probe.js';

export interface Marker {
  atMs: number;
  label: string;
  kind: 'fault' | 'restore';
}

export interface TimelineData {
  window: Window;
  /** x = 0 here. */
  originMs: number;
  lbNames: string[];
  backendNames: string[];
  records: ProbeRecord[];
  vip: VipSample[];
  servers: ServerSample[];
  transitions: LbTransition[];
  markers: Marker[];
  blackout: Span | null;
  splitBrain: Span[];
}

const FAILED_LANE = 'failed';

export const colours = {
  ok: '#2e8b57',
  failed: '#d62728',
  vip: '#cfe3f7',
  splitBrain: '#ffd27f',
  down: '#e3e3e3',
  blackout: 'rgba(214,39,40,0.10)',
  fault: '#d62728',
  restore: '#1f77b4',
  grid: '#eeeeee',
  text: '#333333',
} as const;

const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** Tick step (ms) giving about 6–12 ticks over the span. */
export function tickStep(spanMs: number): number {
  for (const step of [100, 200, 250, 500, 1000, 2000, 5000, 10_000]) if (spanMs / step <= 12) return step;
  return 30_000;
}

export function renderTimelineSvg(d: TimelineData, width = 960): string {
  const left = 86;
  const right = 16;
  const top = 26;
  const laneH = 26;
  const gap = 6;
  const lanes = [...d.lbNames, ...d.backendNames, FAILED_LANE];
  const height = top + lanes.length * (laneH + gap) + 30;
  const span = Math.max(1, d.window.endMs - d.window.startMs);
  const x = (t: number) =>
    left + ((Math.min(Math.max(t, d.window.startMs), d.window.endMs) - d.window.startMs) / span) * (width - left - right);
  const laneY = (name: string) => top + lanes.indexOf(name) * (laneH + gap);
  const out: Markup[] = [];
  const rect = (x0: number, x1: number, y: number, h: number, fill: string, title?: string) =>
    out.push(
      markup`<rect x="${f(x0)}" y="${f(y)}" width="${f(Math.max(1, x1 - x0))}" height="${f(h)}" fill="${fill}">${title ? markup`<title>${title}</title>` : ''}</rect>`,
    );

  out.push(
    markup`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="11">`,
  );
  // Time grid and axis, in seconds from the fault.
  const step = tickStep(span);
  const axisY = top + lanes.length * (laneH + gap);
  for (let t = Math.ceil((d.window.startMs - d.originMs) / step) * step; d.originMs + t <= d.window.endMs; t += step) {
    const xt = x(d.originMs + t);
    out.push(markup`<line x1="${f(xt)}" y1="${top - 4}" x2="${f(xt)}" y2="${axisY}" stroke="${colours.grid}"/>`);
    out.push(markup`<text x="${f(xt)}" y="${axisY + 14}" text-anchor="middle" fill="${colours.text}">${f(t / 1000)} s</text>`);
  }
  if (d.blackout)
    rect(
      x(d.blackout.fromMs),
      x(d.blackout.toMs),
      top - 4,
      axisY - top + 4,
      colours.blackout,
      `blackout ${Math.round(d.blackout.toMs - d.blackout.fromMs)} ms`,
    );

  for (const name of lanes) {
    const y = laneY(name);
    out.push(markup`<text x="${left - 8}" y="${f(y + laneH / 2 + 4)}" text-anchor="end" fill="${colours.text}">${name}</text>`);
    out.push(markup`<line x1="${left}" y1="${f(y + laneH)}" x2="${width - right}" y2="${f(y + laneH)}" stroke="${colours.grid}"/>`);
  }

  // LB lanes: VIP ownership bands (amber while both hold it), then transitions.
  const samples = d.vip.filter((s) => s.atMs >= d.window.startMs && s.atMs <= d.window.endMs).sort((a, b) => a.atMs - b.atMs);
  for (const lb of d.lbNames) {
    const y = laneY(lb);
    samples.forEach((s, i) => {
      if (!s.holders.includes(lb)) return;
      const to = samples[i + 1]?.atMs ?? d.window.endMs;
      rect(x(s.atMs), x(to), y, laneH, s.holders.length > 1 ? colours.splitBrain : colours.vip);
    });
  }
  // Backend lanes: grey while no load balancer had the server UP.
  for (const be of d.backendNames) {
    const y = laneY(be);
    const byTime = new Map<number, boolean>();
    for (const s of d.servers) if (s.server === be) byTime.set(s.atMs, (byTime.get(s.atMs) ?? false) || s.status.startsWith('UP'));
    const times = [...byTime.keys()].sort((a, b) => a - b);
    times.forEach((t, i) => {
      if (byTime.get(t)) return;
      rect(x(t), x(times[i + 1] ?? d.window.endMs), y, laneH, colours.down, `${be} out of rotation`);
    });
  }

  // Requests: a tick when the answer came, in the lane of the LB that answered and of the backend
  // that served (failures also in the "failed" lane); a slow request also gets a thin line back
  // to its start, so a gap in the ticks is a blackout even when requests sent into it succeed late.
  for (const r of d.records) {
    if (r.atMs < d.window.startMs || r.atMs > d.window.endMs) continue;
    const ok = isSuccess(r);
    const fill = ok ? colours.ok : colours.failed;
    const what = ok
      ? `${r.status} ${r.backend ?? ''} via ${r.lb ?? ''}`
      : r.status
        ? `HTTP ${r.status}${r.lb ? ` via ${r.lb}` : ''}`
        : (r.error ?? 'error');
    const title = `${what}, ${Math.round(r.latencyMs)} ms`;
    const x0 = x(r.atMs);
    const x1 = x(r.atMs + r.latencyMs);
    const placed = [r.lb, r.backend].filter((n): n is string => n !== undefined && lanes.includes(n));
    if (!ok) placed.push(FAILED_LANE);
    for (const lane of placed) {
      const y = laneY(lane);
      if (r.latencyMs > 20)
        out.push(
          markup`<rect x="${f(x0)}" y="${f(y + laneH / 2 - 1)}" width="${f(Math.max(1, x1 - x0))}" height="2" fill="${fill}" fill-opacity="0.35"/>`,
        );
      rect(x1 - 0.75, x1 + 0.75, y + 6, laneH - 12, fill, title);
    }
  }

  for (const t of d.transitions) {
    if (!d.lbNames.includes(t.lb) || t.atMs < d.window.startMs || t.atMs > d.window.endMs) continue;
    const xt = x(t.atMs);
    const y = laneY(t.lb);
    out.push(markup`<path d="M${f(xt)},${f(y)} l-4,-6 h8 z" fill="#555"><title>${t.lb} → ${t.state}</title></path>`);
    out.push(markup`<text x="${f(xt + 3)}" y="${f(y + 10)}" font-size="9" fill="#555">${t.state}</text>`);
  }
  for (const m of d.markers) {
    const xm = x(m.atMs);
    const c = m.kind === 'fault' ? colours.fault : colours.restore;
    out.push(
      markup`<line x1="${f(xm)}" y1="${top - 8}" x2="${f(xm)}" y2="${axisY}" stroke="${c}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
    );
    out.push(markup`<text x="${f(xm + 3)}" y="${top - 12}" fill="${c}" font-weight="bold">${m.label}</text>`);
  }
  out.push(markup`</svg>`);
  return out.join('\n');
}
