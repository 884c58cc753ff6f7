#!/usr/bin/env node
// hakit's command line: global options here, each group of commands in scripts/commands/.
// Registering the commands is cheap: each loads its modules only when it runs (commands/lazy.ts),
// so `hakit --help` and `hakit kill` do not wait for dockerode, zx, hono and the rest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { registerBenchCommands } from './commands/bench.js';
import { registerChaosCommands } from './commands/chaos.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerDataCommands } from './commands/data.js';
import { registerDockerCommands } from './commands/docker.js';
import { registerDashboardCommands } from './commands/dashboard.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerKvCommands } from './commands/kv.js';
import { registerChatCommands } from './commands/chat.js';
import { registerStackCommands } from './commands/stack.js';
import { registerSwarmCommands } from './commands/swarm.js';
import { ExitCode } from './errors.js';
import { packageRoot } from './paths.js';
import { runtimeNames } from './runtime/select.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

const program = new Command('hakit')
  .description('A highly available web tier on one machine: 2 Hono backends, 2 HAProxy load balancers, 1 keepalived VIP.')
  .version(version)
  .showHelpAfterError()
  .addOption(
    new Option('--runtime <name>', 'where the nodes run (auto: where a stack is up, else docker when its images are built, else netns)')
      .choices(runtimeNames)
      .default('auto'),
  )
  .option('--plan <file>', 'with --runtime swarm: the Swarm plan (default: the one `hakit lab up` writes; env HAKIT_SWARM_PLAN)')
  .hook('preAction', (cmd) => {
    const plan = cmd.opts().plan as string | undefined;
    if (plan) process.env.HAKIT_SWARM_PLAN = plan;
  })
  .exitOverride((err) => {
    process.exit(err.exitCode === ExitCode.ok ? ExitCode.ok : ExitCode.usage);
  });

registerStackCommands(program);
registerDemoCommands(program);
registerDataCommands(program);
registerClusterCommands(program);
registerDashboardCommands(program);
registerDockerCommands(program);
registerBenchCommands(program);
registerChaosCommands(program);
registerSwarmCommands(program);
registerKvCommands(program);
registerChatCommands(program);

await program.parseAsync();
