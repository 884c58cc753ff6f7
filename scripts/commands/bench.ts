// `hakit bench`: the kit's tuned configuration against the textbook one, side by side, measured.
// What it does is in run/bench.ts, loaded when it runs (see lazy.ts).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { profileNames, type ProfileName } from '../stack/profiles.js';
import { lazyAction } from './lazy.js';
import { withFlags, withHelp } from './options.js';

export const defaultMarkdownPath = 'artifacts/bench-results.md';

export const intIn =
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
  // Always in the catalogue's order (textbook first, then tuned, …): the tables read left to right, old to new.
  return profileNames.filter((p) => picked.includes(p));
}

export interface BenchFlags {
  repeat: number;
  profiles: ProfileName[];
  /** Checked against the load generator's limit when the bench runs. */
  loadSeconds: string;
  connections: number;
  flapSeconds: number;
  /** Only these failover scenarios (bench/run.ts BENCH_FAULTS). */
  faults?: string[];
  rrRequests: number;
  lock?: string;
  json?: boolean;
  markdown: string;
  readme?: string;
  note?: string;
  verbose?: boolean;
  samples?: string;
}

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description(
      'measure the kit (tuned) against the textbook setup, keep-alive server connections and the peers (ucarp, Pacemaker), side by side: failover, load, HAProxy CPU, start, memory, flaps',
    )
    .option(withFlags, withHelp("the bench's stacks"))
    .option('--repeat <n>', 'runs per profile (a fresh stack each)', intIn(1, 50), 5)
    .addOption(
      new Option('--profiles <names>', `profiles to run, comma-separated (${profileNames.join(', ')})`)
        .argParser(parseProfiles)
        .default(profileNames, `${profileNames.join(',')} (the peers only where the runtime runs them)`),
    )
    .option('--load-seconds <s>', 'seconds per throughput point (at most 10)', '3')
    .option('--connections <n>', 'concurrent keep-alive connections for the throughput points', intIn(1, 200), 10)
    .option('--faults <ids>', 'only these failover scenarios, comma-separated (e.g. R1; default: every one the stack has)', (v) =>
      v
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    )
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
    .option('--samples <file>', "append each run's raw figures to this file as one JSON line, as soon as measured")
    .addHelpText(
      'after',
      '\nEach run brings up a fresh stack under one profile, measures it and tears it down; the profiles\n' +
        'alternate run by run. No stack may be up when it starts. Profiles are overrides of the configs\n' +
        '(scripts/stack/profiles.ts), passed to the runtime at `up`; the peers (ucarp, pacemaker) run on\n' +
        'netns only. Takes ~25 minutes with the defaults.',
    )
    .action(lazyAction(async () => (await import('./run/bench.js')).bench));
}
