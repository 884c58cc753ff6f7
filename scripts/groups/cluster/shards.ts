// A fourth shard joins the cluster and leaves again, live: `hakit cluster add-shard` and
// `remove-shard` (the chat's cluster10 + cluster11). docs/architecture.md#adding-and-removing-a-shard.
//
//  add: CLUSTER MEET both new nodes, the second replicates the first, then the slots rebalance
//       onto four primaries (planBalance), slot by slot under load;
//  remove: every slot of the leaving primary goes to the others (evenly), then every other node
//       forgets both nodes (CLUSTER FORGET, within its 60 s ban), and both are reset to blank
//       nodes (CLUSTER RESET HARD), ready to be added again.
import type { Redis } from 'ioredis';
import { parseClusterInfo, parseClusterNodes, type ClusterNodeLine } from './cluster-nodes.js';
import { planBalance, Resharder, type AdminAccess, type MoveProgress, type ReshardResult } from './reshard.js';

export interface NodeAddress {
  name: string;
  host: string;
  port: number;
}

export interface ShardChange {
  /** Steps as they happen ("meet cluster10", …). */
  onStep?: (line: string) => void;
  onProgress?: (p: MoveProgress) => void;
  signal?: AbortSignal;
  /** How long the nodes may take to agree on each step, ms. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(100);
  }
}

const nodesOf = async (r: Redis): Promise<ClusterNodeLine[]> => parseClusterNodes((await r.call('CLUSTER', 'NODES')) as string);
const myself = async (r: Redis): Promise<ClusterNodeLine> => (await nodesOf(r)).find((n) => n.myself)!;

export class ShardOps {
  constructor(
    private readonly access: AdminAccess,
    /** The cluster's own nodes (any that answer serve as the seed). */
    private readonly members: NodeAddress[],
  ) {}

  private c(n: { host: string; port: number }): Redis {
    return this.access.connect(n.host, n.port);
  }

  /** The first member that answers CLUSTER NODES, and its view. */
  private async seed(): Promise<{ seed: NodeAddress; view: ClusterNodeLine[] }> {
    for (const m of this.members) {
      const view = await nodesOf(this.c(m)).catch(() => undefined);
      if (view) return { seed: m, view };
    }
    throw new Error('no cluster node answers');
  }

  /** Every node of the view (and `extra`) reports cluster_state:ok and knows `known` nodes. */
  private async agree(known: number, ms: number): Promise<void> {
    await until(
      `every node to know ${known} nodes`,
      async () => {
        const { view } = await this.seed();
        for (const n of view.filter((x) => !x.failing)) {
          const info = parseClusterInfo((await this.c(n).call('CLUSTER', 'INFO')) as string);
          if (info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== known) return undefined;
        }
        return true;
      },
      ms,
    );
  }

  async add(primary: NodeAddress, replica: NodeAddress, o: ShardChange = {}): Promise<ReshardResult> {
    const ms = o.timeoutMs ?? 30_000;
    const step = o.onStep ?? (() => undefined);
    let { seed, view } = await this.seed();
    const pid = (await myself(this.c(primary))).id;
    for (const n of [primary, replica]) {
      if (view.some((v) => v.port === n.port && v.host === n.host)) continue;
      const own = await nodesOf(this.c(n));
      if (own.length > 1 || own[0]!.slots.length) throw new Error(`${n.name} belongs to another cluster: reset it first`);
      if (Number(await this.c(n).dbsize()) > 0) throw new Error(`${n.name} holds keys: it must join empty`);
      step(`meet ${n.name} (${n.host}:${n.port})`);
      await this.c(seed).call('CLUSTER', 'MEET', n.host, String(n.port));
    }
    const known = view.length + [primary, replica].filter((n) => !view.some((v) => v.host === n.host && v.port === n.port)).length;
    await until('the new nodes to be known', async () => ((await nodesOf(this.c(primary))).length === known ? true : undefined), ms);
    if ((await myself(this.c(replica))).masterId !== pid) {
      step(`${replica.name} replicates ${primary.name}`);
      // The replica must have learned of its primary's id first.
      await until(
        `${replica.name} to know ${primary.name}`,
        async () => ((await nodesOf(this.c(replica))).some((n) => n.id === pid) ? true : undefined),
        ms,
      );
      await this.c(replica).call('CLUSTER', 'REPLICATE', pid);
    }
    await this.agree(known, ms);
    ({ seed, view } = await this.seed());
    const primaries = view.filter((n) => n.primary && !n.failing && (n.slots.length > 0 || n.id === pid)).map((n) => n.id);
    const moves = planBalance(view, primaries);
    step(`rebalance: ${moves.length} slots onto ${primaries.length} primaries`);
    const r = new Resharder(this.access, seed);
    await r.readView();
    return r.run(moves, o);
  }

  async remove(primary: NodeAddress, replica: NodeAddress, o: ShardChange = {}): Promise<ReshardResult> {
    const ms = o.timeoutMs ?? 30_000;
    const step = o.onStep ?? (() => undefined);
    const { seed, view } = await this.seed();
    const leaving = view.filter((v) => [primary, replica].some((n) => n.host === v.host && n.port === v.port));
    const p = leaving.find((v) => v.host === primary.host && v.port === primary.port);
    let result: ReshardResult = { moved: 0, keys: 0, elapsedMs: 0, longestBatchMs: 0, stopped: false };
    if (p && p.slots.length) {
      const stay = view.filter((n) => n.primary && !n.failing && n.id !== p.id && n.slots.length > 0).map((n) => n.id);
      const moves = planBalance(view, stay);
      step(`move ${moves.length} slots off ${primary.name} onto ${stay.length} primaries`);
      const r = new Resharder(this.access, seed);
      await r.readView();
      result = await r.run(moves, o);
      if (result.stopped) return result;
    }
    const ids = leaving.map((v) => v.id);
    const others = (await this.seed()).view.filter((v) => !ids.includes(v.id));
    for (const id of ids) {
      step(`forget ${id.slice(0, 8)}`);
      // A node cannot forget its own primary: the replicas of a leaving node were moved away by Redis
      // when it lost its last slot (cluster-allow-replica-migration), or are leaving too.
      await Promise.all(others.map((n) => this.c(n).call('CLUSTER', 'FORGET', id)));
    }
    for (const n of [replica, primary]) {
      step(`reset ${n.name}`);
      await this.c(n).call('CLUSTER', 'RESET', 'HARD');
    }
    await this.agree(others.length, ms);
    return result;
  }
}
