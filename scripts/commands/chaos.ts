// `hakit chaos`: a seeded soak of random faults from F1–F8 under steady load, invariants checked
// all along (scripts/chaos/). What it does is in run/chaos.ts, loaded when it runs (see lazy.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from './lazy.js';
import { withFlags, withHelp } from './options.js';

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

export function registerChaosCommands(program: Command): void {
  program
    .command('chaos')
    .description('a seeded soak of random faults (F1–F8) under steady load, with invariants checked all along')
    .option(withFlags, withHelp('the stack the soak starts when none is up'))
    .option('--duration <time>', 'how long the soak runs (5s to 30m; e.g. 120s, 2m)', '120s')
    .option('--seed <n>', 'the seed of the fault plan: the same seed gives the same faults (default: random, printed)', parseSeed)
    .option('--interval <ms>', 'time between probe requests through the VIP', intervalMs, 15)
    .option('--json', 'print the report as JSON on stdout (live lines stay on stderr)')
    .option('--keep', 'leave the stack up at the end (skips the down-leaves-nothing check)')
    .addHelpText(
      'after',
      '\nInvariants: never two LBs holding the VIP outside an injected partition; the VIP serves again\n' +
        "within 2 s after every fault and its restore (F8: HAProxy's 503 counts), and after a partition\n" +
        'heals no gap between answers exceeds 0.5 s (F7 reports that gap); no failed request\n' +
        'outside the windows of faults that may cost one (hard/HAProxy kill of the VIP holder: in flight\n' +
        'or within 1 s; graceful stop: in flight or within 250 ms; a partition until it healed; F8: 503\n' +
        'pages only); the status readable every ~100 ms; after `down` nothing is left.\n' +
        'The stack is brought up first if it is not, and taken down at the end unless --keep.\n' +
        'Exit code 1 when any invariant was violated.',
    )
    .action(lazyAction(async () => (await import('./run/chaos.js')).chaos));
}
