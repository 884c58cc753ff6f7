// The command files are loaded at every start, so they state a few limits as text instead of
// importing the modules that own them (see lazy.ts); these tests keep the text true.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { MAX_LOAD_SECONDS } from '../bench/load.js';
import { MAX_CHAOS_MS } from '../chaos/run.js';
import { defaultDashboardPort } from '../dashboard/server.js';
import { registerBenchCommands } from './bench.js';
import { registerChaosCommands } from './chaos.js';
import { registerDashboardCommands } from './dashboard.js';

function helpOf(register: (program: Command) => void, name: string): string {
  const program = new Command('hakit');
  register(program);
  const cmd = program.commands.find((c) => c.name() === name);
  if (!cmd) throw new Error(`no command ${name}`);
  return cmd.helpInformation().replace(/\s+/g, ' ');
}

describe('help texts name the limits of the modules that enforce them', () => {
  it('bench: the load generator’s longest point', () => {
    expect(helpOf(registerBenchCommands, 'bench')).toContain(`(at most ${MAX_LOAD_SECONDS})`);
  });

  it('chaos: the longest soak', () => {
    expect(helpOf(registerChaosCommands, 'chaos')).toContain(`(5s to ${MAX_CHAOS_MS / 60_000}m;`);
  });

  it('dashboard: the default port', () => {
    expect(helpOf(registerDashboardCommands, 'dashboard')).toContain(`${defaultDashboardPort})`);
  });
});
