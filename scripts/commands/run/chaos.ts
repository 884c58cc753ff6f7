// `hakit chaos`: the soak on the stack (brought up first if needed), its report, its verdict.
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_CHAOS_MS, runChaos } from '../../chaos/run.js';
import { chaosJson, formatChaosSummary } from '../../chaos/report.js';
import { ExitCode, HakitError } from '../../errors.js';
import { createProgress } from '../../progress.js';
import { ensureUp, runtimeOf } from '../common.js';
import { parseOption } from '../lazy.js';

/** "120s", "2m", "90" (seconds), "1500ms" → ms, from 5 s to 30 min. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!Number.isFinite(ms) || ms < 5000 || ms > MAX_CHAOS_MS)
    throw new InvalidArgumentError(`expected a duration from 5s to ${MAX_CHAOS_MS / 60_000}m (e.g. 120s, 2m)`);
  return Math.round(ms);
}

interface ChaosFlags {
  seed?: number;
  interval: number;
  json?: boolean;
  keep?: boolean;
}

export async function chaos(opts: ChaosFlags, cmd: Command): Promise<void> {
  const durationMs = parseOption(cmd, 'duration', parseDuration);
  const progress = createProgress();
  const rt = await runtimeOf(cmd, { announce: true });
  await ensureUp(rt, progress);
  const seed = opts.seed ?? Math.floor(Math.random() * 0x100000000);
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ninterrupted: restoring the stack and finishing the report …\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  process.stderr.write(`chaos on ${rt.name}: seed ${seed}, ${durationMs / 1000} s, a request every ${opts.interval} ms through the VIP\n`);
  const result = await runChaos(rt, {
    seed,
    durationMs,
    intervalMs: opts.interval,
    write: (line) => process.stderr.write(line + '\n'),
    signal: abort.signal,
    down: opts.keep ? undefined : progress,
  });
  process.off('SIGINT', onSigint);
  if (opts.json) console.log(JSON.stringify(chaosJson(result), null, 2));
  else console.log(`\n${formatChaosSummary(result, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR)}`);
  if (!opts.keep) process.stderr.write('hakit is down\n');
  if (abort.signal.aborted) process.exitCode = ExitCode.interrupted;
  if (result.violations.length) {
    throw new HakitError(
      `${result.violations.length} invariant violation${result.violations.length > 1 ? 's' : ''} in ${result.faults.length} faults (seed ${seed})`,
      ExitCode.failure,
      `replay with --seed ${seed}`,
    );
  }
}
