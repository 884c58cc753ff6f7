// The core commands: bring the stack up and down, look at it, break and mend nodes.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { bringUp, killModes, killNode, restoreNode, type KillMode } from '../stack/actions.js';
import { loadCredentials } from '../stack/credentials.js';
import { rotateCredentials } from '../stack/rotate.js';
import { loadTopologyFile } from '../stack/topology-file.js';
import { ExitCode, HakitError, runMain } from '../errors.js';
import { setupDocker } from '../host/docker-setup.js';
import { createProgress } from '../progress.js';
import { setup } from '../host/setup.js';
import { getStatus } from '../observe/status.js';
import { formatStatus } from '../observe/status-table.js';
import { assertPreflight, runtimeOf, upRuntime } from './common.js';

const parseMode = (value: string): KillMode => {
  if (!(killModes as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${killModes.join(', ')}`);
  return value as KillMode;
};

export function registerStackCommands(program: Command): void {
  program
    .command('up')
    .description('create the network and start lb1, lb2, backend1, backend2')
    .option('--retain', 'keep a stack that failed to start, for inspection')
    .option('--config <file>', 'check a topology file (JSON or YAML: subnet, vip, nodes) first; every problem is reported, exit 2')
    .action(async (opts: { retain?: boolean; config?: string }, cmd: Command) => {
      const interrupt = new AbortController();
      await runMain(async () => {
        // Before anything else: a bad file starts nothing.
        if (opts.config) loadTopologyFile(opts.config);
        const progress = createProgress();
        const rt = await runtimeOf(cmd);
        await assertPreflight(rt);
        if (await rt.isUp())
          throw new HakitError(
            'a hakit stack is already up',
            ExitCode.preflight,
            'see it with `hakit status`, or remove it with `hakit down`',
          );
        const started = performance.now();
        // Ctrl-C during up: stop after the current step, then tear down what exists instead of
        // leaving half a stack (bringUp does it, as after a failure). A third Ctrl-C quits at once.
        let presses = 0;
        const onSigint = () => {
          if (++presses >= 3) process.exit(ExitCode.interrupted);
          progress.info(
            presses === 1
              ? 'interrupted: stopping after this step, then removing what was created'
              : 'still removing what was created (Ctrl-C again to quit at once)',
          );
          interrupt.abort();
        };
        process.on('SIGINT', onSigint);
        const status = await bringUp(rt, progress, opts.retain, interrupt.signal).finally(() => process.off('SIGINT', onSigint));
        const creds = loadCredentials();
        console.log(`\nhakit is up on ${rt.name} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
        console.log(formatStatus(status));
        console.log(`\n  VIP:    ${status.url}`);
        console.log(`  stats:  ${status.statsUrl}  (user ${creds?.user}, password ${creds?.password})`);
        console.log(`\nTry: curl ${status.url}   ·   hakit kill lb1   ·   hakit status   ·   hakit down`);
        console.log('Watch it live in a browser: hakit dashboard   (VIP holder, VRRP states, requests, kill/restore buttons)');
      });
      // An abandoned health wait may still be polling: do not let it keep the process alive.
      if (interrupt.signal.aborted) process.exit(process.exitCode ?? ExitCode.interrupted);
    });

  program
    .command('down')
    .description('stop every node and remove everything hakit created (safe to run twice)')
    .action((_opts, cmd: Command) =>
      runMain(async () => {
        const rt = await runtimeOf(cmd);
        if (!(await rt.isUp())) {
          console.log('nothing to tear down');
          return;
        }
        await rt.down(createProgress());
        console.log('hakit is down: nothing left behind');
      }),
    );

  program
    .command('status')
    .description("show each node's role, state and address, and the URLs")
    .option('--json', 'print JSON for scripts')
    .action((opts: { json?: boolean }, cmd: Command) =>
      runMain(async () => {
        const rt = await upRuntime(cmd);
        const status = await getStatus(rt);
        if (opts.json) {
          console.log(JSON.stringify(status, null, 2));
          return;
        }
        console.log(formatStatus(status));
        console.log(`\n  VIP:    ${status.url}\n  stats:  ${status.statsUrl}  (credentials: hakit creds)`);
      }),
    );

  program
    .command('kill')
    .description('make a node fail')
    .argument('<node>', 'lb1, lb2, backend1 or backend2')
    .addOption(
      new Option('--mode <mode>', 'hard = host dies (SIGKILL, link down); graceful = orderly stop; haproxy = only HAProxy dies')
        .argParser(parseMode)
        .default('hard'),
    )
    .action((node: string, opts: { mode: KillMode }, cmd: Command) =>
      runMain(async () => {
        const rt = await upRuntime(cmd);
        await killNode(rt, node, opts.mode);
        console.log(`${node}: killed (${opts.mode})`);
      }),
    );

  program
    .command('restore')
    .description('bring a killed node back (a running node is left alone)')
    .argument('<node>', 'lb1, lb2, backend1 or backend2')
    .action((node: string, _opts, cmd: Command) =>
      runMain(async () => {
        const rt = await upRuntime(cmd);
        const restored = await restoreNode(rt, node);
        console.log(restored ? `${node}: restored` : `${node}: already running, nothing to do`);
      }),
    );

  program
    .command('logs')
    .description("print a node's output (HAProxy and keepalived, or the backend)")
    .argument('<node>', 'lb1, lb2, backend1 or backend2')
    .action((node: string, _opts, cmd: Command) =>
      runMain(async () => {
        const rt = await runtimeOf(cmd);
        process.stdout.write(await rt.logs(node));
      }),
    );

  program
    .command('creds')
    .description('print the stats page credentials, or --rotate them')
    .option('--json', 'print JSON for scripts')
    .option('--rotate', 'new password; a running stack restarts its LBs one by one (BACKUP first), keeping the VIP served')
    .action((opts: { json?: boolean; rotate?: boolean }, cmd: Command) =>
      runMain(async () => {
        if (opts.rotate) {
          const rt = await runtimeOf(cmd);
          await rotateCredentials((await rt.isUp()) ? rt : undefined, createProgress());
        }
        const creds = loadCredentials();
        if (!creds) throw new HakitError('no credentials yet', ExitCode.notUp, 'they are generated by the first `hakit up`');
        console.log(opts.json ? JSON.stringify(creds) : `user ${creds.user}\npassword ${creds.password}`);
      }),
    );

  program
    .command('setup')
    .description('install haproxy, keepalived, iproute2 and curl with apt when missing (Debian/Ubuntu, root)')
    .option('--docker', 'instead: install docker.io, docker-compose and debootstrap, and start dockerd when no engine answers')
    .action((opts: { docker?: boolean }) => runMain(() => (opts.docker ? setupDocker(createProgress()) : setup(createProgress()))));
}
