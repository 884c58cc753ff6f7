// `hakit scale N`: the Swarm's backend replicas, and (unless --no-wait) HAProxy serving them all.
import type { Command } from 'commander';
import { ExitCode, HakitError } from '../../errors.js';
import { hakitCommand } from '../../host/hakit-command.js';
import { backendView } from '../../groups/backend/status.js';
import { SwarmRuntime } from '../../runtime/swarm.js';
import { waitFor } from '../../sh.js';
import { defaultPlanFile, savePlan } from '../../swarm/plan.js';
import { runtimeOf } from '../common.js';

export async function scale(replicas: number, opts: { wait: boolean }, cmd: Command): Promise<void> {
  const rt = await runtimeOf(cmd);
  if (!(rt instanceof SwarmRuntime))
    throw new HakitError(
      `scale works on a Swarm stack (--runtime swarm); the ${rt.name} stack has a fixed pair of backends`,
      ExitCode.usage,
    );
  if (!(await rt.isUp())) throw new HakitError('no hakit stack is up on the Swarm', ExitCode.notUp, `${hakitCommand()} --runtime swarm up`);
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
}
