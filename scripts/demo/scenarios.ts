// The failover tour as data: one scenario per entry of the fault catalogue (faults/catalogue.ts),
// which says how to inject and heal it; a scenario adds how to tell that the stack has settled
// and what we expect to see. The runner (demo/run.ts) owns the probe, the evidence and the
// measuring window around `fault`.
import { waitHealthy } from '../stack/actions.js';
import type { ScenarioMetrics } from '../observe/analysis.js';
import type { EvidencePoller } from '../observe/evidence.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Feature } from '../stack/features.js';
import { sleep, waitFor } from '../sh.js';
import { faultById, type Fault, type FaultId } from '../faults/catalogue.js';
import { activeLb, backendNames, lbNames } from '../faults/targets.js';
import type { CountTally } from '../faults/counts.js';
import { dataScenarios } from './data-scenarios.js';
import { faultScenario, type FaultScenarioRest } from './fault-scenario.js';
import { clusterScenarios } from './cluster-scenarios.js';
import type { WeatherTally } from '../faults/weather-ops.js';
import type { ShortenerTally } from '../faults/shortener-ops.js';
import { shortenerScenarios } from './shortener-scenarios.js';

export interface Marked {
  atMs: number;
  label: string;
  kind: 'fault' | 'restore';
}

export interface ScenarioContext {
  rt: Runtime;
  /** The probe's records so far (completed requests), live. */
  records: ProbeRecord[];
  evidence: EvidencePoller;
  /** Notes an instant on the timeline (the first `fault` mark is the fault time). */
  mark(label: string, kind: Marked['kind']): void;
  /** Carried between scenarios and steps: F6 restores the LB F1 killed; a fault's resolved targets. */
  shared: {
    downLb?: string;
    targets?: string[];
    slot?: number;
    /** U4/U5: the replica's catch-up as its status showed it, and its rebuilds before U5's flush. */
    catchUp?: { ms: number; rebuilds: number };
    rebuildsBefore?: number;
  };
}

export interface Expectation {
  text: string;
  check(m: ScenarioMetrics & { counts?: CountTally; weather?: WeatherTally; shortener?: ShortenerTally }): boolean;
}

export interface Scenario {
  id: string;
  name: string;
  /** One line for the progress and the report. */
  title: string;
  /** Outside the window: puts the stack where the scenario starts. Returns the node it will hit. */
  setup?(ctx: ScenarioContext): Promise<string | undefined>;
  /** Inside the window: the fault (and for F7/F8 its healing), marking each instant. */
  fault(ctx: ScenarioContext, target: string | undefined): Promise<void>;
  /** Inside the window: resolves once the expected outcome is visible. */
  settle(ctx: ScenarioContext, target: string | undefined): Promise<unknown>;
  /** Outside the window: mends what the fault broke. */
  cleanup?(ctx: ScenarioContext, target: string | undefined): Promise<void>;
  /** Starts from the stack the named scenario left broken (its cleanup is then skipped). */
  continues?: string;
  /** The target node counts as "old path" for recovery time. */
  faultedIsTarget: boolean;
  /** Why this runtime cannot run the scenario, if it cannot. */
  unsupported?(rt: Runtime): string | undefined;
  /** The opt-in feature whose nodes it hits: a tour that starts the stack for it turns it on. */
  needs?: Feature;
  /** The probe loads the counting page, and the counts are checked (the data nodes' scenarios). */
  counts?: boolean;
  /** The probe reads and writes the weather API (the cluster's scenarios); `misses`: also cities never cached. */
  weather?: { misses: boolean };
  /** The probe follows a link and creates go on (the shortener's scenarios); `lossy`: U5 may lose unsent clicks. */
  shortener?: { lossy: boolean };
  expectations: Expectation[];
}

const other = (names: string[], one: string | undefined) => names.find((n) => n !== one)!;

const vipHeldOnlyBy = (ctx: ScenarioContext, lb: string) =>
  waitFor(`${lb} alone to hold the VIP`, async () => (ctx.evidence.latest()?.holders.join() === lb ? true : undefined), 10_000, 20);

const outOfRotation = (ctx: ScenarioContext, server: string) =>
  waitFor(
    `HAProxy to take ${server} out of rotation`,
    async () => {
      const rows = ctx.evidence.latestServers().filter((r) => r.server === server);
      return rows.length > 0 && rows.every((r) => !r.status.startsWith('UP')) ? true : undefined;
    },
    10_000,
    20,
  );

/** Heals the fault on its target, then waits for the whole stack to be healthy. */
async function mend(ctx: ScenarioContext, fault: Fault, targets: string[]): Promise<void> {
  await fault.heal(ctx.rt, targets);
  await waitHealthy(ctx.rt, 20_000);
}

/** A catalogue fault on the one node `pick` names (the VIP holder, a backend). */
function onOneNode(
  id: FaultId,
  label: (target: string) => string,
  pick: (ctx: ScenarioContext) => Promise<string | undefined>,
  rest: FaultScenarioRest,
): Scenario {
  const aim = async (ctx: ScenarioContext) => [(await pick(ctx))!];
  return faultScenario(id, { aim, label, faultedIsTarget: true }, rest);
}

const noFailures: Expectation = { text: '0 failed requests', check: (m) => m.failed === 0 };
// A graceful handover moves the VIP: a request already in flight on the old LB when it stops can
// lose its connection (VRRP does not carry TCP state), but no request sent after the stop may fail.
const noNewFailures: Expectation = { text: '0 failed new requests (sent after the stop)', check: (m) => m.failedNew === 0 };
const subSecond: Expectation = { text: 'blackout under 1 s', check: (m) => m.blackoutMs < 1000 };
const vipMoved: Expectation = {
  text: 'the VIP moved to the other LB',
  check: (m) => m.vipBefore !== null && m.vipAfter !== null && m.vipBefore !== m.vipAfter && !m.vipAfter.includes('+'),
};
const vipStayed: Expectation = { text: 'the VIP did not move', check: (m) => m.vipBefore !== null && m.vipBefore === m.vipAfter };
const onlySurvivor = (m: ScenarioMetrics) => Object.keys(m.sharesAfter).length === 1;
const toTheOtherLb = (ctx: ScenarioContext, target: string | undefined) => vipHeldOnlyBy(ctx, other(lbNames(ctx.rt.topology), target));

const F1 = faultById('F1');
const F6 = faultById('F6');
const F7 = faultById('F7');
const F8 = faultById('F8');
const O1 = faultById('O1');

export const scenarios: Scenario[] = [
  {
    id: 'RR',
    name: 'round-robin',
    title: 'Round robin: requests alternate between the backends',
    faultedIsTarget: false,
    async fault() {},
    async settle() {},
    expectations: [
      noFailures,
      {
        text: 'each backend serves 40–60 %',
        check: (m) => Object.values(m.sharesBefore).length === 2 && Object.values(m.sharesBefore).every((s) => s >= 0.4 && s <= 0.6),
      },
    ],
  },
  onOneNode(
    'F4',
    (t) => `kill ${t} --mode hard`,
    async (ctx) => backendNames(ctx.rt.topology)[0],
    {
      settle: (ctx, target) => outOfRotation(ctx, target!),
      expectations: [noFailures, { text: 'the survivor serves everything after', check: onlySurvivor }],
    },
  ),
  onOneNode(
    'F5',
    (t) => `stop ${t} (drain)`,
    async (ctx) => backendNames(ctx.rt.topology)[1] ?? backendNames(ctx.rt.topology)[0],
    {
      settle: (ctx, target) => outOfRotation(ctx, target!),
      expectations: [noFailures, { text: 'the other backend serves everything after', check: onlySurvivor }],
    },
  ),
  onOneNode(
    'F2',
    (t) => `kill haproxy on ${t}`,
    (ctx) => activeLb(ctx.rt),
    {
      settle: toTheOtherLb,
      expectations: [vipMoved, subSecond],
    },
  ),
  {
    ...onOneNode(
      'F1',
      (t) => `kill ${t} --mode hard`,
      (ctx) => activeLb(ctx.rt),
      {
        settle: toTheOtherLb,
        async cleanup(ctx, target) {
          await mend(ctx, F1, [target!]);
          ctx.shared.downLb = undefined;
        },
        expectations: [vipMoved, subSecond],
      },
    ),
    // F6 continues from here: remember which LB is down.
    async fault(ctx, target) {
      ctx.mark(`kill ${target} --mode hard`, 'fault');
      await F1.inject(ctx.rt, [target!]);
      ctx.shared.downLb = target;
    },
  },
  {
    id: F6.id,
    name: F6.name,
    title: F6.title,
    faultedIsTarget: false,
    continues: 'F1',
    async setup(ctx) {
      const running = new Set((await ctx.rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
      const down = ctx.shared.downLb;
      if (down && !running.has(down)) return down;
      // Run on its own: make a load balancer fail first (the backup, so no traffic is lost).
      const backup = other(lbNames(ctx.rt.topology), await activeLb(ctx.rt));
      await F1.inject(ctx.rt, [backup]);
      return backup;
    },
    async fault(ctx, target) {
      ctx.mark(`restore ${target}`, 'fault');
      await F6.inject(ctx.rt, [target!]);
      ctx.shared.downLb = undefined;
    },
    settle: async () => sleep(300),
    expectations: [noFailures, vipStayed],
  },
  onOneNode(
    'F3',
    (t) => `stop ${t}`,
    (ctx) => activeLb(ctx.rt),
    {
      settle: toTheOtherLb,
      expectations: [noNewFailures, vipMoved],
    },
  ),
  {
    id: F7.id,
    name: F7.name,
    title: F7.title,
    faultedIsTarget: false,
    async fault(ctx) {
      const lbs = lbNames(ctx.rt.topology);
      ctx.mark(`cut VRRP ${lbs.join(' ⇹ ')}`, 'fault');
      await F7.inject(ctx.rt, lbs);
      try {
        await waitFor(
          'both LBs to claim the VIP',
          async () => ((ctx.evidence.latest()?.holders.length ?? 0) >= 2 ? true : undefined),
          5_000,
          20,
        );
        await sleep(1000);
      } finally {
        ctx.mark('heal', 'restore');
        await F7.heal(ctx.rt, lbs);
      }
    },
    settle: (ctx) =>
      waitFor('exactly one LB holding the VIP', async () => (ctx.evidence.latest()?.holders.length === 1 ? true : undefined), 10_000, 20),
    cleanup: (ctx) => mend(ctx, F7, lbNames(ctx.rt.topology)),
    expectations: [
      { text: 'split brain seen while partitioned', check: (m) => m.splitBrainMs > 0 },
      { text: 'exactly one MASTER after healing', check: (m) => m.mastersAfter === 1 },
      // The keeper's gratuitous ARP (vrrp_garp_lower_prio_*) brings neighbours that followed the
      // loser back at once.
      {
        text: 'the VIP serves within 0.5 s of the heal',
        check: (m) => m.afterRestoreBlackoutMs !== null && m.afterRestoreBlackoutMs < 500,
      },
    ],
  },
  {
    id: F8.id,
    name: F8.name,
    title: F8.title,
    faultedIsTarget: false,
    async fault(ctx) {
      const names = backendNames(ctx.rt.topology);
      ctx.mark(`kill ${names.join(' + ')}`, 'fault');
      await F8.inject(ctx.rt, names);
      const since = Date.now();
      await waitFor('a 503 page', async () => (ctx.records.some((r) => r.atMs >= since && r.status === 503) ? true : undefined), 5_000, 20);
      await sleep(1000);
      ctx.mark(`restore ${names.join(' + ')}`, 'restore');
      await F8.heal(ctx.rt, names);
    },
    async settle(ctx) {
      const since = Date.now();
      await waitFor(
        'a successful answer again',
        async () => (ctx.records.some((r) => r.atMs >= since && isSuccess(r)) ? true : undefined),
        10_000,
        20,
      );
    },
    cleanup: (ctx) => mend(ctx, F8, backendNames(ctx.rt.topology)),
    expectations: [
      {
        text: 'HAProxy answers 503 within 2 s',
        check: (m) => (m.failures['HTTP 503'] ?? 0) > 0 && m.firstErrorPageMs !== null && m.firstErrorPageMs < 2000,
      },
      { text: 'no hang: every request got an HTTP answer', check: (m) => Object.keys(m.failures).every((k) => k.startsWith('HTTP ')) },
      { text: 'serves again by itself once they return', check: (m) => m.restoreToSuccessMs !== null },
    ],
  },
  {
    id: O1.id,
    name: O1.name,
    title: O1.title,
    faultedIsTarget: false,
    async fault(ctx) {
      ctx.mark('hakit reload', 'fault');
      await O1.inject(ctx.rt, lbNames(ctx.rt.topology));
    },
    // The reload returns once each LB's new worker serves; old workers finish on their own.
    settle: async () => sleep(300),
    expectations: [noFailures, vipStayed],
  },
];

scenarios.push(...dataScenarios, ...clusterScenarios, ...shortenerScenarios);

export const scenarioIds = scenarios.map((s) => s.id);

export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id.toLowerCase() === id.toLowerCase() || s.name === id);
}
