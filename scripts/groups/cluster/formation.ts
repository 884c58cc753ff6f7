// The cluster made one, and checked, with redis-cli's own tools run inside a cluster node (the
// node's redis-cli as its admin: redis/cluster-cli): `--cluster create` once, on nodes that know
// no cluster yet; a stack started over kept data (nodes.conf in each data directory) is whole
// again on its own. Then every node must see the cluster ok and `--cluster check` be clean.
// docs/architecture.md#the-cluster-nodes.
import { ExitCode, HakitError } from '../../errors.js';
import type { Runtime } from '../../runtime/runtime.js';
import { waitFor } from '../../sh.js';
import type { NodeSpec } from '../../stack/topology.js';
import { REDIS_PORT } from '../redis/client.js';
import { checkArgs, checkVerdict, createArgs, type CheckVerdict } from './form.js';
import { clusterAdminPassword, clusterHealthy, clusterStates, seeClusterNode } from './status.js';
import { isChatShardNode } from './chat-shard.js';

export const clusterNodesOf = (rt: Runtime): NodeSpec[] => rt.topology.nodes.filter((n) => n.role === 'cluster');

/** The nodes `up` forms the cluster from: all but the chat's fourth shard, which joins later (add-shard). */
export const formedNodesOf = (rt: Runtime): NodeSpec[] => clusterNodesOf(rt).filter((n) => !isChatShardNode(n.name));

const addressOf = (n: NodeSpec) => ({ host: n.address, port: REDIS_PORT });

/** redis-cli inside `node` as its admin (redis/cluster-cli). */
export async function clusterCli(rt: Runtime, node: string, args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const r = await rt.exec(node, ['/etc/redis/cluster-cli', ...args]);
  return { stdout: r.stdout + r.stderr, exitCode: r.exitCode };
}

/** `--cluster check` from the first running cluster node, of that node. */
export async function checkCluster(rt: Runtime): Promise<CheckVerdict> {
  const running = new Set((await rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
  const at = clusterNodesOf(rt).find((n) => running.has(n.name));
  if (!at) return { ok: false, problems: ['no cluster node runs'] };
  const r = await clusterCli(rt, at.name, checkArgs(addressOf(at)));
  return checkVerdict(r.stdout, r.exitCode);
}

/** Waits until the cluster is whole (clusterHealthy); the last reading's problems on a timeout. */
export async function waitClusterWhole(rt: Runtime, timeoutMs: number): Promise<void> {
  let last = '';
  try {
    await waitFor(
      'the Redis Cluster to be whole',
      async () => {
        const infos = (await rt.nodes()).filter((n) => n.spec.role === 'cluster');
        const states = await clusterStates(rt, infos);
        const nodes = [...states].map(([name, r]) => (typeof r === 'string' ? { name, state: r } : { name, ...r }));
        last = nodes.map((n) => `${n.name} ${n.state}`).join(', ');
        return clusterHealthy(nodes) ? true : undefined;
      },
      timeoutMs,
      200,
    );
  } catch {
    throw new HakitError(
      `the Redis Cluster did not become whole within ${timeoutMs / 1000} s (${last})`,
      ExitCode.failure,
      'see `hakit logs cluster1`',
    );
  }
}

/**
 * After every cluster node started: create the cluster when no node knows one (three primaries,
 * two replicas each), wait until it is whole, and check it.
 */
export async function formCluster(rt: Runtime): Promise<'created' | 'rejoined'> {
  const nodes = formedNodesOf(rt);
  const password = clusterAdminPassword();
  const seen = await waitFor(
    'every cluster node to answer',
    async () => {
      const s = await Promise.all(nodes.map((n) => seeClusterNode(n.address, password)));
      return s.every((x) => x.role !== undefined) ? s : undefined;
    },
    20_000,
    100,
  );
  const known = seen.some((s) => (s.slots ?? 0) > 0 || s.role === 'slave');
  if (!known) {
    const r = await clusterCli(rt, nodes[0]!.name, createArgs(nodes.map(addressOf)));
    if (r.exitCode !== 0)
      throw new HakitError(
        `redis-cli --cluster create failed: ${r.stdout.trim().split('\n').slice(-3).join(' / ')}`,
        ExitCode.failure,
        'see `hakit logs cluster1`',
      );
  }
  await waitClusterWhole(rt, 30_000);
  const check = await checkCluster(rt);
  if (!check.ok)
    throw new HakitError(`redis-cli --cluster check: ${check.problems.join('; ')}`, ExitCode.failure, 'see `hakit logs cluster1`');
  return known ? 'rejoined' : 'created';
}
