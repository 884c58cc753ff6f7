// `hakit reload [--check]`: a changed config reaches a running stack without a lost request.
// First every node group checks its config folders with the real validators (nothing changes when
// one fails); then, one node at a time and the VIP holder last, the runtime puts the folders where
// the node reads them (deliverConfig) and the node's group reloads it in place, waiting until it
// serves on the new config before the next one goes. docs/architecture.md#reload.
import { ExitCode, HakitError } from '../errors.js';
import { groupOf, groupsOf, type NodeGroup } from '../groups/index.js';
import type { NodeReload } from '../groups/group.js';
import { getStatus, masters, type StackStatus } from '../observe/status.js';
import { packageRoot } from '../paths.js';
import type { Progress } from '../progress.js';
import type { Runtime } from '../runtime/runtime.js';
import type { NodeSpec } from './topology.js';

/** Nodes that are not MASTER first, the MASTER last: if a reload goes wrong, the VIP holder is untouched. */
export function masterLast(status: StackStatus, names: string[]): string[] {
  const state = new Map(status.nodes.map((n) => [n.name, n.state]));
  return [...names].sort((a, b) => Number(state.get(a) === 'MASTER') - Number(state.get(b) === 'MASTER'));
}

export interface ReloadOptions {
  /** A folder holding the groups' config folders (haproxy/, keepalived/); the kit's own by default. */
  from?: string;
  /** Only check the config. */
  checkOnly?: boolean;
  progress: Progress;
}

export interface ReloadReport {
  runtime: string;
  from: string;
  /** Nodes whose config was checked. */
  checked: string[];
  checkOnly: boolean;
  /** In the order they were reloaded. */
  reloaded: NodeReload[];
  /** Not running: their config was delivered for their next start, nothing to reload. */
  notRunning: string[];
  /** The VIP holders before and after. */
  vipBefore: string[];
  vipAfter: string[];
}

/** The groups that reload, with their nodes. */
const reloadable = (rt: Runtime): Array<{ group: NodeGroup; nodes: NodeSpec[] }> => groupsOf(rt.topology).filter((g) => g.group.reload);

/** Every group's config checked; a HakitError listing every problem when one fails. */
export async function checkConfigs(rt: Runtime, from: string, progress: Progress): Promise<string[]> {
  const checked: string[] = [];
  for (const { group, nodes } of reloadable(rt)) {
    if (!group.checkConfig) continue;
    // The step fails with the problems, so its progress line shows a ✗.
    await progress.step(`Check the ${group.title} config in ${from} (${nodes.map((n) => n.name).join(', ')})`, async () => {
      const problems = await group.checkConfig!(from, nodes);
      if (problems.length)
        throw new HakitError(
          `the new ${group.title} config is refused; nothing was changed:\n  ${problems.join('\n  ')}`,
          ExitCode.failure,
          'fix the config and run the command again (`--check` only checks)',
        );
    });
    checked.push(...nodes.map((n) => n.name));
  }
  return checked;
}

export async function reloadStack(rt: Runtime, opts: ReloadOptions): Promise<ReloadReport> {
  const from = opts.from ?? packageRoot;
  const { progress } = opts;
  const checked = await checkConfigs(rt, from, progress);
  const before = await getStatus(rt);
  const report: ReloadReport = {
    runtime: rt.name,
    from,
    checked,
    checkOnly: Boolean(opts.checkOnly),
    reloaded: [],
    notRunning: [],
    vipBefore: masters(before),
    vipAfter: masters(before),
  };
  if (opts.checkOnly) return report;
  const deliver = rt.deliverConfig?.bind(rt);
  if (!deliver)
    throw new HakitError(
      `the ${rt.name} runtime cannot put a changed config on its running nodes`,
      ExitCode.usage,
      'the config was checked; restart each load balancer with it in turn (hakit kill LB --mode graceful, then hakit restore LB)',
    );
  const running = new Set((await rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
  const names = reloadable(rt).flatMap(({ nodes }) => nodes.map((n) => n.name));
  for (const name of masterLast(before, names)) {
    const group = groupOf(rt.topology.nodes.find((n) => n.name === name)!);
    const title = running.has(name) ? `Reload ${name}` : `Deliver the config to ${name} (not running: it starts with it)`;
    await progress.step(title, async () => {
      for (const dir of group.configDirs) await deliver(name, dir, from);
      if (!running.has(name)) {
        report.notRunning.push(name);
        return;
      }
      const r = await group.reload!(rt, name);
      progress.info(`  ${name}: ${r.detail} in ${r.ms} ms`);
      report.reloaded.push(r);
    });
  }
  report.vipAfter = masters(await getStatus(rt));
  return report;
}
