// `hakit watch`: who answers through the VIP, one line per request, until Ctrl-C.
import type { Command } from 'commander';
import { shares } from '../../observe/analysis.js';
import { assertKitAddress, isSuccess, runProbe, type ProbeRecord } from '../../observe/probe.js';
import { urls } from '../../stack/topology.js';
import { upRuntime } from '../common.js';

export async function watch(
  opts: { interval: number; duration: number; keepAlive?: boolean; json?: boolean },
  cmd: Command,
): Promise<void> {
  const rt = await upRuntime(cmd);
  const url = urls(rt.topology).probe;
  assertKitAddress(url, rt.topology);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  if (!opts.json) process.stderr.write(`Watching ${url} every ${opts.interval} ms (Ctrl-C to stop, at most ${opts.duration} s)\n`);
  const records = await runProbe({
    url,
    topology: rt.topology,
    intervalMs: opts.interval,
    timeoutMs: Math.min(2000, Math.max(500, opts.interval * 5)),
    maxDurationMs: opts.duration * 1000,
    keepAlive: opts.keepAlive,
    signal: abort.signal,
    onRecord: (r) => console.log(opts.json ? JSON.stringify(r) : tickerLine(r)),
  });
  process.off('SIGINT', onSigint);
  if (!opts.json) {
    const failed = records.filter((r) => !isSuccess(r)).length;
    const s = Object.entries(shares(records))
      .map(([k, v]) => `${k} ${Math.round(v * 100)} %`)
      .join(', ');
    process.stderr.write(`\n${records.length} requests, ${failed} failed${s ? `; served by ${s}` : ''}\n`);
  }
}

/** One request as a ticker line: "12:00:01.234  200  backend1 via lb1     2 ms". */
export function tickerLine(r: ProbeRecord): string {
  const time = new Date(r.atMs).toISOString().slice(11, 23);
  const what = isSuccess(r)
    ? `${r.status}  ${r.backend ?? '?'} via ${r.lb ?? '?'}`
    : `✗ ${r.status ? `HTTP ${r.status}${r.lb ? ` via ${r.lb}` : ''}` : r.error}`;
  return `${time}  ${what.padEnd(26)} ${Math.round(r.latencyMs).toString().padStart(5)} ms`;
}
