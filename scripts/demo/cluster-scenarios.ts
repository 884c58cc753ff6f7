// The tour's Redis Cluster scenarios (C1–C4 of the fault catalogue): the window's probe reads
// and writes the weather API through the VIP every 10 ms (faults/weather-ops.ts), and every
// write it was told was saved is looked up in the cluster afterwards; after the mend, `redis-cli
// --cluster check` must be clean with every slot covered.
import { getStatus } from '../observe/status.js';
import { sleep, waitFor } from '../sh.js';
import { faultById, type FaultId } from '../faults/catalogue.js';
import { readHolders, resolveTargets } from '../faults/targets.js';
import { readShards } from '../groups/cluster/admin.js';
import type { Expectation, Scenario, ScenarioContext } from './scenarios.js';
import { faultScenario, type Aim, type FaultScenarioRest } from './fault-scenario.js';

/** Waits until the slots `old` served have another primary (the old one may still think it has them, cut off). */
const promotedAwayFrom = (ctx: ScenarioContext, old: string, slot: number) =>
  waitFor(
    `a replica of ${old} to be promoted`,
    async () => {
      const shard = (await readShards(ctx.rt)).find((s) => s.slots.some(([a, b]) => slot >= a && slot <= b));
      return shard && shard.primary !== old ? true : undefined;
    },
    30_000,
    100,
  );

const noFailedReads: Expectation = {
  text: '0 failed reads',
  check: (m) => m.weather !== undefined && m.weather.reads.failed + m.weather.reads.unknown === 0,
};
const noFailedWrites: Expectation = {
  text: '0 failed writes (retried within the request)',
  check: (m) => m.weather !== undefined && m.weather.writes.failed + m.weather.writes.unknown === 0,
};
const noneLost: Expectation = { text: '0 acknowledged writes lost', check: (m) => m.weather?.writes.lost === 0 };
const base = [noFailedReads, noFailedWrites, noneLost];

/** A shard drawn at random by the fault's rule; its first slot tells later whether its primary moved. */
const randomShard =
  (id: FaultId): Aim =>
  async (ctx) => {
    const f = faultById(id);
    const holders = await readHolders(ctx.rt, f.target);
    const targets = resolveTargets(ctx.rt.topology, f.target, holders, (n) => n[Math.floor(Math.random() * n.length)]!);
    ctx.shared.slot = holders.shards?.find((s) => s.primary === targets[0])?.slots[0]?.[0];
    return targets;
  };

const clusterScenario = (id: FaultId, verb: string, rest: FaultScenarioRest) =>
  faultScenario(
    id,
    { aim: randomShard(id), label: (target) => `${verb} ${target}`, faultedIsTarget: false },
    {
      weather: { misses: false },
      needs: 'weather',
      unsupported: (rt) =>
        rt.topology.nodes.some((n) => n.role === 'cluster') ? undefined : 'this stack has no Redis Cluster (hakit up --with weather)',
      ...rest,
    },
  );

export const clusterScenarios: Scenario[] = [
  clusterScenario('C1', 'kill --mode hard (a primary)', {
    settle: (ctx, target) => promotedAwayFrom(ctx, target!, ctx.shared.slot ?? 0),
    expectations: [
      ...base,
      {
        text: 'the write blackout on its shard under 3 s',
        check: (m) => m.weather?.writeBlackoutMs !== null && (m.weather?.writeBlackoutMs ?? Infinity) < 3000,
      },
    ],
  }),
  clusterScenario('C2', 'kill --mode hard (a replica)', {
    settle: async () => sleep(1500),
    expectations: base,
  }),
  clusterScenario('C3', 'cut off from the other cluster nodes', {
    async fault(ctx, target) {
      const f = faultById('C3');
      const targets = ctx.shared.targets!;
      ctx.mark(`cut ${target} from the other cluster nodes`, 'fault');
      await f.inject(ctx.rt, targets);
      try {
        await promotedAwayFrom(ctx, target!, ctx.shared.slot ?? 0);
        await sleep(1000);
      } finally {
        ctx.mark('heal', 'restore');
        await f.heal(ctx.rt, targets);
      }
    },
    // The old primary rejoins as a replica of the new one.
    settle: (ctx, target) =>
      waitFor(
        `${target} to rejoin as a replica`,
        async () => ((await getStatus(ctx.rt)).nodes.find((n) => n.name === target)?.state === 'REPLICA' ? true : undefined),
        30_000,
        100,
      ),
    expectations: base,
  }),
  clusterScenario('C4', 'kill --mode hard (the weather source)', {
    weather: { misses: true },
    settle: async () => sleep(2500),
    expectations: [
      noFailedReads,
      noFailedWrites,
      noneLost,
      {
        text: 'a city not cached gets 503 with Retry-After once the source is gone',
        check: (m) => m.weather !== undefined && m.weather.misses.total > 0 && m.weather.misses.withRetryAfter === m.weather.misses.total,
      },
    ],
  }),
];
