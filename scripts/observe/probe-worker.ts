// The probe's requests and its paced loop, and the entry of the thread the loop runs in. The loop
// runs in a worker thread of its own so that the main thread's work (the evidence poller's
// execs every 75 ms, the live view, status polling, its garbage collection) cannot delay a send
// or a receive: sharing one event loop, those stalls showed up as gaps between successes as long
// as the failovers being measured. This module imports node builtins only (and a type, erased), so
// that it can also be loaded from a data: URL when the kit runs from its TypeScript sources
// (probe-thread.ts).
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import type { ProbeRecord } from './probe-record.js';

export type { ProbeRecord };

/** One request of a plan: a method and a path on the loop's origin, and a body for a write (JSON). */
export interface ProbeStep {
  method: 'GET' | 'PUT';
  path: string;
  body?: string;
}

/** One request; never rejects: a failure is a record with an error code. No address check here (the caller's). */
export function sendRequest(
  url: string,
  timeoutMs: number,
  agent: Agent | false = false,
  headers: Record<string, string> = {},
  step?: { method: string; body?: string },
): Promise<ProbeRecord> {
  const atMs = Date.now();
  const start = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<ProbeRecord, 'atMs' | 'latencyMs'>) => {
      if (done) return;
      done = true;
      resolve({ atMs, latencyMs: performance.now() - start, ...r });
    };
    const sent =
      step?.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(step.body)) } : {};
    const req = request(
      url,
      { agent, method: step?.method ?? 'GET', headers: { 'user-agent': 'hakit-probe', ...headers, ...sent } },
      (res) => {
        res.resume();
        res.on('end', () =>
          finish({
            status: res.statusCode,
            backend: header(res.headers['x-served-by']),
            lb: header(res.headers['x-lb']),
            ...counted(res.headers),
            ...cached(res.headers),
          }),
        );
        res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? 'ERESPONSE' }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end(step?.body);
  });
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The visit counter's headers, when the page has them (the data tier's probe reads `/`). */
function counted(h: IncomingHttpHeaders): Pick<ProbeRecord, 'count' | 'countState'> {
  const state = header(h['x-count']);
  if (!state) return {};
  const n = Number(header(h['x-visits']));
  return Number.isInteger(n) && n > 0 ? { countState: state, count: n } : { countState: state };
}

/** The weather API's headers, when the answer has them. */
function cached(h: IncomingHttpHeaders): Pick<ProbeRecord, 'cache' | 'retryAfter'> {
  const cache = header(h['x-cache']);
  return { ...(cache ? { cache } : {}), ...(h['retry-after'] !== undefined ? { retryAfter: true } : {}) };
}

/** A loop's settings, already bounded by the caller (probe.ts). */
export interface LoopSettings {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  maxRequests: number;
  maxDurationMs: number;
  keepAlive: boolean;
  /** Sent with every request (the counting probe's visitor cookie). */
  headers?: Record<string, string>;
  /** Requests to send in turn on `url`'s origin instead of GET `url` (the weather workload's reads and writes). */
  plan?: ProbeStep[];
}

/**
 * Sends a request every intervalMs until maxRequests, maxDurationMs or stopped(); each record goes
 * to onRecord with its index in start order as soon as it completes. Resolves once every request
 * has completed (each is bounded by its timeout).
 */
export async function probeLoop(s: LoopSettings, onRecord: (r: ProbeRecord, seq: number) => void, stopped: () => boolean): Promise<void> {
  // A new connection per request unless asked: a connection kept alive to the VIP stays pinned to
  // the LB that accepted it, so after a failover the probe would measure how long that one
  // connection takes to die, not how long new clients find nobody (docs/architecture.md#the-probe-and-its-floor).
  const agent = s.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const started = performance.now();
  // Only the requests still in flight: a 30-minute loop would otherwise keep 180,000 settled
  // promises, and the garbage collector walks what is kept.
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < s.maxRequests; i++) {
    if (performance.now() - started >= s.maxDurationMs || stopped()) break;
    const step = s.plan?.length ? s.plan[i % s.plan.length] : undefined;
    const sent = step
      ? sendRequest(new URL(step.path, s.url).href, s.timeoutMs, agent, s.headers, step)
      : sendRequest(s.url, s.timeoutMs, agent, s.headers);
    const p: Promise<void> = sent.then((r) => onRecord(step ? { ...r, step: i } : r, i)).finally(() => inFlight.delete(p));
    inFlight.add(p);
    // Schedule by absolute time so slow requests do not stretch the interval.
    const next = started + (i + 1) * s.intervalMs;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  if (agent) agent.destroy();
}

/** Main thread → probe thread. */
export type ToProbeThread = { type: 'start'; id: number; settings: LoopSettings } | { type: 'stop'; id: number };
/** Probe thread → main thread: first how the thread is scheduled, then its loops' records. */
export type FromProbeThread =
  | { type: 'ready'; scheduling: ThreadScheduling }
  | { type: 'record'; id: number; seq: number; record: ProbeRecord }
  | { type: 'done'; id: number };

/** Marks the workerData of the probe thread (a test runner may run this module in a worker of its own). */
export const PROBE_THREAD = 'hakit-probe-thread';

/** The probe thread's niceness when realtime scheduling is refused: ahead of the stack's processes. */
export const PROBE_NICE = -10;

/** Its realtime (SCHED_FIFO) priority: below keepalived's VRRP process (50), whose adverts come first. */
export const PROBE_RT_PRIORITY = 10;

/** How the probe thread got scheduled. */
export type ThreadScheduling = 'realtime' | 'niced' | 'normal';

/**
 * Best effort: on a busy machine a thread that waits for a CPU sends and reads late, and its lateness
 * reads as a gap in what it measures. So this thread alone (Linux: its thread id through
 * /proc/thread-self) asks for SCHED_FIFO with chrt(1) (no Node API for it): a realtime thread runs
 * the moment its timer or socket wakes it, ahead of every ordinary process; it sleeps between
 * requests, so it takes little CPU. A niceness of -10 only weighs the thread's share: measured at a
 * load of 4, its sends still started up to 80 ms late. Only root may do either; otherwise, or off
 * Linux, it stays as it was. `realtime: 0` skips the first step.
 */
export function raiseThreadPriority(nice = PROBE_NICE, realtime = PROBE_RT_PRIORITY): ThreadScheduling {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return 'normal';
  }
  if (!Number.isInteger(tid) || tid <= 0) return 'normal';
  if (realtime > 0) {
    try {
      // --reset-on-fork: a process this thread might start does not inherit it.
      execFileSync('chrt', ['--reset-on-fork', '--fifo', '--pid', String(realtime), String(tid)], { stdio: 'ignore', timeout: 2000 });
      return 'realtime';
    } catch {
      // no chrt, or not allowed: the niceness below
    }
  }
  try {
    setPriority(tid, nice);
    return 'niced';
  } catch {
    return 'normal';
  }
}

// The thread's entry: one thread serves every loop of the process (started once, so a window
// does not wait for a thread to boot), each loop under its own id.
if (!isMainThread && parentPort && workerData === PROBE_THREAD) {
  const port = parentPort;
  port.postMessage({ type: 'ready', scheduling: raiseThreadPriority() } satisfies FromProbeThread);
  const stops = new Set<number>();
  port.on('message', (m: ToProbeThread) => {
    if (m.type === 'stop') {
      stops.add(m.id);
      return;
    }
    const send = (msg: FromProbeThread) => port.postMessage(msg);
    // Deliberately not awaited: loops run side by side; each ends by itself (bounded) and says so.
    void probeLoop(
      m.settings,
      (record, seq) => send({ type: 'record', id: m.id, seq, record }),
      () => stops.has(m.id),
    ).finally(() => {
      stops.delete(m.id);
      send({ type: 'done', id: m.id });
    });
  });
}
