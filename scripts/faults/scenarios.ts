// The failover tour as data: one entry per failure mode of DESIGN.md, each with its fault, how
// to tell that the stack has settled, how to mend it afterwards, and what we expect to see.
// The runner (demo/run.ts) owns the probe, the evidence and the measuring window around `fault`.
import { killNode, restoreNode, waitHealthy } from '../stack/actions.js';
import type { ScenarioMetrics } from '../observe/analysis.js';
import type { EvidencePoller } from '../observe/evidence.js';
import { isSuccess, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep, waitFor } from '../sh.js';
import { getStatus, masters } from '../observe/status.js';
import { backends, lbs } from '../stack/topology.js';

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
  /** Carried between scenarios: F6 restores the load balancer F1 killed. */
  shared: { downLb?: string };
}

export interface Expectation {
  text: string;
  check(m: ScenarioMetrics): boolean;
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
  expectations: Expectation[];
}

const other = (names: string[], one: string | undefined) => names.find((n) => n !== one)!;
const lbNames = (rt: Runtime) => lbs(rt.topology).map((n) => n.name);
const backendNames = (rt: Runtime) => backends(rt.topology).map((n) => n.name);

/** The one load balancer holding the VIP now. */
async function activeLb(rt: Runtime): Promise<string> {
  return waitFor(
    'exactly one load balancer holding the VIP',
    async () => {
      const m = masters(await getStatus(rt));
      return m.length === 1 ? m[0] : undefined;
    },
    10_000,
    100,
  );
}

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

async function mend(rt: Runtime, node: string | undefined): Promise<void> {
  if (node) await restoreNode(rt, node);
  await waitHealthy(rt, 20_000);
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
const onlySurvivor = (m: ScenarioMetrics) => Object.keys(m.sharesAfter).length === 1;

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
  {
    id: 'F4',
    name: 'backend-hard-kill',
    title: 'A backend is killed under load (SIGKILL, link down)',
    faultedIsTarget: true,
    setup: async (ctx) => backendNames(ctx.rt)[0],
    async fault(ctx, target) {
      ctx.mark(`kill ${target} --mode hard`, 'fault');
      await killNode(ctx.rt, target!, 'hard');
    },
    settle: (ctx, target) => outOfRotation(ctx, target!),
    cleanup: (ctx, target) => mend(ctx.rt, target),
    expectations: [noFailures, { text: 'the survivor serves everything after', check: onlySurvivor }],
  },
  {
    id: 'F5',
    name: 'backend-drain',
    title: 'A backend drains (SIGTERM): health 503, in-flight requests finish, then it exits',
    faultedIsTarget: true,
    setup: async (ctx) => backendNames(ctx.rt)[1] ?? backendNames(ctx.rt)[0],
    async fault(ctx, target) {
      ctx.mark(`stop ${target} (drain)`, 'fault');
      await killNode(ctx.rt, target!, 'graceful');
    },
    settle: (ctx, target) => outOfRotation(ctx, target!),
    cleanup: (ctx, target) => mend(ctx.rt, target),
    expectations: [noFailures, { text: 'the other backend serves everything after', check: onlySurvivor }],
  },
  {
    id: 'F2',
    name: 'haproxy-dies',
    title: 'HAProxy dies on the active LB; keepalived stays up and must give the VIP away',
    faultedIsTarget: true,
    setup: (ctx) => activeLb(ctx.rt),
    async fault(ctx, target) {
      ctx.mark(`kill haproxy on ${target}`, 'fault');
      await killNode(ctx.rt, target!, 'haproxy');
    },
    settle: (ctx, target) => vipHeldOnlyBy(ctx, other(lbNames(ctx.rt), target)),
    cleanup: (ctx, target) => mend(ctx.rt, target),
    expectations: [vipMoved, subSecond],
  },
  {
    id: 'F1',
    name: 'lb-hard-kill',
    title: 'The active LB dies hard (every process SIGKILLed, link down)',
    faultedIsTarget: true,
    setup: (ctx) => activeLb(ctx.rt),
    async fault(ctx, target) {
      ctx.mark(`kill ${target} --mode hard`, 'fault');
      await killNode(ctx.rt, target!, 'hard');
      ctx.shared.downLb = target;
    },
    settle: (ctx, target) => vipHeldOnlyBy(ctx, other(lbNames(ctx.rt), target)),
    async cleanup(ctx, target) {
      await mend(ctx.rt, target);
      ctx.shared.downLb = undefined;
    },
    expectations: [vipMoved, subSecond],
  },
  {
    id: 'F6',
    name: 'lb-rejoin',
    title: 'The failed LB comes back: it rejoins as BACKUP and the VIP stays put (nopreempt)',
    faultedIsTarget: false,
    continues: 'F1',
    async setup(ctx) {
      const running = new Set((await ctx.rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
      const down = ctx.shared.downLb;
      if (down && !running.has(down)) return down;
      // Run on its own: make a load balancer fail first (the backup, so no traffic is lost).
      const backup = other(lbNames(ctx.rt), await activeLb(ctx.rt));
      await killNode(ctx.rt, backup, 'hard');
      return backup;
    },
    async fault(ctx, target) {
      ctx.mark(`restore ${target}`, 'fault');
      await restoreNode(ctx.rt, target!);
      ctx.shared.downLb = undefined;
    },
    settle: async () => sleep(300),
    expectations: [noFailures, { text: 'the VIP did not move', check: (m) => m.vipBefore !== null && m.vipBefore === m.vipAfter }],
  },
  {
    id: 'F3',
    name: 'lb-graceful-stop',
    title: 'The active LB stops gracefully (keepalived sends priority 0, HAProxy finishes requests)',
    faultedIsTarget: true,
    setup: (ctx) => activeLb(ctx.rt),
    async fault(ctx, target) {
      ctx.mark(`stop ${target}`, 'fault');
      await killNode(ctx.rt, target!, 'graceful');
    },
    settle: (ctx, target) => vipHeldOnlyBy(ctx, other(lbNames(ctx.rt), target)),
    cleanup: (ctx, target) => mend(ctx.rt, target),
    expectations: [noNewFailures, vipMoved],
  },
  {
    id: 'F7',
    name: 'partition',
    title: 'The LBs lose sight of each other (VRRP cut both ways), then the link returns',
    faultedIsTarget: false,
    unsupported: (rt) => (rt.partition ? undefined : `the ${rt.name} runtime cannot cut the link between the LBs yet`),
    async fault(ctx) {
      const [a, b] = lbNames(ctx.rt) as [string, string];
      ctx.mark(`cut VRRP ${a} ⇹ ${b}`, 'fault');
      await ctx.rt.partition!(a, b, true);
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
        await ctx.rt.partition!(a, b, false);
      }
    },
    settle: (ctx) =>
      waitFor('exactly one LB holding the VIP', async () => (ctx.evidence.latest()?.holders.length === 1 ? true : undefined), 10_000, 20),
    async cleanup(ctx) {
      const [a, b] = lbNames(ctx.rt) as [string, string];
      await ctx.rt.partition!(a, b, false);
      await waitHealthy(ctx.rt, 20_000);
    },
    expectations: [
      { text: 'split brain seen while partitioned', check: (m) => m.splitBrainMs > 0 },
      { text: 'exactly one MASTER after healing', check: (m) => m.mastersAfter === 1 },
    ],
  },
  {
    id: 'F8',
    name: 'all-backends-down',
    title: 'Both backends die: HAProxy answers its 503 page at once, and serves again when they return',
    faultedIsTarget: false,
    async fault(ctx) {
      const names = backendNames(ctx.rt);
      ctx.mark(`kill ${names.join(' + ')}`, 'fault');
      await Promise.all(names.map((n) => killNode(ctx.rt, n, 'hard')));
      const since = Date.now();
      await waitFor('a 503 page', async () => (ctx.records.some((r) => r.atMs >= since && r.status === 503) ? true : undefined), 5_000, 20);
      await sleep(1000);
      ctx.mark(`restore ${names.join(' + ')}`, 'restore');
      await Promise.all(names.map((n) => restoreNode(ctx.rt, n)));
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
    cleanup: (ctx) => mend(ctx.rt, undefined),
    expectations: [
      {
        text: 'HAProxy answers 503 within 2 s',
        check: (m) => (m.failures['HTTP 503'] ?? 0) > 0 && m.firstErrorPageMs !== null && m.firstErrorPageMs < 2000,
      },
      { text: 'no hang: every request got an HTTP answer', check: (m) => Object.keys(m.failures).every((k) => k.startsWith('HTTP ')) },
      { text: 'serves again by itself once they return', check: (m) => m.restoreToSuccessMs !== null },
    ],
  },
];

export const scenarioIds = scenarios.map((s) => s.id);

export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id.toLowerCase() === id.toLowerCase() || s.name === id);
}
