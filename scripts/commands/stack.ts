// The core commands: bring the stack up and down, look at it, break and mend nodes. Each
// registration is cheap; what a command does is in run/, loaded when it runs (see lazy.ts).
import type { Command } from 'commander';
import { lazyAction } from './lazy.js';
import { withFlags, withHelp } from './options.js';

const nodeArgument = 'lb1, lb2, backend1 or backend2';

export function registerStackCommands(program: Command): void {
  for (const register of [
    registerUp,
    registerDown,
    registerStatus,
    registerKill,
    registerRestore,
    registerLogs,
    registerCreds,
    registerReload,
    registerSetup,
  ])
    register(program);
}

function registerUp(program: Command): void {
  program
    .command('up')
    .description('create the network and start lb1, lb2, backend1, backend2')
    .option(withFlags, withHelp('the stack to start (e.g. --with weather)'))
    .option('--retain', 'keep a stack that failed to start, for inspection')
    .option('--config <file>', 'check a topology file (JSON or YAML: subnet, vip, nodes) first; every problem is reported, exit 2')
    .action(lazyAction(async () => (await import('./run/up.js')).up));
}

function registerDown(program: Command): void {
  program
    .command('down')
    .description("stop every node and remove everything hakit created but the data nodes' data (safe to run twice)")
    .option('--volumes', "also remove the data nodes' data (data directories, named volumes)")
    .action(lazyAction(async () => (await import('./run/down.js')).down));
}

function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show each node's role, state and address, and the URLs")
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/status.js')).status));
}

function registerKill(program: Command): void {
  program
    .command('kill')
    .description('make a node fail')
    .argument('<node>', nodeArgument)
    .option('--mode <mode>', 'hard = host dies (SIGKILL, link down); graceful = orderly stop; haproxy = only HAProxy dies', 'hard')
    .action(lazyAction(async () => (await import('./run/node.js')).kill));
}

function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('bring a killed node back (a running node is left alone)')
    .argument('<node>', nodeArgument)
    .action(lazyAction(async () => (await import('./run/node.js')).restore));
}

function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("print a node's output (HAProxy and keepalived, or the backend)")
    .argument('<node>', nodeArgument)
    .action(lazyAction(async () => (await import('./run/node.js')).logs));
}

function registerCreds(program: Command): void {
  program
    .command('creds')
    .description("print the stats page credentials and how to trust the kit's local CA (HTTPS), or --rotate them")
    .option('--json', 'print JSON for scripts: user, password, ca (the CA certificate path, null before the first up)')
    .option('--rotate', 'new password; a running stack reloads its LBs one by one (BACKUP first), keeping the VIP served')
    .action(lazyAction(async () => (await import('./run/creds.js')).creds));
}

function registerReload(program: Command): void {
  program
    .command('reload')
    .description('check the HAProxy and keepalived configs, then load them on each LB in turn (VIP holder last) without dropping a request')
    .option('--check', 'only check the config (haproxy -c, keepalived -t); change nothing')
    .option('--from <dir>', "a folder holding haproxy/ and keepalived/ to load instead of the kit's own")
    .option('--json', 'print the result as JSON for scripts')
    .action(lazyAction(async () => (await import('./run/reload.js')).reload));
}

function registerSetup(program: Command): void {
  program
    .command('setup')
    .description(
      'install haproxy, keepalived, iproute2 and curl with apt when missing (Debian/Ubuntu, root); link hakit into /usr/local/bin',
    )
    .option('--docker', 'instead: install docker.io, docker-compose and debootstrap, and start dockerd when no engine answers')
    .option('--peers', "instead: install the bench's peers (ucarp, pacemaker, corosync, resource-agents), run only inside its LB nodes")
    .action(lazyAction(async () => (await import('./run/setup.js')).setup));
}
