// The tour's URL-shortener scenarios (U1–U5 of the fault catalogue): the window's probe follows a
// link of its own through the VIP every 10 ms and creates go to the master role every ~100 ms
// (demo/shortener-window.ts); afterwards Σ clicks in Postgres is compared with the redirects
// served (faults/shortener-ops.ts). U4 and U5 read the replica's catch-up from its own status.
import { restoreNode, waitHealthy } from '../stack/actions.js';
import { getStatus } from '../observe/status.js';
import { sleep, waitFor } from '../sh.js';
import { faultById, type FaultId } from '../faults/catalogue.js';
import { backendOfCache } from '../groups/shortener/nodes.js';
import { linksLeader, linksMaster, replicaState } from '../faults/shortener-holders.js';
import type { Expectation, Scenario, ScenarioContext } from './scenarios.js';
import { byRule, faultScenario, type FaultScenarioRest } from './fault-scenario.js';

/** The most a wiped Redis can hold unsent of one link: a batch (sealed at 100 clicks). */
export const CLICK_BATCH = 100;

const noFailedRedirects: Expectation = {
  text: '0 failed redirects',
  check: (m) => m.shortener !== undefined && m.shortener.redirects.failed + m.shortener.redirects.unknown === 0,
};
const exact: Expectation = {
  text: 'Σ clicks in Postgres == redirects served (0 lost, 0 doubled)',
  check: (m) => m.shortener !== undefined && m.shortener.lost === 0 && m.shortener.doubled === 0,
};
const createsGoOn: Expectation = {
  text: 'creates are acknowledged again within 15 s',
  check: (m) => m.shortener !== undefined && m.shortener.createBlackoutMs < 15_000,
};

/** The replica's follower caught up since the fault (U4: after its restart; U5: after the rebuild). */
const caughtUp = (ctx: ScenarioContext, backend: string, rebuildsAbove: number) =>
  waitFor(
    `${backend} to catch up on the links stream`,
    async () => {
      const r = await replicaState(ctx.rt.topology, backend);
      if (!r || r.caughtUpMs === undefined || r.rebuilds < rebuildsAbove) return undefined;
      ctx.shared.catchUp = { ms: r.caughtUpMs, rebuilds: r.rebuilds };
      return true;
    },
    30_000,
    100,
  );

const shortenerScenario = (id: FaultId, verb: string, rest: FaultScenarioRest & { lossy?: boolean }) =>
  faultScenario(
    id,
    { aim: byRule(id), label: (target) => `${verb} ${target}`, faultedIsTarget: false },
    {
      shortener: { lossy: rest.lossy ?? false },
      needs: 'shortener',
      unsupported: (rt) =>
        rt.topology.nodes.some((n) => n.role === 'cache') ? undefined : 'this stack has no shortener (hakit up --with shortener)',
      // Postgres's old primary rejoins by pg_rewind or a base backup: longer than the stack's 30 s.
      async cleanup(ctx, target) {
        await faultById(id).heal(ctx.rt, ctx.shared.targets ?? [target!]);
        await waitHealthy(ctx.rt, 90_000);
      },
      ...rest,
    },
  );

export const shortenerScenarios: Scenario[] = [
  shortenerScenario('U1', 'kill --mode hard (the Postgres primary)', {
    settle: (ctx, target) =>
      waitFor(
        'Patroni to promote the standby',
        async () =>
          (await getStatus(ctx.rt)).nodes.some((n) => n.role === 'postgres' && n.name !== target && n.state === 'PRIMARY')
            ? true
            : undefined,
        40_000,
        200,
      ),
    expectations: [noFailedRedirects, exact, createsGoOn],
  }),
  shortenerScenario('U2', 'kill --mode hard (the links stream leader)', {
    settle: async (ctx, target) => {
      await waitFor(
        'another leader of the links stream',
        async () => ((await linksLeader(ctx.rt.topology)) ?? target) !== target || undefined,
        20_000,
        200,
      );
      await sleep(2000);
    },
    expectations: [noFailedRedirects, exact, createsGoOn],
  }),
  // The dead master's unsent clicks wait in its Redis until it returns: it is restored inside the
  // window, once the other candidate took the role, so that the count includes them.
  shortenerScenario('U3', "kill --mode hard (the master's backend)", {
    async fault(ctx, target) {
      ctx.mark(`kill --mode hard (the master's backend) ${target}`, 'fault');
      await faultById('U3').inject(ctx.rt, [target!]);
      await waitFor(
        'the other candidate to hold the master role',
        async () => {
          const m = await linksMaster(ctx.rt.topology);
          return m && m !== target ? true : undefined;
        },
        15_000,
        100,
      );
      ctx.mark(`restore ${target}`, 'restore');
      await restoreNode(ctx.rt, target!);
    },
    settle: (ctx, target) => caughtUp(ctx, target!, 0),
    expectations: [noFailedRedirects, exact, createsGoOn],
  }),
  shortenerScenario('U4', 'kill --mode hard (a replica)', {
    async fault(ctx, target) {
      ctx.mark(`kill --mode hard (a replica) ${target}`, 'fault');
      await faultById('U4').inject(ctx.rt, [target!]);
      await sleep(2000);
      ctx.mark(`restore ${target}`, 'restore');
      await restoreNode(ctx.rt, target!);
    },
    settle: (ctx, target) => caughtUp(ctx, target!, 0),
    expectations: [noFailedRedirects, exact, createsGoOn],
  }),
  shortenerScenario('U5', 'FLUSHALL (a replica’s Redis)', {
    lossy: true,
    async fault(ctx, target) {
      ctx.shared.rebuildsBefore = (await replicaState(ctx.rt.topology, backendOfCache(target!)))?.rebuilds ?? 0;
      ctx.mark(`FLUSHALL ${target}`, 'fault');
      await faultById('U5').inject(ctx.rt, [target!]);
    },
    settle: (ctx, target) => caughtUp(ctx, backendOfCache(target!), (ctx.shared.rebuildsBefore ?? 0) + 1),
    expectations: [
      noFailedRedirects,
      { text: '0 clicks doubled', check: (m) => m.shortener?.doubled === 0 },
      { text: `clicks lost: at most a batch (${CLICK_BATCH})`, check: (m) => m.shortener !== undefined && m.shortener.lost <= CLICK_BATCH },
      createsGoOn,
    ],
  }),
];
