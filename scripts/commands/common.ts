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
import { recordedFeatures, topologyFor, type Feature } from '../stack/features.js';

/**
 * The runtime of --runtime, with the topology of the stack that is up (its recorded opt-in
 * features), of the command's `--with` for one that starts a stack, or with every opt-in node
 * (`every`: down removes them all). `announce`: commands that start or change a stack say on
 * stderr which runtime `auto` chose and why (stdout stays clean for --json).
 */
export async function runtimeOf(cmd: Command, { announce = false, every = false } = {}): Promise<Runtime> {
  const asked = cmd.opts<{ with?: string }>().with;
  const { rt, auto } = await selectRuntime(cmd.optsWithGlobals().runtime as RuntimeChoice, topologyFor({ with: asked, every }));
  if (announce && auto) process.stderr.write(`runtime: ${auto.runtime} (${auto.reason})\n`);
  if (asked !== undefined && (await rt.isUp())) assertSameFeatures(rt.topology.features ?? []);
  return rt;
}

/** A stack that is up keeps its features: `--with` other ones is a mistake to name, not to ignore. */
function assertSameFeatures(asked: readonly Feature[]): void {
  const up = recordedFeatures();
  if (up.join() === asked.join()) return;
  const say = (fs: readonly Feature[]) => (fs.length ? fs.join(', ') : 'no opt-in features');
  throw new HakitError(
    `a hakit stack is up with ${say(up)}, and --with asks for ${say(asked)}`,
    ExitCode.preflight,
    `leave out --with to use the stack that is up, or \`${hakitCommand()} down\` first`,
  );
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
