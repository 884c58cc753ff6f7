// The probe: a bounded HTTP client that sends a request to a target on a fixed interval, each on
// a new connection (a reused connection would hide failovers), and records what happened.
// Bounded in count and in time, and it only talks to the kit's own addresses. The paced loop
// runs in a thread of its own (probe-thread.ts), so the main thread's work cannot open gaps in it.
import type { Agent } from 'node:http';
import { assertKitTarget } from './kit-network.js';
import { sendRequest, type ProbeRecord, type ProbeStep } from './probe-worker.js';
import { runInProbeThread } from './probe-thread.js';
import type { Topology } from '../stack/topology.js';

export type { ProbeRecord, ProbeStep } from './probe-worker.js';

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
  /** Sent with every request (the counting probe's visitor cookie). */
  headers?: Record<string, string>;
  /** Requests to send in turn instead of GET url (on url's origin): the weather workload. */
  plan?: ProbeStep[];
  signal?: AbortSignal;
  onRecord?: (r: ProbeRecord) => void;
  /** The stack's topology: its network is where the probe may send (default: the single-host one). */
  topology?: Topology;
}

/** Refuses any target outside loopback and the kit's own (present) network. */
export function assertKitAddress(url: string, t: Topology): void {
  assertKitTarget(new URL(url).hostname, t);
}

/** One request from this thread (status checks, the dashboard), after the address check. */
export function probeOnce(url: string, timeoutMs: number, agent: Agent | false = false, t?: Topology): Promise<ProbeRecord> {
  assertKitTarget(new URL(url).hostname, t);
  return sendRequest(url, timeoutMs, agent);
}

/** n requests one after another, each on a new connection (round-robin checks). */
export async function probeSequential(url: string, n: number, t?: Topology, timeoutMs = 2000): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (let i = 0; i < n; i++) out.push(await probeOnce(url, timeoutMs, false, t));
  return out;
}

/**
 * Runs until maxRequests or maxDurationMs (both bounded) or the signal, in the probe thread;
 * onRecord sees each record as it completes; returns every record in start order. The address
 * is checked here, before anything is sent.
 */
export async function runProbe(opts: ProbeOptions): Promise<ProbeRecord[]> {
  assertKitTarget(new URL(opts.url).hostname, opts.topology);
  const settings = {
    url: opts.url,
    intervalMs: opts.intervalMs ?? 10,
    timeoutMs: opts.timeoutMs ?? 2000,
    maxRequests: Math.min(opts.maxRequests ?? 100_000, 1_000_000),
    maxDurationMs: Math.min(opts.maxDurationMs ?? 60_000, 30 * 60_000),
    keepAlive: opts.keepAlive ?? false,
    headers: opts.headers,
    plan: opts.plan,
  };
  return runInProbeThread(settings, opts.onRecord, opts.signal);
}
