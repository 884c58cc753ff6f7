import { describe, expect, it } from 'vitest';
import { colours, renderTimelineSvg, tickStep, type TimelineData } from './timeline-svg.js';

const base: TimelineData = {
  window: { startMs: 1000, endMs: 3000 },
  originMs: 2000,
  lbNames: ['lb1', 'lb2'],
  backendNames: ['backend1', 'backend2'],
  records: [
    { atMs: 1100, latencyMs: 2, status: 200, lb: 'lb1', backend: 'backend1' },
    { atMs: 1200, latencyMs: 1000, status: 200, lb: 'lb1', backend: 'backend1' }, // late: a wait line too
    { atMs: 2010, latencyMs: 1, error: 'ECONNREFUSED' },
    { atMs: 2020, latencyMs: 1, status: 503, lb: 'lb2' },
    { atMs: 2500, latencyMs: 2, status: 200, lb: 'lb2', backend: 'backend2' },
    { atMs: 9000, latencyMs: 2, status: 200, lb: 'lb2', backend: 'backend2' }, // outside: not drawn
  ],
  vip: [
    { atMs: 1000, holders: ['lb1'] },
    { atMs: 2100, holders: ['lb1', 'lb2'] },
    { atMs: 2200, holders: ['lb2'] },
  ],
  servers: [
    { atMs: 1000, lb: 'lb1', server: 'backend1', status: 'UP', retries: 0, redispatches: 0 },
    { atMs: 2000, lb: 'lb1', server: 'backend1', status: 'DOWN', retries: 0, redispatches: 0 },
  ],
  transitions: [{ atMs: 2150, lb: 'lb2', state: 'MASTER' }],
  markers: [{ atMs: 2000, label: 'kill lb1 <hard>', kind: 'fault' }],
  blackout: { fromMs: 2002, toMs: 2502 },
  splitBrain: [],
};

const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('renderTimelineSvg', () => {
  const svg = renderTimelineSvg(base);

  it('is one self-contained SVG element with balanced tags', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const tag of ['rect', 'text', 'title', 'path']) {
      const selfClosed = svg.match(new RegExp(`<${tag} [^>]*/>`, 'g'))?.length ?? 0;
      expect(count(svg, `<${tag} `) + count(svg, `<${tag}>`) - selfClosed).toBe(count(svg, `</${tag}>`));
    }
  });

  it('has a lane per LB and backend plus the failed lane', () => {
    for (const lane of ['lb1', 'lb2', 'backend1', 'backend2', 'failed']) expect(svg).toContain(`>${lane}</text>`);
  });

  it('draws failures in red in the failed lane, and a 503 also in its LB lane', () => {
    expect(count(svg, `fill="${colours.failed}"><title>`)).toBe(3);
    expect(svg).toContain('<title>ECONNREFUSED, 1 ms</title>');
    expect(svg).toContain('<title>HTTP 503 via lb2, 1 ms</title>');
  });

  it('draws a success in both its LB and its backend lane, and skips records outside the window', () => {
    expect(count(svg, `fill="${colours.ok}"><title>`)).toBe(6);
    expect(count(svg, `fill="${colours.ok}" fill-opacity="0.35"/>`)).toBe(2);
  });

  it('marks the fault (escaped), the VRRP transition, the split brain and the blackout', () => {
    expect(svg).toContain('kill lb1 &lt;hard&gt;');
    expect(svg).toContain('<title>lb2 → MASTER</title>');
    expect(svg).toContain(`fill="${colours.splitBrain}"`);
    expect(svg).toContain('<title>blackout 500 ms</title>');
    expect(svg).toContain('<title>backend1 out of rotation</title>');
  });

  it('labels time in seconds from the fault', () => {
    expect(svg).toContain('>0 s</text>');
    expect(svg).toContain('>-1 s</text>');
    expect(svg).toContain('>1 s</text>');
  });

  it('tickStep keeps about a dozen ticks', () => {
    expect(tickStep(1000)).toBe(100);
    expect(tickStep(5000)).toBe(500);
    expect(tickStep(8000)).toBe(1000);
  });
});
