// `hakit chaos`: a seeded soak of random faults from F1–F8 under steady load, invariants checked
// all along (scripts/chaos*.ts). Brings the stack up if needed and, unless --keep, down at the end.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MAX_CHAOS_MS, runChaos } from '../chaos/run.js';
import { chaosJson, formatChaosSummary } from '../chaos/report.js';
import { ExitCode, HakitError, runMain } from '../errors.js';
import { createProgress } from '../progress.js';
import { ensureUp, runtimeOf } from './common.js';

/** "120s", "2m", "90" (seconds), "1500ms" → ms, from 5 s to 30 min. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!Number.isFinite(ms) || ms < 5000 || ms > MAX_CHAOS_MS)
    throw new InvalidArgumentError('expected a duration from 5s to 30m (e.g. 120s, 2m)');
  return Math.round(ms);
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('expected a whole number from 0 to 4294967295');
  return n;
}

const intervalMs = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 5 || n > 1000) throw new InvalidArgumentError('expected a whole number of ms from 5 to 1000');
  return n;
};

interface ChaosFlags {
  duration: number;
  seed?: number;
  interval: number;
  json?: boolean;
  keep?: boolean;
}

export function registerChaosCommands(program: Command): void {
  program
    .command('chaos')
    .description('a seeded soak of random faults (F1–F8) under steady load, with invariants checked all along')
    .addOption(
      new Option('--duration <time>', 'how long the soak runs (5s to 30m; e.g. 120s, 2m)')
        .argParser(parseDuration)
        .default(120_000, '120s'),
    )
    .option('--seed <n>', 'the seed of the fault plan: the same seed gives the same faults (default: random, printed)', parseSeed)
    .option('--interval <ms>', 'time between probe requests through the VIP', intervalMs, 15)
    .option('--json', 'print the report as JSON on stdout (live lines stay on stderr)')
    .option('--keep', 'leave the stack up at the end (skips the down-leaves-nothing check)')
    .addHelpText(
      'after',
      '\nInvariants: never two LBs holding the VIP outside an injected partition; the VIP serves again\n' +
        "within 2 s after every fault and its restore (F8: HAProxy's 503 counts); no failed request\n" +
        'outside the windows of faults that may cost one (hard/HAProxy kill of the VIP holder: in flight\n' +
        'or within 1 s; graceful stop: in flight or within 250 ms; a partition until it healed; F8: 503\n' +
        'pages only); the status readable every ~100 ms; after `down` nothing is left.\n' +
        'The stack is brought up first if it is not, and taken down at the end unless --keep.\n' +
        'Exit code 1 when any invariant was violated.',
    )
    .action((opts: ChaosFlags, cmd: Command) =>
      runMain(async () => {
        const progress = createProgress();
        const rt = await runtimeOf(cmd);
        await ensureUp(rt, progress);
        const seed = opts.seed ?? Math.floor(Math.random() * 0x100000000);
        const abort = new AbortController();
        const onSigint = () => {
          process.stderr.write('\ninterrupted: restoring the stack and finishing the report …\n');
          abort.abort();
        };
        process.once('SIGINT', onSigint);
        process.stderr.write(
          `chaos on ${rt.name}: seed ${seed}, ${opts.duration / 1000} s, a request every ${opts.interval} ms through the VIP\n`,
        );
        const result = await runChaos(rt, {
          seed,
          durationMs: opts.duration,
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
      }),
    );
}
