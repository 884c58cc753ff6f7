// The probe: a bounded HTTP client that sends a request to a target on a fixed interval, each on
// a new connection (a reused connection would hide failovers), and records what happened.
// Bounded in count and in time, and it only talks to the kit's own addresses.
import { request, Agent } from 'node:http';
import { assertKitTarget } from './kit-network.js';
import type { Topology } from '../stack/topology.js';

export interface ProbeRecord {
  /** Start of the request, ms since the epoch. */
  atMs: number;
  latencyMs: number;
  /** HTTP status, or undefined when the request failed below HTTP. */
  status?: number;
  /** Error code (ECONNREFUSED, ETIMEDOUT, …) when the request failed. */
  error?: string;
  backend?: string;
  lb?: string;
}

export const isSuccess = (r: ProbeRecord) => r.status !== undefined && r.status >= 200 && r.status < 400;

export interface ProbeOptions {
  url: string;
  /** Time between request starts. */
  intervalMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  maxRequests?: number;
  maxDurationMs?: number;
  /** Reuse one connection (keep-alive) instead of a new one per request. */
  keepAlive?: boolean;
  signal?: AbortSignal;
  onRecord?: (r: ProbeRecord) => void;
  /** The stack's topology: its network is where the probe may send (default: the single-host one). */
  topology?: Topology;
}

/** Refuses any target outside loopback and the kit's own (present) network. */
export function assertKitAddress(url: string, t: Topology): void {
  assertKitTarget(new URL(url).hostname, t);
}

export function probeOnce(url: string, timeoutMs: number, agent: Agent | false = false, t?: Topology): Promise<ProbeRecord> {
  assertKitTarget(new URL(url).hostname, t);
  const atMs = Date.now();
  const start = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<ProbeRecord, 'atMs' | 'latencyMs'>) => {
      if (done) return;
      done = true;
      resolve({ atMs, latencyMs: performance.now() - start, ...r });
    };
    const req = request(url, { agent, headers: { 'user-agent': 'hakit-probe' } }, (res) => {
      res.resume();
      res.on('end', () => finish({ status: res.statusCode, backend: header(res.headers['x-served-by']), lb: header(res.headers['x-lb']) }));
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? 'ERESPONSE' }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end();
  });
}

/** n requests one after another, each on a new connection (round-robin checks). */
export async function probeSequential(url: string, n: number, t?: Topology, timeoutMs = 2000): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (let i = 0; i < n; i++) out.push(await probeOnce(url, timeoutMs, false, t));
  return out;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Runs until maxRequests or maxDurationMs (both bounded) or the signal; returns every record in start order. */
export async function runProbe(opts: ProbeOptions): Promise<ProbeRecord[]> {
  const interval = opts.intervalMs ?? 10;
  const timeout = opts.timeoutMs ?? 2000;
  const maxRequests = Math.min(opts.maxRequests ?? 100_000, 1_000_000);
  const maxDuration = Math.min(opts.maxDurationMs ?? 60_000, 30 * 60_000);
  const agent = opts.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const started = performance.now();
  const pending: Promise<ProbeRecord>[] = [];
  for (let i = 0; i < maxRequests; i++) {
    const elapsed = performance.now() - started;
    if (elapsed >= maxDuration || opts.signal?.aborted) break;
    pending.push(
      probeOnce(opts.url, timeout, agent, opts.topology).then((r) => {
        opts.onRecord?.(r);
        return r;
      }),
    );
    // Schedule by absolute time so slow requests do not stretch the interval.
    const next = started + (i + 1) * interval;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const records = await Promise.all(pending);
  if (agent) agent.destroy();
  return records;
}
