// Commands for the data nodes: redis-cli on a node as its admin (the course's own checks).
import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function registerDataCommands(program: Command): void {
  program
    .command('redis-cli')
    .description('run redis-cli against a data node as its admin user (e.g. `hakit redis-cli redis2 GET page:index:counter:2026-11-29`)')
    .argument('<node>', 'a data node: redis1, redis2, redis3')
    .argument('[args...]', 'the command and its arguments; none: an interactive session')
    .option('--sentinel', "talk to the node's Sentinel (port 26379) instead of its Redis")
    .allowUnknownOption()
    .action(lazyAction(async () => (await import('./run/redis-cli.js')).redisCli));
}
