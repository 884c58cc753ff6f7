// Beyond one machine: the Swarm lab (a cluster on this machine) and scaling the backends.
// The stack itself is the usual `hakit --runtime swarm up|status|kill|restore|logs|down`.
// What they do is in run/lab.ts and run/scale.ts, loaded when they run (see lazy.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_BACKENDS } from '../swarm/plan.js';
import { lazyAction } from './lazy.js';

const replicasArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BACKENDS) throw new InvalidArgumentError(`a whole number from 1 to ${MAX_BACKENDS}`);
  return n;
};

const wholeIn =
  (lo: number, hi: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`a whole number from ${lo} to ${hi}`);
    return n;
  };
const runsArg = wholeIn(1, 20);
const windowArg = wholeIn(1, 30);

export function registerSwarmCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('a Docker Swarm cluster on this machine (manager, lb1, lb2: containers running their own engine) for --runtime swarm');

  lab
    .command('up')
    .description('build the node image offline, start the 3 nodes on the LAN 10.214.0.0/24, form the Swarm, write the Swarm plan')
    .option('--rebuild-base', 'make the node image again even when it exists')
    .action(lazyAction(async () => (await import('./run/lab.js')).labUp));

  lab
    .command('status')
    .description('the lab nodes and their Swarm state')
    .option('--json', 'machine-readable output')
    .action(lazyAction(async () => (await import('./run/lab.js')).labStatus));

  lab
    .command('overlap')
    .description(
      'with the stack up on the lab: kill the MASTER LB hard (N times, each restored) and measure how long two lab nodes held the VIP, sampling their interfaces every ~50 ms',
    )
    .option('--runs <n>', 'kills to measure (1 to 20)', runsArg, 3)
    .option('--window <s>', 'seconds watched after each kill (1 to 30)', windowArg, 5)
    .option('--json', 'machine-readable output')
    .action(lazyAction(async () => (await import('./run/lab.js')).labOverlap));

  lab
    .command('down')
    .description("remove the lab: node containers, their engines' volumes, the LAN, the plan (safe to run twice)")
    .action(lazyAction(async () => (await import('./run/lab.js')).labDown));

  program
    .command('scale')
    .description('--runtime swarm: run N backend replicas; HAProxy follows by DNS, without a reload')
    .argument('<replicas>', `1 to ${MAX_BACKENDS}`, replicasArg)
    .option('--no-wait', 'return at once instead of waiting until HAProxy serves every replica')
    .action(lazyAction(async () => (await import('./run/scale.js')).scale));
}
