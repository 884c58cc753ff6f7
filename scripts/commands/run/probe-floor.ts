// `hakit probe-floor`: the probe's floor, run after run, on the stack that is up (observe/floor-proof.ts).
import type { Command } from 'commander';
import { ExitCode, HakitError } from '../../errors.js';
import { proveFloor } from '../../observe/floor-proof.js';
import { upRuntime } from '../common.js';

export async function probeFloor(
  opts: { seconds: number; runs: number; interval: number; maxGap: number; evidence?: boolean; json?: boolean },
  cmd: Command,
): Promise<void> {
  const rt = await upRuntime(cmd);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const proof = await proveFloor(rt, {
    seconds: opts.seconds,
    runs: opts.runs,
    intervalMs: opts.interval,
    maxGapMs: opts.maxGap,
    evidence: Boolean(opts.evidence),
    write: (line) => process.stderr.write(line + '\n'),
    signal: abort.signal,
  }).finally(() => process.off('SIGINT', onSigint));
  if (opts.json) console.log(JSON.stringify(proof, null, 2));
  else console.log(`${proof.passed} of ${proof.runs.length} runs within ${proof.maxGapMs} ms`);
  if (abort.signal.aborted) throw new HakitError('interrupted', ExitCode.interrupted);
  if (!proof.ok) {
    throw new HakitError(
      `the probe's floor exceeded ${proof.maxGapMs} ms in ${proof.runs.length - proof.passed} of ${proof.runs.length} runs`,
      ExitCode.failure,
      'see each run line: a late start is the probe (is its thread realtime?), a long latency the stack; a high load or CPU steal is the machine',
    );
  }
}
