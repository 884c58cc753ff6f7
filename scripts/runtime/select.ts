// Picks the runtime. `auto`: the runtime that already has a stack up (so `status`, `kill`, `down`
// find it whichever way it was started: netns, then a Swarm with a plan), else docker when an
// engine answers, else netns.
import { existsSync } from 'node:fs';
import { HakitError, ExitCode } from '../errors.js';
import { defaultTopology, type Topology } from '../stack/topology.js';
import { NetnsRuntime } from './netns.js';
import type { Runtime } from './runtime.js';

export const runtimeNames = ['auto', 'netns', 'docker', 'swarm'] as const;
export type RuntimeChoice = (typeof runtimeNames)[number];

// dockerode is loaded only when Docker is in play: netns users do not pay for it at start.
async function dockerRuntime(topology: Topology): Promise<Runtime> {
  const { DockerRuntime } = await import('./docker.js');
  return new DockerRuntime(topology);
}

// The Swarm plan (swarm/plan.ts) is the topology there; a --config topology applies to one host only.
async function swarmRuntime(): Promise<Runtime> {
  const [{ SwarmRuntime }, { loadPlan }] = await Promise.all([import('./swarm.js'), import('../swarm/plan.js')]);
  return new SwarmRuntime(loadPlan());
}

export async function openRuntime(choice: RuntimeChoice = 'auto', topology: Topology = defaultTopology): Promise<Runtime> {
  switch (choice) {
    case 'netns':
      return new NetnsRuntime(topology);
    case 'docker':
      return dockerRuntime(topology);
    case 'swarm':
      return swarmRuntime();
    case 'auto': {
      const netns = new NetnsRuntime(topology);
      if (await netns.isUp()) return netns;
      // A Swarm stack counts only where a plan exists (`hakit lab up` writes one).
      const { defaultPlanFile } = await import('../swarm/plan.js');
      if (existsSync(defaultPlanFile())) {
        const swarm = await swarmRuntime().catch(() => undefined);
        if (swarm && (await swarm.isUp())) return swarm;
      }
      const { engineAnswers } = await import('./docker-engine.js');
      if (!(await engineAnswers())) return netns;
      return dockerRuntime(topology);
    }
    default:
      throw new HakitError(`unknown runtime "${choice as string}"`, ExitCode.usage);
  }
}
