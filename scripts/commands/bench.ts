// `hakit bench`: the kit's tuned configuration against the textbook one, side by side, measured.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { buildReport, embedInReadme, formatMarkdown, formatTable, type Machine } from '../bench/report.js';
import { runBench, type BenchOptions } from '../bench/run.js';
import { MAX_LOAD_SECONDS } from '../bench/load.js';
import { ExitCode, HakitError, runMain } from '../errors.js';
import { profileNames, type ProfileName } from '../stack/profiles.js';
import { assertPreflight, runtimeOf } from './common.js';

export const defaultMarkdownPath = 'artifacts/bench-results.md';

const intIn =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };

export function parseProfiles(value: string): ProfileName[] {
  const picked = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of picked) {
    if (!(profileNames as string[]).includes(p))
      throw new InvalidArgumentError(`unknown profile "${p}" (choose from ${profileNames.join(', ')})`);
  }
  if (picked.length === 0) throw new InvalidArgumentError(`name at least one profile (${profileNames.join(', ')})`);
  // Always textbook first, then tuned: the table reads left to right, old to new.
  return (['textbook', 'tuned'] as ProfileName[]).filter((p) => picked.includes(p));
}

interface BenchFlags {
  repeat: number;
  profiles: ProfileName[];
  loadSeconds: number;
  connections: number;
  flapSeconds: number;
  rrRequests: number;
  lock?: string;
  json?: boolean;
  markdown: string;
  readme?: string;
  note?: string;
  verbose?: boolean;
}

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description('measure the kit (tuned) against the textbook setup, side by side: failover, load, start, memory, flaps')
    .option('--repeat <n>', 'runs per profile (a fresh stack each)', intIn(1, 50), 5)
    .addOption(
      new Option('--profiles <names>', `profiles to run, comma-separated (${profileNames.join(', ')})`)
        .argParser(parseProfiles)
        .default(parseProfiles('textbook,tuned'), 'textbook,tuned'),
    )
    .option('--load-seconds <s>', `seconds per throughput point (at most ${MAX_LOAD_SECONDS})`, intIn(1, MAX_LOAD_SECONDS), 3)
    .option('--connections <n>', 'concurrent keep-alive connections for the throughput points', intIn(1, 200), 10)
    .option('--flap-seconds <s>', 'seconds of the VRRP flap check per run (0 skips it)', intIn(0, 300), 10)
    .option('--rr-requests <n>', 'sequential requests for the round-robin evenness', intIn(10, 10_000), 1000)
    .option(
      '--lock <file>',
      'hold this flock(1) lock around each stack (machines where several people share the stack slot)',
      process.env.HAKIT_STACK_LOCK,
    )
    .option('--json', 'print the results as JSON on stdout (progress stays on stderr)')
    .option('--markdown <path>', 'where to write the markdown results section', defaultMarkdownPath)
    .option('--readme <path>', 'also replace the results between the bench markers in this README')
    .option('--note <text>', 'a note for the markdown section (e.g. what else was running)')
    .option('--verbose', "also print the failover scenarios' live lines")
    .addHelpText(
      'after',
      '\nEach run brings up a fresh stack under one profile, measures it and tears it down; the profiles\n' +
        'alternate run by run. No stack may be up when it starts. Profiles are overrides of the configs\n' +
        '(scripts/stack/profiles.ts), passed to the runtime at `up`. Takes ~10 minutes with the defaults.',
    )
    .action((opts: BenchFlags, cmd: Command) =>
      runMain(async () => {
        const rt = await runtimeOf(cmd);
        await assertPreflight(rt);
        if (!opts.lock && (await rt.isUp())) {
          throw new HakitError(
            'a hakit stack is already up: the bench brings up its own stacks',
            ExitCode.preflight,
            'remove it with `hakit down`',
          );
        }
        const abort = new AbortController();
        const onSigint = () => {
          process.stderr.write('\ninterrupted: stopping after this step, then tearing the stack down\n');
          abort.abort();
        };
        process.once('SIGINT', onSigint);
        const write = (line: string) => process.stderr.write(line + '\n');
        const started = Date.now();
        const load0 = loadavg()[0]!;
        const options: BenchOptions = {
          profiles: opts.profiles,
          repeat: opts.repeat,
          loadSeconds: opts.loadSeconds,
          connections: opts.connections,
          flapSeconds: opts.flapSeconds,
          flapHogs: 2,
          rrRequests: opts.rrRequests,
          lock: opts.lock,
          write,
          verbose: opts.verbose,
          signal: abort.signal,
        };
        const { samples, lockWaitMs } = await runBench(rt, options).finally(() => process.off('SIGINT', onSigint));
        const versions = samples.find((s) => s.versions)?.versions ?? {};
        const machine: Machine = {
          date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
          command: commandLine(),
          runtime: rt.name,
          cpu: cpus()[0]?.model.trim() ?? 'unknown',
          cores: cpus().length,
          memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
          kernel: release(),
          node: process.versions.node,
          ...versions,
          loadAverage: { start: Math.round(load0 * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
          durationS: Math.round((Date.now() - started) / 1000),
          lockWaitS: Math.round(lockWaitMs / 1000),
          options: {
            repeat: opts.repeat,
            profiles: opts.profiles,
            loadSeconds: opts.loadSeconds,
            connections: opts.connections,
            flapSeconds: opts.flapSeconds,
            flapHogs: 2,
            rrRequests: opts.rrRequests,
          },
          ...(opts.note ? { note: opts.note } : {}),
        };
        const report = buildReport(machine, samples);
        const md = formatMarkdown(report);
        const mdPath = resolve(opts.markdown);
        mkdirSync(dirname(mdPath), { recursive: true });
        writeFileSync(mdPath, md);
        if (opts.readme) {
          const path = resolve(opts.readme);
          const updated = embedInReadme(readFileSync(path, 'utf8'), md);
          if (!updated)
            throw new HakitError(
              `${path} has no bench markers`,
              ExitCode.usage,
              'add <!-- bench-results:start --> and <!-- bench-results:end --> where the results belong',
            );
          writeFileSync(path, updated);
        }
        if (opts.json) {
          console.log(JSON.stringify(report, null, 2));
        } else {
          console.log('\n' + formatTable(report, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR));
          const waited = machine.lockWaitS ? ` (${machine.lockWaitS} s of it waiting for the stack lock)` : '';
          console.log(`\nThe bench took ${machine.durationS} s on ${rt.name}${waited}. Markdown: ${mdPath}`);
        }
        const failedRuns = samples.filter((s) => s.problems.length);
        if (failedRuns.length) {
          throw new HakitError(
            `${failedRuns.length} of ${samples.length} runs saw problems`,
            ExitCode.failure,
            'see "Problems seen during the runs" in the markdown',
          );
        }
      }),
    );
}

/** How this run was started, for the results section. */
function commandLine(): string {
  if (process.env.npm_lifecycle_event === 'bench') return 'npm run bench';
  const args = process.argv.slice(2).map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a)));
  return ['hakit', ...args].join(' ');
}
