// `hakit demo` (the failover tour), `hakit watch` (a live round-robin ticker through the VIP) and
// `hakit probe-floor` (how quiet the probe is with no fault). What they do is in run/demo.ts,
// run/watch.ts and run/probe-floor.ts, loaded when they run (see lazy.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from './lazy.js';
import { withFlags, withHelp } from './options.js';

export const defaultReportPath = 'artifacts/demo-report.html';

const positiveInt =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('the failover tour: every failure mode under a probe, measured, with an HTML timeline report')
    .option(withFlags, withHelp('the stack the tour starts when none is up'))
    .option('--only <ids>', 'run only these scenarios, comma-separated (e.g. F1,F4; a wrong id lists them all)')
    .option('--repeat <n>', 'run the tour n times', positiveInt(20), 1)
    .option('--json', 'print the results as JSON on stdout (progress stays on stderr)')
    .option('--report <path>', 'where to write the HTML report', defaultReportPath)
    .option('--keep', 'leave the stack up at the end (the default)')
    .option('--down', 'tear the stack down at the end')
    .addHelpText(
      'after',
      '\nThe stack is brought up first if it is not, with the features the --only scenarios need when\n' +
        '--with is not given (U1–U5: shortener, C1–C4: weather). At the end it is left up, so you can look at it\n' +
        '(hakit status, the stats page, hakit watch); `hakit down` removes it, or pass --down.\n' +
        'Exit code 1 when a scenario misses one of its expectations.',
    )
    .action(lazyAction(async () => (await import('./run/demo.js')).demo));

  program
    .command('watch')
    .description('a live ticker of who answers through the VIP, until Ctrl-C; kill nodes in another terminal and see it')
    .option('--interval <ms>', 'time between requests', positiveInt(60_000), 200)
    .option('--duration <s>', 'stop after this many seconds at the latest', positiveInt(1800), 600)
    .option('--keep-alive', 'reuse one connection instead of a new one per request')
    .option('--json', 'print one JSON record per request (NDJSON)')
    .action(lazyAction(async () => (await import('./run/watch.js')).watch));

  program
    .command('probe-floor')
    .description('prove the probe quiet: with no fault, its longest gap between successes through the VIP, run after run')
    .option('--seconds <s>', 'length of each run', positiveInt(600), 60)
    .option('--runs <n>', 'how many runs', positiveInt(20), 5)
    .option('--interval <ms>', 'time between requests (the demo: 10)', positiveInt(1000), 10)
    .option('--max-gap <ms>', 'the bound every run must stay within', positiveInt(10_000), 30)
    .option('--evidence', "also run the demo's evidence poller, as in a tour's measuring window")
    .option('--json', 'print the results as JSON on stdout (progress stays on stderr)')
    .addHelpText(
      'after',
      '\nNeeds a stack that is up; waits until it has settled (one MASTER, every backend UP on every\n' +
        'LB, 100 answers in a row). Each run line gives the longest gap, what ended it (a request that\n' +
        'started late: the probe; one that took long: the stack) and the load average, since on a shared\n' +
        'machine the neighbours count. Exit code 1 unless every run stays within --max-gap.',
    )
    .action(lazyAction(async () => (await import('./run/probe-floor.js')).probeFloor));
}
