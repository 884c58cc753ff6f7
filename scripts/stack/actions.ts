// What the CLI, the demo and the tests do to a stack, written once over the Runtime seam.
import { ensureCredentials } from './credentials.js';
import { ensureTls } from './tls.js';
import { HakitError, ExitCode } from '../errors.js';
import { abortableProgress } from './interrupt.js';
import type { Progress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { getStatus, isHealthy, type StackStatus } from '../observe/status.js';
import { groupOf, groupsOf, nodeGroups } from '../groups/index.js';
import { findNode } from './topology.js';

/** How a node dies: the whole node (hard, graceful) or one part of it (a group's `parts`). */
export type KillMode = 'hard' | 'graceful' | 'haproxy' | 'sentinel';
export const killModes: readonly KillMode[] = ['hard', 'graceful', 'haproxy', 'sentinel'];

/** `signal` (Ctrl-C): stop at the next step boundary, then tear down as after a failure. */
export async function bringUp(rt: Runtime, progress: Progress, retain = false, signal?: AbortSignal): Promise<StackStatus> {
  const { creds, created } = ensureCredentials();
  if (created) progress.info('Generated credentials (kept with mode 0600 in the state directory; see hakit creds)');
  const tls = await ensureTls(rt.topology);
  if (tls.caCreated) progress.info(`Created the local CA for HTTPS (${tls.paths.caCert}; its key stays in the state directory, mode 0600)`);
  if (tls.issued && !tls.caCreated) progress.info(`Issued a new server certificate: ${tls.issued}`);
  try {
    const steps = signal ? abortableProgress(progress, signal) : progress;
    await rt.up({ progress: steps, credentials: creds });
    for (const { group } of groupsOf(rt.topology))
      if (group.formed) await steps.step(`The ${group.title}s formed and checked`, () => group.formed!(rt));
    // The health wait only reads: on Ctrl-C it is abandoned at once (settle 0).
    const waitProgress = signal ? abortableProgress(progress, signal, 0) : progress;
    return await waitProgress.step('Backends UP in HAProxy and one load balancer holding the VIP', () =>
      waitHealthy(rt, Math.max(20_000, ...groupsOf(rt.topology).map(({ group }) => group.healthyWithinMs ?? 0))),
    );
  } catch (err) {
    if (retain) {
      progress.info('up failed: the stack is kept for inspection (--retain); `hakit logs NODE`, then `hakit down`');
    } else {
      progress.info('up failed: removing what was created (keep it with --retain)');
      await rt.down(progress).catch(() => undefined);
    }
    throw err;
  }
}

export async function waitHealthy(rt: Runtime, timeoutMs: number): Promise<StackStatus> {
  let last: StackStatus | undefined;
  try {
    return await waitFor(
      'a healthy stack',
      async () => {
        last = await getStatus(rt);
        return isHealthy(last) ? last : undefined;
      },
      timeoutMs,
      100,
    );
  } catch {
    const seen = last ? last.nodes.map((n) => `${n.name} ${n.state}`).join(', ') : 'no status';
    throw new HakitError(
      `the stack did not become healthy within ${timeoutMs / 1000} s (${seen})`,
      ExitCode.failure,
      'see `hakit logs NODE`',
    );
  }
}

export async function killNode(rt: Runtime, node: string, mode: KillMode): Promise<void> {
  const spec = findNode(rt.topology, node);
  if (!spec) throw new HakitError(`no node named "${node}"`, ExitCode.usage, `nodes: ${rt.topology.nodes.map((n) => n.name).join(', ')}`);
  if (mode === 'hard' || mode === 'graceful') return rt.stop(node, mode);
  // A part of the node dies alone (an LB's HAProxy), the rest stays up and must notice on its own.
  const group = groupOf(spec);
  if (!group.killPart || !group.parts?.includes(mode)) {
    const applies = Object.values(nodeGroups).filter((g) => g.parts?.includes(mode));
    throw new HakitError(`--mode ${mode} applies to ${applies.map((g) => `${g.title}s`).join(', ')}, not to ${node}`, ExitCode.usage);
  }
  return group.killPart(rt, node, mode);
}

/** Is the node fully alive (for an LB: HAProxy too)? A healthy node is left alone by restore. */
export async function nodeIsWhole(rt: Runtime, node: string): Promise<boolean> {
  const info = (await rt.nodes()).find((n) => n.spec.name === node);
  if (!info?.running) return false;
  return (await groupOf(info.spec).isWhole?.(rt, node)) ?? true;
}

/** Brings a node back; returns false when it was already running (nothing done, no VIP flap). */
export async function restoreNode(rt: Runtime, node: string): Promise<boolean> {
  const spec = findNode(rt.topology, node);
  if (!spec) throw new HakitError(`no node named "${node}"`, ExitCode.usage);
  if (await nodeIsWhole(rt, node)) return false;
  const group = groupOf(spec);
  const running = (await rt.nodes()).find((n) => n.spec.name === node)?.running;
  if (running && group.mend) await group.mend(rt, node);
  else await rt.restore(node, ensureCredentials().creds);
  const serving = group.servingStates;
  await waitFor(
    `${node} to serve again`,
    async () => {
      const s = await getStatus(rt);
      const me = s.nodes.find((n) => n.name === node);
      return me && serving.includes(me.state) && (await nodeIsWhole(rt, node)) ? true : undefined;
    },
    Math.max(20_000, group.healthyWithinMs ?? 0),
    100,
  );
  return true;
}
