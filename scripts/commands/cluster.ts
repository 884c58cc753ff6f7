// `hakit cluster`: the Redis Cluster's shards (slots, keys, memory per primary) and its check;
// `hakit cluster fill --cities N`: the shipped cities through the weather API, and how evenly
// their keys spread. The bodies are in run/cluster.ts, loaded when the command runs (lazy.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from './lazy.js';

const count = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
  return n;
};

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      "the Redis Cluster (hakit up --with weather): each shard's primary, replicas, slots, keys and memory, and redis-cli --cluster check",
    )
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/cluster.js')).showCluster));
  cluster
    .command('fill')
    .description(
      'load the first N of the 10,000 shipped cities through the weather API (GET through the VIP: each a MISS the source fills), then show how their keys spread over the primaries',
    )
    .option('--cities <n>', 'how many cities (1–10000)', count(10_000), 10_000)
    .option('--concurrency <n>', 'requests in flight at once (1–64)', count(64), 32)
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/cluster.js')).fillCluster));
  // Live resharding (docs/architecture.md#live-resharding): the kit's runner, with progress.
  cluster
    .command('reshard')
    .description(
      "move N slots from one primary to another, live (the source's highest slots), with progress; Ctrl-C stops between two batches",
    )
    .requiredOption('--from <node>', 'the primary that gives the slots (e.g. cluster1)')
    .requiredOption('--to <node>', 'the primary that takes them')
    .requiredOption('--slots <n>', 'how many slots')
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/reshard.js')).reshard));
  cluster
    .command('add-shard')
    .description(
      "the chat's fourth shard joins (hakit up --with chat): cluster10 as a primary, cluster11 its replica, then 4096 slots each",
    )
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/reshard.js')).addShard));
  cluster
    .command('remove-shard')
    .description('the fourth shard leaves: its slots go back to the three primaries, then cluster10 and cluster11 are forgotten and reset')
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/reshard.js')).removeShard));
}
