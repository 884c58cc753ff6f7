// Beyond one machine: the Swarm lab (a cluster on this machine) and scaling the backends.
// The stack itself is the usual `hakit --runtime swarm up|status|kill|restore|logs|down`.
import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode, HakitError, runMain } from '../errors.js';
import { createProgress } from '../progress.js';
import { SwarmRuntime } from '../runtime/swarm.js';
import { labDown, labStatus, labUp } from '../swarm/lab.js';
import { defaultPlanFile, MAX_BACKENDS, savePlan } from '../swarm/plan.js';
import { runtimeOf } from './common.js';
import { waitFor } from '../sh.js';
import { backendView } from '../groups/backend/status.js';

const replicasArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BACKENDS) throw new InvalidArgumentError(`a whole number from 1 to ${MAX_BACKENDS}`);
  return n;
};

export function registerSwarmCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('a Docker Swarm cluster on this machine (manager, lb1, lb2: containers running their own engine) for --runtime swarm');

  lab
    .command('up')
    .description('build the node image offline, start the 3 nodes on the LAN 10.214.0.0/24, form the Swarm, write the Swarm plan')
    .option('--rebuild-base', 'make the node image again even when it exists')
    .action((opts: { rebuildBase?: boolean }) =>
      runMain(async () => {
        const started = performance.now();
        await labUp(createProgress(), opts);
        console.log(`lab up in ${((performance.now() - started) / 1000).toFixed(1)} s — next: hakit --runtime swarm up`);
      }),
    );

  lab
    .command('status')
    .description('the lab nodes and their Swarm state')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      runMain(async () => {
        const s = await labStatus();
        if (opts.json) return void console.log(JSON.stringify(s, null, 2));
        if (!s.up) return void console.log('no lab (hakit lab up makes one)');
        for (const n of s.nodes)
          console.log(`${n.name.padEnd(8)} ${n.address.padEnd(12)} ${n.running ? 'running' : 'stopped'}  ${n.swarm ?? ''}`);
      }),
    );

  lab
    .command('down')
    .description("remove the lab: node containers, their engines' volumes, the LAN, the plan (safe to run twice)")
    .action(() => runMain(() => labDown(createProgress())));

  program
    .command('scale')
    .description('--runtime swarm: run N backend replicas; HAProxy follows by DNS, without a reload')
    .argument('<replicas>', `1 to ${MAX_BACKENDS}`, replicasArg)
    .option('--no-wait', 'return at once instead of waiting until HAProxy serves every replica')
    .action((replicas: number, opts: { wait: boolean }, cmd: Command) =>
      runMain(async () => {
        const rt = await runtimeOf(cmd);
        if (!(rt instanceof SwarmRuntime))
          throw new HakitError(
            `scale works on a Swarm stack (--runtime swarm); the ${rt.name} stack has a fixed pair of backends`,
            ExitCode.usage,
          );
        if (!(await rt.isUp())) throw new HakitError('no hakit stack is up on the Swarm', ExitCode.notUp, 'hakit --runtime swarm up');
        const plan = rt.plan;
        const started = performance.now();
        await rt.scaleBackends(replicas);
        savePlan({ ...plan, backends: replicas }, defaultPlanFile());
        if (!opts.wait) return;
        const scaled = new SwarmRuntime({ ...plan, backends: replicas });
        await waitFor(
          `HAProxy to serve ${replicas} backends`,
          async () => {
            const view = await backendView(scaled, ['lb1', 'lb2']);
            return view && [...view.values()].filter((s) => s === 'UP').length === replicas ? true : undefined;
          },
          60_000,
          250,
        );
        console.log(`${replicas} backends UP in HAProxy after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
}
