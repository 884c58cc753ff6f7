// Picks the runtime. `auto` will prefer Docker when an engine answers; until the Docker runtime
// lands, netns is the only one.
import { HakitError, ExitCode } from '../errors.js';
import { defaultTopology, type Topology } from '../topology.js';
import { NetnsRuntime } from './netns.js';
import type { Runtime } from './runtime.js';

export const runtimeNames = ['auto', 'netns'] as const;
export type RuntimeChoice = (typeof runtimeNames)[number];

export async function openRuntime(choice: RuntimeChoice = 'auto', topology: Topology = defaultTopology): Promise<Runtime> {
  switch (choice) {
    case 'auto':
    case 'netns':
      return new NetnsRuntime(topology);
    default:
      throw new HakitError(`unknown runtime "${choice as string}"`, ExitCode.usage);
  }
}
