// What every command shares: opening the runtime chosen by --runtime, and refusing politely
// when no stack is up.
import type { Command } from 'commander';
import { ExitCode, HakitError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { openRuntime, type RuntimeChoice } from '../runtime/select.js';

export const runtimeOf = (cmd: Command): Promise<Runtime> => openRuntime(cmd.optsWithGlobals().runtime as RuntimeChoice);

export async function upRuntime(cmd: Command): Promise<Runtime> {
  const rt = await runtimeOf(cmd);
  if (!(await rt.isUp())) throw new HakitError('no hakit stack is up', ExitCode.notUp, 'start one with `hakit up`');
  return rt;
}
