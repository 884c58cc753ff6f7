// Picks the runtime. `auto`: the runtime that already has a stack up (so `status`, `kill`, `down`
// find it whichever way it was started), else docker when an engine answers, else netns.
import { HakitError, ExitCode } from '../errors.js';
import { defaultTopology, type Topology } from '../topology.js';
import { NetnsRuntime } from './netns.js';
import type { Runtime } from './runtime.js';

export const runtimeNames = ['auto', 'netns', 'docker', 'swarm'] as const;
export type RuntimeChoice = (typeof runtimeNames)[number];

// dockerode is loaded only when Docker is in play: netns users do not pay for it at start.
async function dockerRuntime(topology: Topology): Promise<Runtime> {
  const { DockerRuntime } = await import('./docker.js');
  return new DockerRuntime(topology);
}

export async function openRuntime(choice: RuntimeChoice = 'auto', topology: Topology = defaultTopology): Promise<Runtime> {
  switch (choice) {
    case 'netns':
      return new NetnsRuntime(topology);
    case 'docker':
      return dockerRuntime(topology);
    case 'swarm': {
      // The Swarm plan (plan.ts) is the topology there; a --config topology applies to one host only.
      const [{ SwarmRuntime }, { loadPlan }] = await Promise.all([import('./swarm.js'), import('../swarm/plan.js')]);
      return new SwarmRuntime(loadPlan());
    }
    case 'auto': {
      const netns = new NetnsRuntime(topology);
      if (await netns.isUp()) return netns;
      const { engineAnswers } = await import('./docker-engine.js');
      if (!(await engineAnswers())) return netns;
      return dockerRuntime(topology);
    }
    default:
      throw new HakitError(`unknown runtime "${choice as string}"`, ExitCode.usage);
  }
}
