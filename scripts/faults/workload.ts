// A workload is what runs through a fault and counts what the fault cost it, per operation. A
// fault is paired with a workload, never written for one: the web probe here, the data tier's
// counters and chats beside it later, each reporting the same OperationTally.
import { assertKitAddress, isSuccess, runProbe, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls } from '../stack/topology.js';
import { emptyTally, type OperationTally } from './cost.js';

export interface RunningWorkload<R> {
  /** What it recorded so far, live. */
  readonly records: R[];
  /** Stops it (bounded: it also stops by itself at its own limit) and returns every record. */
  stop(): Promise<R[]>;
}

export interface Workload<R> {
  readonly name: string;
  start(rt: Runtime, limits: { maxDurationMs: number }): RunningWorkload<R>;
  tally(records: R[]): OperationTally;
}

/**
 * Requests through the VIP on a fixed interval, each on a new connection. Stateless: nothing can
 * be lost or doubled, so a request is acknowledged (2xx/3xx), failed (an HTTP error, a refused
 * or reset connection) or unknown (timed out).
 */
export function webProbe(opts: { intervalMs: number; timeoutMs: number }): Workload<ProbeRecord> {
  return {
    name: 'web-probe',
    start(rt, { maxDurationMs }) {
      const url = urls(rt.topology).probe;
      assertKitAddress(url, rt.topology);
      const records: ProbeRecord[] = [];
      const stop = new AbortController();
      const done = runProbe({ url, topology: rt.topology, ...opts, maxDurationMs, signal: stop.signal, onRecord: (r) => records.push(r) });
      return {
        records,
        stop: () => {
          stop.abort();
          return done;
        },
      };
    },
    tally(records) {
      const t = emptyTally();
      for (const r of records) {
        if (isSuccess(r)) t.acknowledged++;
        else if (r.error === 'ETIMEDOUT') t.unknown++;
        else t.failed++;
      }
      return t;
    },
  };
}
