// The fault catalogue: each failure mode defined once — what it hits, how it is injected and
// healed, and what it may cost. The tour (demo/scenarios.ts) adds expectations and settle times
// to an entry, the chaos soak draws from the same entries, and a workload (the web probe today,
// the data tier's counters and chats next) is paired with a fault, never written into it.
// The failure modes and their expected behaviour: docs/architecture.md#failure-modes.
import { silentProgress } from '../progress.js';
import { killNode, restoreNode, type KillMode } from '../stack/actions.js';
import { reloadStack } from '../stack/reload.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Role } from '../stack/topology.js';
import type { Cost } from './cost.js';
import { flushCache } from '../groups/cache/index.js';

/**
 * F: failures of the tier; O: operations an operator runs on a live stack, which must cost nothing;
 * R: the data nodes; C: the Redis Cluster and the weather source; U: the URL shortener.
 */
export type FaultId =
  | 'F1'
  | 'F2'
  | 'F3'
  | 'F4'
  | 'F5'
  | 'F6'
  | 'F7'
  | 'F8'
  | 'O1'
  | 'R1'
  | 'R2'
  | 'R3'
  | 'R4'
  | 'R5'
  | 'C1'
  | 'C2'
  | 'C3'
  | 'C4'
  | 'U1'
  | 'U2'
  | 'U3'
  | 'U4'
  | 'U5';
export type FaultKind =
  | 'lb-hard'
  | 'haproxy'
  | 'lb-graceful'
  | 'backend-hard'
  | 'backend-graceful'
  | 'lb-rejoin'
  | 'partition'
  | 'all-backends'
  | 'reload'
  | 'primary-hard'
  | 'primary-switch'
  | 'sentinel-dies'
  | 'replica-hard'
  | 'primary-partition'
  | 'shard-primary-hard'
  | 'shard-replica-hard'
  | 'shard-primary-partition'
  | 'weather-source-hard'
  | 'pg-primary-hard'
  | 'log-node-hard'
  | 'links-master-hard'
  | 'links-replica-hard'
  | 'replica-cache-flush';

/**
 * Who a fault hits, resolved against the live stack when it is injected: the LB holding the VIP
 * or the other one, one backend, or every node of a group.
 */
export type TargetRule =
  | 'active-lb'
  | 'backup-lb'
  | 'one-backend'
  | 'all-lbs'
  | 'all-backends'
  | 'redis-primary'
  | 'redis-replica'
  | 'redis-primary-cut'
  | 'cluster-primary'
  | 'cluster-replica'
  | 'cluster-primary-cut'
  | 'weather-source'
  | 'pg-primary'
  | 'log-leader'
  | 'links-master'
  | 'links-replica'
  | 'replica-cache';

export interface Fault {
  id: FaultId;
  /** The chaos soak's name for it (its reports and seeds use these). */
  kind: FaultKind;
  /** The tour's name for it (`hakit demo --only`). */
  name: string;
  title: string;
  /** The node groups it applies to. */
  groups: Role[];
  target: TargetRule;
  /** How often chaos draws it, relative to the others; 0 = never (F6 is every LB fault's heal). */
  weight: number;
  /**
   * Judged from its first instant (a graceful stop works from its start: keepalived hands over,
   * HAProxy or the backend drains) or once the inject call returned.
   */
  judgedFrom: 'start' | 'in-place';
  inject(rt: Runtime, targets: string[]): Promise<void>;
  /**
   * A fault that is a kill of one node: its mode and the state the node is in (none: any). The
   * dashboard names a kill button's click by it (R1 when the primary is killed hard).
   */
  kill?: { mode: KillMode; state?: string };
  /**
   * A fault that cuts one node off (dataNodeCut): the state the node is in. The dashboard offers
   * it as a button on the group's nodes and names its click by it (R5 when the primary is cut).
   */
  cutOff?: { state: string };
  /** Mends what inject broke; idempotent. */
  heal(rt: Runtime, targets: string[]): Promise<void>;
  cost: Cost;
}

const restoreAll = async (rt: Runtime, targets: string[]): Promise<void> => {
  await Promise.all(targets.map((n) => restoreNode(rt, n)));
};
const killAll =
  (mode: KillMode) =>
  async (rt: Runtime, targets: string[]): Promise<void> => {
    await Promise.all(targets.map((n) => killNode(rt, n, mode)));
  };
const lbPair = (targets: string[]) => ({ a: targets.slice(0, 1), b: targets.slice(1), only: 'vrrp' as const });
// The first target against the rest, every protocol.
const isolateFirst = (targets: string[]) => ({ a: targets.slice(0, 1), b: targets.slice(1) });
const zero = { lost: 0, doubled: 0, reordered: 0 } as const;

export const catalogue: Fault[] = [
  {
    id: 'F1',
    kind: 'lb-hard',
    name: 'lb-hard-kill',
    title: 'The active LB dies hard (every process SIGKILLed, link down)',
    groups: ['lb'],
    target: 'active-lb',
    weight: 3,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard', state: 'MASTER' },
    heal: restoreAll,
    cost: { failures: { kind: 'takeover', bound: 'takeoverToleranceMs' }, ...zero },
  },
  {
    id: 'F2',
    kind: 'haproxy',
    name: 'haproxy-dies',
    title: 'HAProxy dies on the active LB; keepalived stays up and must give the VIP away',
    groups: ['lb'],
    target: 'active-lb',
    weight: 2,
    judgedFrom: 'in-place',
    inject: killAll('haproxy'),
    kill: { mode: 'haproxy', state: 'MASTER' },
    heal: restoreAll,
    cost: { failures: { kind: 'takeover', bound: 'takeoverToleranceMs' }, ...zero },
  },
  {
    id: 'F3',
    kind: 'lb-graceful',
    name: 'lb-graceful-stop',
    title: 'The active LB stops gracefully (keepalived sends priority 0, HAProxy finishes requests)',
    groups: ['lb'],
    target: 'active-lb',
    weight: 2,
    judgedFrom: 'start',
    inject: killAll('graceful'),
    kill: { mode: 'graceful', state: 'MASTER' },
    heal: restoreAll,
    cost: { failures: { kind: 'takeover', bound: 'gracefulToleranceMs' }, ...zero },
  },
  {
    id: 'F4',
    kind: 'backend-hard',
    name: 'backend-hard-kill',
    title: 'A backend is killed under load (SIGKILL, link down)',
    groups: ['backend'],
    target: 'one-backend',
    weight: 2,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'F5',
    kind: 'backend-graceful',
    name: 'backend-drain',
    title: 'A backend drains (SIGTERM): health 503, in-flight requests finish, then it exits',
    groups: ['backend'],
    target: 'one-backend',
    weight: 2,
    judgedFrom: 'start',
    inject: killAll('graceful'),
    kill: { mode: 'graceful' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'F6',
    kind: 'lb-rejoin',
    name: 'lb-rejoin',
    title: 'The failed LB comes back: it rejoins as BACKUP and the VIP stays put (nopreempt)',
    groups: ['lb'],
    // The LB that is down: the tour's F6 continues from F1, or fails the backup first.
    target: 'backup-lb',
    weight: 0,
    judgedFrom: 'in-place',
    inject: restoreAll,
    heal: async () => {},
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'F7',
    kind: 'partition',
    name: 'partition',
    title: 'The LBs lose sight of each other (VRRP cut both ways), then the link returns',
    groups: ['lb'],
    target: 'all-lbs',
    weight: 1,
    judgedFrom: 'in-place',
    inject: (rt, targets) => rt.partition(lbPair(targets), true),
    heal: (rt, targets) => rt.partition(lbPair(targets), false),
    cost: { failures: { kind: 'until-healed', bound: 'healToleranceMs' }, splitBrain: true, ...zero },
  },
  {
    id: 'F8',
    kind: 'all-backends',
    name: 'all-backends-down',
    title: 'Both backends die: HAProxy answers its 503 page at once, and serves again when they return',
    groups: ['backend'],
    target: 'all-backends',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'until-healed', bound: 'restoreToleranceMs', httpOnly: true }, ...zero },
  },
  {
    id: 'O1',
    kind: 'reload',
    name: 'reload',
    title: 'Operations: `hakit reload` on both LBs (config checked, BACKUP first), under load',
    groups: ['lb'],
    target: 'all-lbs',
    // Not drawn by chaos yet: its seeds' fault sequences stay what they were.
    weight: 0,
    judgedFrom: 'start',
    // The kit's own config, checked and reloaded as an operator would after editing it.
    inject: async (rt) => void (await reloadStack(rt, { progress: silentProgress })),
    heal: async () => {},
    cost: { failures: { kind: 'none' }, ...zero },
  },
];

// The data nodes (docs/architecture.md#failure-modes). A view of the page is an increment: each
// costs nothing in lost or doubled counts, and the page never fails (it degrades: the count is
// shown as pending or unavailable while the primary moves).
catalogue.push(
  {
    id: 'R1',
    kind: 'primary-hard',
    name: 'redis-primary-dies',
    title: "The data nodes' primary dies hard, its Sentinel with it: Sentinel promotes a replica",
    groups: ['redis'],
    target: 'redis-primary',
    weight: 2,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard', state: 'PRIMARY' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'R2',
    kind: 'primary-switch',
    name: 'redis-switch',
    title: 'A planned switch: writes paused on the primary, replicas caught up, then Sentinel fails over',
    groups: ['redis'],
    target: 'redis-primary',
    weight: 1,
    judgedFrom: 'start',
    inject: killAll('graceful'),
    kill: { mode: 'graceful', state: 'PRIMARY' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'R3',
    kind: 'sentinel-dies',
    name: 'sentinel-dies',
    title: "The primary's Sentinel dies alone (its Redis serves on): nothing changes, two Sentinels still elect",
    groups: ['redis'],
    target: 'redis-primary',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('sentinel'),
    kill: { mode: 'sentinel', state: 'PRIMARY' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'R4',
    kind: 'replica-hard',
    name: 'redis-replica-dies',
    title: 'A replica dies hard: counting goes on; its restore resyncs it',
    groups: ['redis'],
    target: 'redis-replica',
    weight: 2,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard', state: 'REPLICA' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'R5',
    kind: 'primary-partition',
    name: 'redis-primary-cut-off',
    title: 'The primary is cut off from the other data nodes and the backends: it stops taking counts, then rejoins as a replica',
    groups: ['redis'],
    target: 'redis-primary-cut',
    cutOff: { state: 'PRIMARY' },
    weight: 1,
    judgedFrom: 'in-place',
    inject: (rt, targets) => rt.partition(isolateFirst(targets), true),
    heal: (rt, targets) => rt.partition(isolateFirst(targets), false),
    cost: { failures: { kind: 'none' }, ...zero },
  },
);

// The Redis Cluster and the weather source (docs/architecture.md#failure-modes-of-the-cluster),
// under the weather workload: reads never fail, a write is retried within its request until a
// replica acknowledges it, and no acknowledged write is lost.
catalogue.push(
  {
    id: 'C1',
    kind: 'shard-primary-hard',
    name: 'cluster-primary-dies',
    title: "A Redis Cluster primary's node dies hard: one of its replicas is promoted; reads go on from the replicas",
    groups: ['cluster'],
    target: 'cluster-primary',
    weight: 2,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'C2',
    kind: 'shard-replica-hard',
    name: 'cluster-replica-dies',
    title: 'A Redis Cluster replica dies hard: nothing shows; its restore resyncs it',
    groups: ['cluster'],
    target: 'cluster-replica',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'C3',
    kind: 'shard-primary-partition',
    name: 'cluster-primary-cut-off',
    title: 'A Redis Cluster primary is cut off from the other cluster nodes: it stops taking writes, then rejoins as a replica',
    groups: ['cluster'],
    target: 'cluster-primary-cut',
    weight: 1,
    judgedFrom: 'in-place',
    inject: (rt, targets) => rt.partition(isolateFirst(targets), true),
    heal: (rt, targets) => rt.partition(isolateFirst(targets), false),
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'C4',
    kind: 'weather-source-hard',
    name: 'weather-source-dies',
    title: 'The weather source dies: cached cities keep answering, the others get 503 with Retry-After',
    groups: ['weather'],
    target: 'weather-source',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
);

// The URL shortener (docs/architecture.md#the-url-shortener), under the shortener workload: no
// redirect fails (every backend redirects from its own Redis, else from the log), and Σ clicks in
// Postgres equals the redirects served, except U5's unsent clicks (at most a batch per link).
// Their groups name `cache` so that chaos draws them only on a stack with the shortener.
catalogue.push(
  {
    id: 'U1',
    kind: 'pg-primary-hard',
    name: 'postgres-primary-dies',
    title: 'The Postgres primary dies hard: Patroni promotes the standby; redirects and creates go on, clicks are applied once it answers',
    groups: ['postgres', 'cache'],
    target: 'pg-primary',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard', state: 'PRIMARY' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'U2',
    kind: 'log-node-hard',
    name: 'log-node-dies',
    title: 'The log node leading the links stream dies hard: JetStream elects another leader; creates wait for it, redirects do not',
    groups: ['nats', 'cache'],
    target: 'log-leader',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    kill: { mode: 'hard' },
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'U3',
    kind: 'links-master-hard',
    name: 'links-master-dies',
    title: "The master's backend dies hard: its etcd lease lapses and creates move to the other candidate",
    groups: ['backend', 'cache'],
    target: 'links-master',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'U4',
    kind: 'links-replica-hard',
    name: 'links-replica-dies',
    title: 'A replica (the backend not master) dies hard and comes back: it resumes from the position its Redis kept',
    groups: ['backend', 'cache'],
    target: 'links-replica',
    weight: 1,
    judgedFrom: 'in-place',
    inject: killAll('hard'),
    heal: restoreAll,
    cost: { failures: { kind: 'none' }, ...zero },
  },
  {
    id: 'U5',
    kind: 'replica-cache-flush',
    name: 'replica-cache-loses-data',
    title: "A replica's Redis loses its data (FLUSHALL): it rebuilds from the stream; its unsent clicks are lost, never doubled",
    groups: ['cache'],
    target: 'replica-cache',
    weight: 1,
    judgedFrom: 'in-place',
    inject: async (rt, targets) => {
      await Promise.all(targets.map((n) => flushCache(rt.topology.nodes.find((x) => x.name === n)!.address)));
    },
    // Nothing to mend: the backend rebuilds its Redis from the log by itself.
    heal: async () => {},
    cost: { failures: { kind: 'none' }, ...zero, clicksLost: 'unsent-batch' },
  },
);

export const faultKinds = catalogue.map((f) => f.kind);

export function faultByKind(kind: FaultKind): Fault {
  const f = catalogue.find((x) => x.kind === kind);
  if (!f) throw new Error(`no fault of kind ${kind}`);
  return f;
}

export function faultById(id: FaultId): Fault {
  const f = catalogue.find((x) => x.id === id);
  if (!f) throw new Error(`no fault ${id}`);
  return f;
}

/** The catalogue's fault that a kill of a node in this group and state is (the dashboard's markers). */
export function faultOfKill(role: Role, state: string | undefined, mode: KillMode): FaultId | undefined {
  return catalogue.find((f) => f.kill && f.groups.includes(role) && f.kill.mode === mode && (!f.kill.state || f.kill.state === state))?.id;
}

/** The fault a dashboard cut-off click is: R5 when the node is the data nodes' primary. */
export function faultOfCut(role: Role, state: string | undefined): FaultId | undefined {
  return catalogue.find((f) => f.cutOff && f.groups.includes(role) && f.cutOff.state === state)?.id;
}

/** The fault that cuts one of this group's nodes off, if any (the dashboard's cut-off button). */
export const cutFault = (role: Role): Fault | undefined => catalogue.find((f) => f.cutOff && f.groups.includes(role));
export const cuttable = (role: Role): boolean => cutFault(role) !== undefined;

/** The faults chaos draws from on a stack with these node groups. */
export const drawable = (groups: Role[]): Fault[] => catalogue.filter((f) => f.weight > 0 && f.groups.every((g) => groups.includes(g)));
