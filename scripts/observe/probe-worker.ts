// The probe's requests and its paced loop, and the entry of the thread the loop runs in. The loop
// runs in a worker thread of its own so that the main thread's work (the evidence poller's
// execs every 75 ms, the live view, status polling, its garbage collection) cannot delay a send
// or a receive: sharing one event loop, those stalls showed up as gaps between successes as long
// as the failovers being measured. This module imports node builtins only, so that it can also
// be loaded from a data: URL when the kit runs from its TypeScript sources (probe-thread.ts).
import { readlinkSync } from 'node:fs';
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

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
  /** The page's visit count, when the backend showed one (X-Visits), and its state (X-Count). */
  count?: number;
  countState?: string;
}

/** One request; never rejects: a failure is a record with an error code. No address check here (the caller's). */
export function sendRequest(
  url: string,
  timeoutMs: number,
  agent: Agent | false = false,
  headers: Record<string, string> = {},
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
    const req = request(url, { agent, headers: { 'user-agent': 'hakit-probe', ...headers } }, (res) => {
      res.resume();
      res.on('end', () =>
        finish({
          status: res.statusCode,
          backend: header(res.headers['x-served-by']),
          lb: header(res.headers['x-lb']),
          ...counted(res.headers),
        }),
      );
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? 'ERESPONSE' }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end();
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
}

/**
 * Sends a request every intervalMs until maxRequests, maxDurationMs or stopped(); each record goes
 * to onRecord with its index in start order as soon as it completes. Resolves once every request
 * has completed (each is bounded by its timeout).
 */
export async function probeLoop(s: LoopSettings, onRecord: (r: ProbeRecord, seq: number) => void, stopped: () => boolean): Promise<void> {
  const agent = s.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < s.maxRequests; i++) {
    if (performance.now() - started >= s.maxDurationMs || stopped()) break;
    pending.push(sendRequest(s.url, s.timeoutMs, agent, s.headers).then((r) => onRecord(r, i)));
    // Schedule by absolute time so slow requests do not stretch the interval.
    const next = started + (i + 1) * s.intervalMs;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(pending);
  if (agent) agent.destroy();
}

/** Main thread → probe thread. */
export type ToProbeThread = { type: 'start'; id: number; settings: LoopSettings } | { type: 'stop'; id: number };
/** Probe thread → main thread. */
export type FromProbeThread = { type: 'record'; id: number; seq: number; record: ProbeRecord } | { type: 'done'; id: number };

/** Marks the workerData of the probe thread (a test runner may run this module in a worker of its own). */
export const PROBE_THREAD = 'hakit-probe-thread';

/** The probe thread's niceness: ahead of the stack's processes for the CPU, which it barely uses. */
export const PROBE_NICE = -10;

/**
 * Best effort: on a loaded machine (the stack's processes, the poller's execs, other work) a
 * thread that waits for a CPU sends and reads late, so this thread alone (Linux: its thread id
 * through /proc/thread-self) asks for a higher priority. Only root may raise it; otherwise, or
 * off Linux, it stays as it was. Returns whether it was raised.
 */
export function raiseThreadPriority(nice = PROBE_NICE): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

// The thread's entry: one thread serves every loop of the process (started once, so a window
// does not wait for a thread to boot), each loop under its own id.
if (!isMainThread && parentPort && workerData === PROBE_THREAD) {
  const port = parentPort;
  raiseThreadPriority();
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
