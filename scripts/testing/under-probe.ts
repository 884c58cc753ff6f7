// The integration tests' probe around an action: a request through the VIP every 10 ms on a new
// connection (the web tier's page, never counted), and, when asked, who holds the VIP, read from
// the status every 50 ms. Bounded in time; the probe stops with the action even when it throws.
import { getStatus, masters } from '../observe/status.js';
import { runProbe, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep } from '../sh.js';
import { urls } from '../stack/topology.js';

export interface UnderProbeOptions {
  /** Probe alone before the action starts, and after it ends. */
  beforeMs?: number;
  afterMs?: number;
  /** Sample the VIP holders all along (`hakit status`'s MASTERs, "lb1+lb2" for two, "nobody"). */
  holders?: boolean;
}

export interface UnderProbe<T> {
  result: T;
  records: ProbeRecord[];
  /** Every sample of the holders, in order (empty unless asked). */
  holders: string[];
  /** When the action started (Date.now(), as the records' atMs). */
  atMs: number;
}

/** How many times the sampled VIP holders changed. */
export const holderChanges = (holders: string[]) => holders.filter((h, i) => i > 0 && h !== holders[i - 1]).length;

export async function underProbe<T>(rt: Runtime, action: () => Promise<T>, opts: UnderProbeOptions = {}): Promise<UnderProbe<T>> {
  const { beforeMs = 300, afterMs = 0 } = opts;
  const stop = new AbortController();
  const probe = runProbe({
    url: urls(rt.topology).probe,
    topology: rt.topology,
    intervalMs: 10,
    timeoutMs: 2000,
    maxDurationMs: 120_000,
    signal: stop.signal,
  });
  const holders: string[] = [];
  let sampling = Boolean(opts.holders);
  const sampler = (async () => {
    while (sampling) {
      holders.push(masters(await getStatus(rt)).join('+') || 'nobody');
      await sleep(50);
    }
  })();
  let atMs: number;
  let result: T;
  try {
    await sleep(beforeMs);
    atMs = Date.now();
    result = await action();
    await sleep(afterMs);
  } finally {
    sampling = false;
    stop.abort();
    await Promise.allSettled([sampler, probe]);
  }
  await sampler; // a status that could not be read fails the test
  return { result, records: await probe, holders, atMs };
}
