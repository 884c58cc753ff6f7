// Throughput and latency at one point, for a fixed short time, with autocannon (keep-alive
// connections from the host). Only to loopback or the kit's own addresses.
import autocannon from 'autocannon';
import { assertKitAddress } from '../observe/probe.js';
import type { Topology } from '../stack/topology.js';

export interface LoadResult {
  /** Successful (2xx) answers per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx, and connection errors (timeouts included). */
  non2xx: number;
  errors: number;
  /** Every answer counted (2xx and not), for per-request costs. */
  requests: number;
  /** HAProxy's CPU ms per 1,000 requests on the LB that served this point (bench/cpu.ts); not for the direct point. */
  haproxyCpuMsPer1000?: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  topology: Topology;
}

export const MAX_LOAD_SECONDS = 10;

export async function measureLoad(o: LoadOptions): Promise<LoadResult> {
  assertKitAddress(o.url, o.topology);
  const seconds = Math.min(Math.max(1, o.seconds), MAX_LOAD_SECONDS);
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: seconds,
    timeout: 2,
    headers: { 'user-agent': 'hakit-bench' },
  });
  return {
    rps: Math.round(r['2xx'] / Math.max(r.duration, 0.001)),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    requests: r.requests.total,
  };
}
