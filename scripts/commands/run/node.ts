// `hakit kill|restore|logs NODE`: one node of a stack that is up.
import { InvalidArgumentError, type Command } from 'commander';
import { killModes, killNode, restoreNode, type KillMode } from '../../stack/actions.js';
import { parseOption } from '../lazy.js';
import { runtimeOf, upRuntime } from '../common.js';

export function parseMode(value: string): KillMode {
  if (!(killModes as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${killModes.join(', ')}`);
  return value as KillMode;
}

export async function kill(node: string, _opts: unknown, cmd: Command): Promise<void> {
  const mode = parseOption(cmd, 'mode', parseMode);
  const rt = await upRuntime(cmd);
  await killNode(rt, node, mode);
  console.log(`${node}: killed (${mode})`);
}

export async function restore(node: string, _opts: unknown, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const restored = await restoreNode(rt, node);
  console.log(restored ? `${node}: restored` : `${node}: already running, nothing to do`);
}

export async function logs(node: string, _opts: unknown, cmd: Command): Promise<void> {
  const rt = await runtimeOf(cmd);
  process.stdout.write(await rt.logs(node));
}
