import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../backends/app.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { assertKitAddress, isSuccess, probeOnce, runProbe, type ProbeRecord } from './probe.js';
import { floorOf } from './floor.js';
import { probeThreadScheduling, probeWorkerUrl, warmProbeThread } from './probe-thread.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { raiseThreadPriority } from './probe-worker.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultTopology } from '../stack/topology.js';

let server: Server;
let url = '';

beforeAll(async () => {
  const app = createApp({ serverId: '1', serverName: 'backend1' });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // Started once here: from the TypeScript sources its first start compiles the worker script.
  await warmProbeThread();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A plain HTTP server in a child process; its port on stdout. */
async function childServer(): Promise<{ url: string; child: ChildProcess }> {
  const code = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`the test server exited (${c})`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

describe('probe', () => {
  it('records status and the serving backend', async () => {
    const r = await probeOnce(url, 1000);
    expect(r.status).toBe(200);
    expect(r.backend).toBe('backend1');
    expect(isSuccess(r)).toBe(true);
  });

  it('records a refused connection as an error, not a success', async () => {
    const r = await probeOnce('http://127.0.0.1:1/', 1000);
    expect(r.error).toBe('ECONNREFUSED');
    expect(isSuccess(r)).toBe(false);
  });

  it('stops at maxRequests and keeps the interval', async () => {
    const records = await runProbe({ url, intervalMs: 5, maxRequests: 20 });
    expect(records).toHaveLength(20);
    expect(records.every(isSuccess)).toBe(true);
    const span = records.at(-1)!.atMs - records[0]!.atMs;
    expect(span).toBeGreaterThanOrEqual(19 * 5 - 5);
  });

  it('stops at maxDurationMs', async () => {
    const records = await runProbe({ url, intervalMs: 10, maxRequests: 10_000, maxDurationMs: 100 });
    expect(records.length).toBeGreaterThan(3);
    expect(records.length).toBeLessThanOrEqual(11);
  });

  it('streams records from its thread, in start order, with every field', async () => {
    const seen: ProbeRecord[] = [];
    const records = await runProbe({ url, intervalMs: 10, maxRequests: 15, onRecord: (r) => seen.push(r) });
    expect(records).toHaveLength(15);
    expect(seen).toHaveLength(15);
    expect(new Set(seen)).toEqual(new Set(records));
    for (let i = 1; i < records.length; i++) expect(records[i]!.atMs).toBeGreaterThanOrEqual(records[i - 1]!.atMs);
    for (const r of records) {
      expect(r).toMatchObject({ status: 200, backend: 'backend1' });
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(Math.abs(r.atMs - Date.now())).toBeLessThan(10_000);
    }
  });

  it('stops on abort, with every request it sent accounted for', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 150);
    const started = Date.now();
    const records = await runProbe({ url, intervalMs: 10, maxDurationMs: 10_000, signal: stop.signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(records.length).toBeGreaterThan(3);
    expect(records.length).toBeLessThan(40);
    expect(records.every(isSuccess)).toBe(true);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const records = await runProbe({ url, intervalMs: 10, maxDurationMs: 10_000, signal: AbortSignal.abort() });
    expect(records).toEqual([]);
  });

  it("fails with the caller's onRecord, and the next probe still runs", async () => {
    const failing = runProbe({
      url,
      intervalMs: 5,
      maxRequests: 5,
      onRecord: () => {
        throw new Error('full');
      },
    });
    await expect(failing).rejects.toThrow('full');
    expect(await runProbe({ url, intervalMs: 5, maxRequests: 3 })).toHaveLength(3);
  });

  it('leaves nothing that keeps the process alive, even a thread started and never used', async () => {
    await runProbe({ url, intervalMs: 5, maxRequests: 2 });
    // A fresh copy of the module: its own thread, warmed and left idle.
    vi.resetModules();
    const fresh = (await import('./probe-thread.js')) as typeof import('./probe-thread.js');
    await fresh.warmProbeThread();
    // A referenced thread shows as a MessagePort: the process would never exit by itself.
    const deadline = Date.now() + 3000;
    await new Promise((r) => setTimeout(r, 300));
    while (process.getActiveResourcesInfo().includes('MessagePort') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
  });

  it('runs loops side by side in its one thread', async () => {
    const [a, b] = await Promise.all([runProbe({ url, intervalMs: 5, maxRequests: 10 }), runProbe({ url, intervalMs: 5, maxRequests: 7 })]);
    expect(a).toHaveLength(10);
    expect(b).toHaveLength(7);
  });

  it('refuses a target outside the kit before anything is sent', async () => {
    await expect(runProbe({ url: 'http://192.168.1.1/', maxRequests: 1 })).rejects.toThrow(/refusing/);
  });

  it('keeps its cadence while the main thread is busy', async () => {
    // The target in a process of its own (in this thread, the busy loop would stall it too).
    const target = await childServer();
    // 150 ms blocks every 200 ms: a probe on this thread would see gaps of 150 ms or more.
    const hog = setInterval(() => {
      const until = performance.now() + 150;
      while (performance.now() < until);
    }, 200);
    try {
      const records = await runProbe({ url: target.url, intervalMs: 10, maxDurationMs: 2000 });
      expect(records.length).toBeGreaterThan(150);
      // Generous: CI machines are loaded; the figure itself belongs in the note, not here.
      expect(floorOf(records).longestGapMs).toBeLessThan(100);
    } finally {
      clearInterval(hog);
      target.child.kill();
    }
  });

  it('reuses one connection with keepAlive', async () => {
    const records = await runProbe({ url, intervalMs: 2, maxRequests: 5, keepAlive: true });
    expect(records.every(isSuccess)).toBe(true);
  });

  it('refuses targets outside loopback and the kit network', () => {
    // A topology whose host address this machine has (loopback), so its subnet counts as present.
    const present = { ...defaultTopology, hostAddress: '127.0.0.1' };
    expect(() => assertKitAddress('http://10.213.0.10/', present)).not.toThrow();
    expect(() => assertKitAddress('http://127.0.0.1:8080/', defaultTopology)).not.toThrow();
    expect(() => assertKitAddress('http://192.168.1.1/', present)).toThrow(/refusing/);
    expect(() => assertKitAddress('http://example.com/', present)).toThrow(/refusing/);
  });

  it('refuses the kit subnet while no interface carries the kit host address', () => {
    const absent = { ...defaultTopology, hostAddress: '10.213.0.254' };
    expect(() => assertKitAddress('http://10.213.0.10/', absent)).toThrow(/not the kit's network right now/);
  });
});

/** The (policy, realtime priority) of each thread of this process, from /proc (stat fields 41 and 40). */
function threadPolicies(): Map<number, [number, number]> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // Counting from field 3 (state) at index 0: rt_priority is field 40, policy field 41.
      return [Number(tid), [Number(fields[38]), Number(fields[37])]];
    }),
  );
}

describe("the probe thread's priority", () => {
  it('falls back to a niceness set on the calling thread by its Linux thread id (here: left as it is)', () => {
    if (process.platform !== 'linux') return;
    const now = getPriority();
    expect(raiseThreadPriority(now, 0)).toBe('niced');
    expect(getPriority()).toBe(now);
  });

  it('is realtime (SCHED_FIFO) as root on Linux, and only that thread is', async () => {
    const got = await probeThreadScheduling();
    const policies = threadPolicies();
    const fifo = [...policies.values()].filter(([policy]) => policy === 1);
    // One probe thread per copy of the module (a test above loads a second one), none other.
    if (got === 'realtime') {
      expect(fifo.length).toBeGreaterThanOrEqual(1);
      expect(fifo.every(([, priority]) => priority === 10)).toBe(true);
    } else expect(fifo).toEqual([]);
    if (process.platform === 'linux') expect(policies.get(process.pid)?.[0]).toBe(0);
    if (process.platform === 'linux' && process.getuid?.() === 0) expect(got).toBe('realtime');
  });
});

describe("the probe thread's script", () => {
  it('is the compiled file beside the module when there is one (dist)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hakit-probe-'));
    try {
      writeFileSync(join(dir, 'probe-worker.js'), '');
      const url = await probeWorkerUrl(pathToFileURL(join(dir, 'probe-thread.js')).href);
      expect(url.href).toBe(pathToFileURL(join(dir, 'probe-worker.js')).href);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the TypeScript source compiled in memory when running from the sources', async () => {
    const url = await probeWorkerUrl(new URL('./probe-thread.ts', import.meta.url).href);
    expect(url.protocol).toBe('data:');
    const js = Buffer.from(url.href.split(',')[1]!, 'base64').toString();
    expect(js).toContain('probeLoop');
    expect(js).not.toMatch(/: LoopSettings/);
  });

  it('is missing with a hint when neither is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hakit-probe-'));
    try {
      await expect(probeWorkerUrl(pathToFileURL(join(dir, 'probe-thread.js')).href)).rejects.toThrow(/worker script is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
