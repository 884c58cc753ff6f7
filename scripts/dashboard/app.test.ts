import { afterEach, describe, expect, it } from 'vitest';
import type { KillMode } from '../stack/actions.js';
import { createDashboardApp, type DashboardAppOptions } from './app.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { allowedHosts } from './guard.js';
import { DashboardMonitor } from './monitor.js';

const token = 'f'.repeat(48);
const host = '127.0.0.1:8400';
const origin = `http://${host}`;
let monitor: DashboardMonitor | undefined;
afterEach(() => monitor?.stop());

function setup(extra: Partial<DashboardAppOptions> = {}) {
  const rt = new FakeRuntime();
  monitor = new DashboardMonitor({
    rt,
    statusEveryMs: 10,
    tickerEveryMs: 50,
    probe: async () => ({ atMs: Date.now(), latencyMs: 1, status: 200, backend: 'backend1', lb: 'lb1' }),
  });
  const app = createDashboardApp({
    monitor,
    token,
    hosts: () => allowedHosts(8400),
    actions: {
      kill: async (r, node, mode: KillMode) => r.stop(node, mode === 'graceful' ? 'graceful' : 'hard'),
      restore: async (r, node) => (await r.restore(node, { user: 'u', password: 'p' }), true),
      cut: async () => undefined,
    },
    ...extra,
  });
  const post = (path: string, headers: Record<string, string> = {}) => app.request(path, { method: 'POST', headers: { host, ...headers } });
  return { rt, app, post, monitor };
}

describe('dashboard app', () => {
  it('serves the page with the token, its configuration, and its script under the nonce of its CSP', async () => {
    const { app } = setup();
    const res = await app.request('/', { headers: { host } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<meta name="hakit-token" content="${token}">`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`<script type="module" src="/dashboard.js" nonce="${nonce}"></script>`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(html).toContain('<meta name="hakit-config" content="{&quot;tokenHeader&quot;:&quot;x-hakit-token&quot;');
    expect(html).toContain('&quot;name&quot;:&quot;backend2&quot;,&quot;role&quot;:&quot;backend&quot;');
    expect(html).not.toContain('id="chart"');
  });

  it('serves the page script as JavaScript, under the same Host check', async () => {
    const { app } = setup();
    const res = await app.request('/dashboard.js', { headers: { host } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await res.text();
    expect(js.startsWith('// @ts-check')).toBe(true);
    expect(js).toContain("new EventSource('/events')");
    expect((await app.request('/dashboard.js', { headers: { host: 'evil.example:8400' } })).status).toBe(403);
  });

  it('refuses a request under a foreign Host name (DNS rebinding), page and actions alike', async () => {
    const { app, rt } = setup();
    expect((await app.request('/', { headers: { host: 'evil.example:8400' } })).status).toBe(403);
    const res = await app.request('/api/nodes/lb1/kill', {
      method: 'POST',
      headers: { host: 'evil.example:8400', origin: 'http://evil.example:8400', 'x-hakit-token': token },
    });
    expect(res.status).toBe(403);
    expect(rt.calls).toEqual([]);
  });

  it('refuses a kill without the token, and leaves the node alone', async () => {
    const { post, rt } = setup();
    const res = await post('/api/nodes/lb1/kill?mode=hard', { origin });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/x-hakit-token/);
    expect((await post('/api/nodes/lb1/kill', { origin, 'x-hakit-token': 'f'.repeat(47) + 'e' })).status).toBe(403);
    expect(rt.calls).toEqual([]);
  });

  it('refuses a kill from another origin even with the token', async () => {
    const { post, rt } = setup();
    const res = await post('/api/nodes/lb1/kill?mode=hard', { origin: 'http://evil.example', 'x-hakit-token': token });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/cross-site/);
    expect((await post('/api/nodes/lb1/kill', { 'sec-fetch-site': 'cross-site', 'x-hakit-token': token })).status).toBe(403);
    expect(rt.calls).toEqual([]);
  });

  it('kills and restores with the token from its own origin, and notes both in the timeline', async () => {
    const { post, rt, monitor } = setup();
    const ok = { origin, 'sec-fetch-site': 'same-origin', 'x-hakit-token': token };
    const res = await post('/api/nodes/lb1/kill?mode=graceful', ok);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: 'lb1 killed (graceful)' });
    expect((await post('/api/nodes/lb1/restore', ok)).status).toBe(200);
    expect(rt.calls).toEqual(['stop lb1 graceful', 'restore lb1']);
    expect(
      monitor
        .timeline()
        .filter((e) => e.kind === 'action')
        .map((e) => e.text),
    ).toEqual(['kill lb1 (graceful) …', 'lb1 killed (graceful)', 'restore lb1 …', 'lb1 restored']);
  });

  it('answers 404 for an unknown node, 400 for an unknown mode, 409 while another action runs', async () => {
    let release: () => void = () => undefined;
    const { post } = setup({
      actions: {
        kill: () => new Promise<void>((r) => (release = r)),
        restore: async () => true,
        cut: async () => undefined,
      },
    });
    const h = { origin, 'x-hakit-token': token };
    expect((await post('/api/nodes/lb9/kill', h)).status).toBe(404);
    expect((await post('/api/nodes/lb1/kill?mode=gently', h)).status).toBe(400);
    // Only data nodes are cut off (R5); the guard covers the cut as every action.
    expect((await post('/api/nodes/lb1/cut', h)).status).toBe(400);
    expect((await post('/api/nodes/lb9/heal', h)).status).toBe(404);
    expect((await post('/api/nodes/lb1/cut', { origin })).status).toBe(403);
    const first = post('/api/nodes/lb1/kill', h);
    await new Promise((r) => setTimeout(r, 10));
    const second = await post('/api/nodes/lb2/restore', h);
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
  });

  it('turns an action error into a JSON error (haproxy mode on a backend is a usage error)', async () => {
    const { app } = setup({ actions: undefined });
    // the default actions: killNode refuses --mode haproxy on a backend
    const res = await app.request('/api/nodes/backend1/kill?mode=haproxy', {
      method: 'POST',
      headers: { host, origin, 'x-hakit-token': token },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/applies to load balancers/);
  });

  it('streams a hello with the state, then live status events, and lets go when the viewer leaves', async () => {
    const { app, monitor, rt } = setup();
    const res = await app.request('/events', { headers: { host } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!/event: status[\s\S]*"vipHolder":"lb1"/.test(text)) text += decoder.decode((await reader.read()).value);
    expect(text.startsWith('event: hello\n')).toBe(true);
    expect(monitor.viewers).toBe(1);
    await rt.stop('lb1', 'hard');
    while (!/"vipHolder":"lb2"/.test(text)) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/event: timeline\ndata: .*"VIP: lb1 → lb2"/);
    expect(text).toMatch(/event: probe\ndata: .*"backend":"backend1"/);
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(monitor.viewers).toBe(0);
  });

  it('serves the failover chart when one is plugged in', async () => {
    const { app } = setup({ chart: ({ probes }) => `<svg xmlns="http://www.w3.org/2000/svg"><text>${probes.length}</text></svg>` });
    const page = await (await app.request('/', { headers: { host } })).text();
    expect(page).toContain('id="chart"');
    const res = await app.request('/chart.svg', { headers: { host } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await res.text()).toContain('<text>0</text>');
    const { app: plain } = setup();
    expect((await plain.request('/chart.svg', { headers: { host } })).status).toBe(404);
  });
});
