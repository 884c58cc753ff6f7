import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HakitError } from '../errors.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { startDashboard, type RunningDashboard } from './server.js';

const running: RunningDashboard[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});

const quietProbe = async () => ({ atMs: Date.now(), latencyMs: 1, status: 200, backend: 'backend1', lb: 'lb1' });

/** A raw request, so the Host header can be anything. */
function call(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startDashboard', () => {
  it('listens on 127.0.0.1 only and answers under its own name', async () => {
    const rt = new FakeRuntime();
    const dash = await startDashboard({ rt, port: 0, monitor: { probe: quietProbe } });
    running.push(dash);
    expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
    const page = await call(dash.port, 'GET', '/');
    expect(page.status).toBe(200);
    const token = /name="hakit-token" content="([0-9a-f]{48})"/.exec(page.body)?.[1];
    expect(token).toBeDefined();
    expect((await call(dash.port, 'GET', '/', { host: `rebound.example:${dash.port}` })).status).toBe(403);
    // Without the token nothing happens; with it (and no Origin, like curl) the node dies.
    expect((await call(dash.port, 'POST', '/api/nodes/backend2/kill?mode=hard')).status).toBe(403);
    expect(rt.calls).toEqual([]);
    expect((await call(dash.port, 'POST', '/api/nodes/backend2/kill?mode=hard', { 'x-hakit-token': token! })).status).toBe(200);
    expect(rt.calls).toEqual(['stop backend2 hard']);
  });

  it('makes a fresh token per process start', async () => {
    const a = await startDashboard({ rt: new FakeRuntime(), port: 0, monitor: { probe: quietProbe } });
    const b = await startDashboard({ rt: new FakeRuntime(), port: 0, monitor: { probe: quietProbe } });
    running.push(a, b);
    const tokenOf = async (d: RunningDashboard) =>
      /name="hakit-token" content="([0-9a-f]+)"/.exec((await call(d.port, 'GET', '/')).body)?.[1];
    expect(await tokenOf(a)).not.toBe(await tokenOf(b));
  });

  it('says clearly when the port is taken', async () => {
    const first = await startDashboard({ rt: new FakeRuntime(), port: 0, monitor: { probe: quietProbe } });
    running.push(first);
    const err = await startDashboard({ rt: new FakeRuntime(), port: first.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HakitError);
    expect((err as HakitError).message).toBe(`port ${first.port} on 127.0.0.1 is already in use`);
    expect((err as HakitError).hint).toMatch(/--port/);
  });
});
