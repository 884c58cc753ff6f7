// What every command shares: opening the runtime chosen by --runtime, refusing politely when no
// stack is up, and the preflight before one is started. Loaded by the commands' run/ modules only.
import type { Command } from 'commander';
import { bringUp } from '../stack/actions.js';
import { ExitCode, HakitError } from '../errors.js';
import { hakitCommand } from '../host/hakit-command.js';
import { formatProblems } from '../stack/preflight.js';
import type { Progress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { selectRuntime, type RuntimeChoice } from '../runtime/select.js';

/**
 * The runtime of --runtime. `announce`: commands that start or change a stack say on stderr which
 * runtime `auto` chose and why (stdout stays clean for --json).
 */
export async function runtimeOf(cmd: Command, { announce = false } = {}): Promise<Runtime> {
  const { rt, auto } = await selectRuntime(cmd.optsWithGlobals().runtime as RuntimeChoice);
  if (announce && auto) process.stderr.write(`runtime: ${auto.runtime} (${auto.reason})\n`);
  return rt;
}

export async function upRuntime(cmd: Command): Promise<Runtime> {
  const rt = await runtimeOf(cmd);
  if (!(await rt.isUp())) throw new HakitError('no hakit stack is up', ExitCode.notUp, `start one with \`${hakitCommand()} up\``);
  return rt;
}

/** Every preflight problem at once, as one error; nothing has been started. */
export async function assertPreflight(rt: Runtime): Promise<void> {
  const problems = await rt.preflight();
  if (problems.length) throw new HakitError(`cannot start:\n${formatProblems(problems)}`, ExitCode.preflight);
}

/** For commands that work on a stack and bring one up when there is none (demo, chaos). */
export async function ensureUp(rt: Runtime, progress: Progress): Promise<void> {
  if (await rt.isUp()) return;
  await assertPreflight(rt);
  progress.info(`No stack up: starting one on ${rt.name}`);
  await bringUp(rt, progress);
}
