// `hakit kv --key K [--val V]`: the course's storage.py, against the kit's key-value API through
// the VIP. The body is in run/kv.ts, loaded when the command runs (see lazy.ts).
import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function registerKvCommands(program: Command): void {
  program
    .command('kv')
    .description("append a value to a key (--val), or print the key's values comma-separated, through the VIP's /api/kv/")
    .requiredOption('--key <key>', 'the key: 1 to 200 characters from A-Z a-z 0-9 . _ ~ -')
    .option('--val <value>', 'append this value (values are kept in order, never overwritten); without it, print the values')
    .option('--json', 'print JSON for scripts (the values as an array, or the append result)')
    .action(lazyAction(async () => (await import('./run/kv.js')).kv));
}
