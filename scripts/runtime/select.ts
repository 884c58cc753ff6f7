// Picks the runtime. `auto` first finds a stack that is up, so that `status`, `kill` and `down`
// find it whichever way it was started (netns, then a Swarm with a plan); with none up it picks
// where a new stack will start: Docker only when an engine answers and the kit's images are built
// there, else netns. Runtimes are loaded on demand: this module is read when the CLI starts, and
// netns users do not pay for dockerode, nor `hakit --help` for zx.
import { existsSync } from 'node:fs';
import { HakitError, ExitCode } from '../errors.js';
import { stackTopology } from '../stack/features.js';
import type { Topology } from '../stack/topology.js';
import type { Runtime } from './runtime.js';

export const runtimeNames = ['auto', 'netns', 'docker', 'swarm'] as const;
export type RuntimeChoice = (typeof runtimeNames)[number];
export type RuntimeName = Exclude<RuntimeChoice, 'auto'>;

/** What `auto` looks at, in this order; a fact is looked up only while the earlier ones are false. */
export interface AutoFacts {
  netnsUp: boolean;
  swarmUp: boolean;
  engineAnswers: boolean;
  imagesBuilt: boolean;
}

export interface AutoChoice {
  runtime: RuntimeName;
  /** One line for the user: why this runtime. */
  reason: string;
}

export function chooseAuto(facts: AutoFacts): AutoChoice {
  if (facts.netnsUp) return { runtime: 'netns', reason: 'a netns stack is up' };
  if (facts.swarmUp) return { runtime: 'swarm', reason: 'a Swarm stack is up' };
  if (!facts.engineAnswers) return { runtime: 'netns', reason: 'no Docker engine answers' };
  // An engine without the images would stop the first `up` with "image … not built".
  if (!facts.imagesBuilt) return { runtime: 'netns', reason: 'Docker answers but its images are not built: hakit images' };
  return { runtime: 'docker', reason: 'Docker answers and its images are built' };
}

async function netnsRuntime(topology: Topology): Promise<Runtime> {
  const { NetnsRuntime } = await import('./netns.js');
  return new NetnsRuntime(topology);
}

async function dockerRuntime(topology: Topology): Promise<Runtime> {
  const { DockerRuntime } = await import('./docker.js');
  return new DockerRuntime(topology);
}

// The Swarm plan (swarm/plan.ts) is the topology there; a --config topology applies to one host only.
async function swarmRuntime(): Promise<Runtime> {
  const [{ SwarmRuntime }, { loadPlan }] = await Promise.all([import('./swarm.js'), import('../swarm/plan.js')]);
  return new SwarmRuntime(loadPlan());
}

/** A Swarm stack counts only where a plan exists (`hakit lab up` writes one). */
async function swarmIsUp(): Promise<Runtime | undefined> {
  const { defaultPlanFile } = await import('../swarm/plan.js');
  if (!existsSync(defaultPlanFile())) return undefined;
  const swarm = await swarmRuntime().catch(() => undefined);
  return swarm && (await swarm.isUp()) ? swarm : undefined;
}

async function dockerImagesBuilt(): Promise<{ engineAnswers: boolean; imagesBuilt: boolean }> {
  const { dockerClient, engineAnswers, imageExists, images } = await import('./docker-engine.js');
  // Asked at once: an engine that does not answer finds no image either.
  const docker = dockerClient(1500);
  const [answers, ...built] = await Promise.all([engineAnswers(), ...Object.values(images).map((image) => imageExists(docker, image))]);
  return { engineAnswers: answers, imagesBuilt: answers && built.every(Boolean) };
}

/** The runtime, and for `auto` which one it chose and why. */
export async function selectRuntime(
  choice: RuntimeChoice = 'auto',
  topology: Topology = stackTopology(),
): Promise<{ rt: Runtime; auto?: AutoChoice }> {
  switch (choice) {
    case 'netns':
      return { rt: await netnsRuntime(topology) };
    case 'docker':
      return { rt: await dockerRuntime(topology) };
    case 'swarm':
      return { rt: await swarmRuntime() };
    case 'auto': {
      const netns = await netnsRuntime(topology);
      const netnsUp = await netns.isUp();
      const swarm = netnsUp ? undefined : await swarmIsUp();
      const docker = netnsUp || swarm ? { engineAnswers: false, imagesBuilt: false } : await dockerImagesBuilt();
      const auto = chooseAuto({ netnsUp, swarmUp: swarm !== undefined, ...docker });
      const open: Record<RuntimeName, () => Promise<Runtime>> = {
        netns: async () => netns,
        swarm: async () => swarm ?? swarmRuntime(),
        docker: () => dockerRuntime(topology),
      };
      return { rt: await open[auto.runtime](), auto };
    }
    default:
      throw new HakitError(`unknown runtime "${choice as string}"`, ExitCode.usage);
  }
}

export async function openRuntime(choice: RuntimeChoice = 'auto', topology: Topology = stackTopology()): Promise<Runtime> {
  return (await selectRuntime(choice, topology)).rt;
}
