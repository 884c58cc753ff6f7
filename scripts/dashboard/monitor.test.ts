import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProbeRecord } from '../observe/probe.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { DashboardMonitor, type DashboardEvent } from './monitor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (backend: string, lb = 'lb1'): ProbeRecord => ({ atMs: Date.now(), latencyMs: 1, status: 200, backend, lb });

let monitor: DashboardMonitor | undefined;
afterEach(() => monitor?.stop());

function setup(probe: (url: string) => Promise<ProbeRecord>, tickerMaxRequests = 1000) {
  const rt = new FakeRuntime();
  const urls: string[] = [];
  monitor = new DashboardMonitor({
    rt,
    statusEveryMs: 10,
    tickerEveryMs: 50,
    tickerMaxRequests,
    probe: (url) => {
      urls.push(url);
      return probe(url);
    },
  });
  return { rt, urls, monitor };
}

describe('DashboardMonitor', () => {
  it('does nothing until a viewer subscribes, and stops when the last one leaves', async () => {
    const { urls, monitor } = setup(async () => ok('backend1'));
    await sleep(120);
    expect(urls).toEqual([]);
    const events: DashboardEvent[] = [];
    const leave = monitor.subscribe((e) => events.push(e));
    await vi.waitFor(() => expect(urls.length).toBeGreaterThanOrEqual(2));
    // only the kit's VIP, on the page that does not count visits
    expect(new Set(urls)).toEqual(new Set(['http://10.213.0.10/?count=0']));
    leave();
    const sent = urls.length;
    const polls = events.filter((e) => e.type === 'status').length;
    await sleep(150);
    expect(urls.length).toBe(sent);
    expect(events.filter((e) => e.type === 'status').length).toBe(polls);
    expect(monitor.tickerState()).toMatchObject({ running: false, reason: 'no viewer' });
  });

  it('reports the VIP holder, the states and the priorities from the transitions log', async () => {
    const { monitor } = setup(async () => ok('backend1'));
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(monitor.snapshot()).toBeDefined());
    const snap = monitor.snapshot()!;
    expect(snap.vipHolder).toBe('lb1');
    expect(Object.fromEntries(snap.nodes.map((n) => [n.name, [n.state, n.priority]]))).toEqual({
      lb1: ['MASTER', 101],
      lb2: ['BACKUP', 100],
      backend1: ['UP', undefined],
      backend2: ['UP', undefined],
    });
    expect(monitor.timeline().map((e) => e.text)).toEqual([
      'lb1 keepalived: MASTER (priority 101)',
      'lb2 keepalived: BACKUP (priority 100)',
    ]);
  });

  it('puts a VIP move, state changes and keepalived transitions in the timeline', async () => {
    const { rt, monitor } = setup(async () => ok('backend1'));
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(monitor.snapshot()?.vipHolder).toBe('lb1'));
    await rt.stop('lb1', 'hard');
    await vi.waitFor(() => expect(monitor.snapshot()?.vipHolder).toBe('lb2'));
    const texts = monitor.timeline().map((e) => e.text);
    expect(texts).toContain('VIP: lb1 → lb2');
    expect(texts).toContain('lb1: MASTER → DOWN');
    expect(texts).toContain('lb2: BACKUP → MASTER');
    expect(texts).toContain('lb2 keepalived: MASTER (priority 100)');
  });

  it('shows a VIP move that happened while the status could not be read', async () => {
    const { rt, monitor } = setup(async () => ok('backend1'));
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(monitor.snapshot()?.vipHolder).toBe('lb1'));
    const nodes = rt.nodes.bind(rt);
    rt.nodes = () => Promise.reject(new Error('lb1 vanished mid-read'));
    await vi.waitFor(() => expect(monitor.snapshot()?.error).toBe('lb1 vanished mid-read'));
    await rt.stop('lb1', 'hard');
    rt.nodes = nodes;
    await vi.waitFor(() => expect(monitor.snapshot()?.vipHolder).toBe('lb2'));
    const texts = monitor.timeline().map((e) => e.text);
    expect(texts).toContain('status unavailable: lb1 vanished mid-read');
    expect(texts).toContain('VIP: lb1 → lb2');
  });

  it('notes when requests start failing and when they succeed again', async () => {
    let fail = true;
    const { monitor } = setup(async () => (fail ? { atMs: Date.now(), latencyMs: 1, error: 'ECONNREFUSED' } : ok('backend2', 'lb2')));
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(monitor.recentProbes().length).toBeGreaterThanOrEqual(2));
    fail = false;
    await vi.waitFor(() => expect(monitor.timeline().some((e) => e.text.startsWith('requests succeed again'))).toBe(true));
    const texts = monitor
      .timeline()
      .filter((e) => e.kind === 'requests')
      .map((e) => e.text);
    expect(texts[0]).toBe('requests failing (ECONNREFUSED)');
    expect(texts[1]).toMatch(/^requests succeed again after \d+ failed \(via lb2 → backend2\)$/);
  });

  it('keeps at most two requests in flight when the VIP does not answer', async () => {
    const { urls } = setup(() => new Promise<ProbeRecord>(() => undefined));
    monitor!.subscribe(() => undefined);
    await sleep(300);
    expect(urls.length).toBe(2);
  });

  it('stops the ticker by itself after its request limit; a new viewer starts a new run', async () => {
    const { urls, monitor } = setup(async () => ok('backend1'), 3);
    const events: DashboardEvent[] = [];
    monitor.subscribe((e) => events.push(e));
    await vi.waitFor(() => expect(monitor.tickerState().running).toBe(false));
    expect(urls.length).toBe(3);
    expect(monitor.tickerState().reason).toMatch(/after 3 requests/);
    await sleep(120);
    expect(urls.length).toBe(3);
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(urls.length).toBe(6));
  });
});

describe('DashboardMonitor when the probe refuses', () => {
  it('records a refused request (no kit network) as a failed one instead of crashing', async () => {
    const { monitor } = setup(() => {
      throw new Error('refusing to send traffic to 10.213.0.10: no interface of this host has 10.213.0.1');
    });
    monitor.subscribe(() => undefined);
    await vi.waitFor(() => expect(monitor.recentProbes().length).toBeGreaterThanOrEqual(2));
    expect(monitor.recentProbes()[0]).toMatchObject({ error: 'refusing to send traffic to 10.213.0.10', latencyMs: 0 });
    expect(monitor.timeline().map((e) => e.text)).toContain('requests failing (refusing to send traffic to 10.213.0.10)');
  });
});
