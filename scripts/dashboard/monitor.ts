// The dashboard's eyes: polls the stack's status (and keepalived's transitions log for priorities)
// and sends a bounded request ticker through the VIP, but only while at least one browser is
// watching. Everything it sees goes to the subscribers as events and into a small timeline.
import { isSuccess, probeOnce, type ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { getStatus, type NodeStatus, type StackStatus } from '../observe/status.js';
import { lbs, urls } from '../stack/topology.js';
import { parseTransitions, type Transition } from '../observe/transitions.js';

export interface NodeView extends NodeStatus {
  /** keepalived's priority from the last line of the transitions log (load balancers only). */
  priority?: number;
}

export interface Snapshot {
  atMs: number;
  runtime: string;
  vip: string;
  url: string;
  statsUrl: string;
  /** The load balancer that holds the VIP; undefined when none does, a list joined by "+" when several do. */
  vipHolder?: string;
  nodes: NodeView[];
  /** Set when the status could not be read (stack gone, runtime error). */
  error?: string;
}

export type TimelineKind = 'vip' | 'state' | 'keepalived' | 'action' | 'requests' | 'marker';

export interface TimelineEntry {
  atMs: number;
  kind: TimelineKind;
  node?: string;
  text: string;
  /** The new state, for keepalived transitions and node state changes. */
  state?: string;
}

export interface TickerState {
  running: boolean;
  sent: number;
  limit: number;
  /** Why it is not running: no viewer, or the request limit was reached. */
  reason?: string;
}

export type DashboardEvent =
  | { type: 'status'; data: Snapshot }
  | { type: 'probe'; data: ProbeRecord }
  | { type: 'timeline'; data: TimelineEntry }
  | { type: 'ticker'; data: TickerState };

export interface MonitorOptions {
  rt: Runtime;
  /** Time between status polls. */
  statusEveryMs?: number;
  /** Time between ticker requests: 200 ms = 5 requests/s. */
  tickerEveryMs?: number;
  /** Per-request timeout of the ticker. */
  tickerTimeoutMs?: number;
  /** The ticker stops by itself after this many requests (a reload starts a new run). */
  tickerMaxRequests?: number;
  /** Injectable for tests. */
  status?: (rt: Runtime) => Promise<StackStatus>;
  probe?: (url: string, timeoutMs: number) => Promise<ProbeRecord>;
  now?: () => number;
}

const timelineSize = 200;
const probeHistory = 300;
const snapshotHistory = 600;

export class DashboardMonitor {
  readonly rt: Runtime;
  private readonly statusEveryMs: number;
  private readonly tickerEveryMs: number;
  private readonly tickerTimeoutMs: number;
  private readonly tickerMax: number;
  private readonly readStatus: (rt: Runtime) => Promise<StackStatus>;
  private readonly probe: (url: string, timeoutMs: number) => Promise<ProbeRecord>;
  private readonly now: () => number;
  private readonly url: string;

  private readonly subscribers = new Set<(e: DashboardEvent) => void>();
  private last: Snapshot | undefined;
  private readonly entries: TimelineEntry[] = [];
  private readonly probes: ProbeRecord[] = [];
  private readonly snaps: Snapshot[] = [];
  private readonly seenTransitions = new Map<string, number>();
  private readonly priorities = new Map<string, number>();
  private statusTimer: NodeJS.Timeout | undefined;
  private tickerTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private ticker: TickerState;
  private failing = 0;
  private polling: Promise<void> | undefined;
  private loopGeneration = 0;

  constructor(opts: MonitorOptions) {
    this.rt = opts.rt;
    this.statusEveryMs = opts.statusEveryMs ?? 250;
    this.tickerEveryMs = Math.max(opts.tickerEveryMs ?? 200, 50);
    this.tickerTimeoutMs = opts.tickerTimeoutMs ?? 1500;
    this.tickerMax = Math.min(opts.tickerMaxRequests ?? 3000, 100_000);
    this.readStatus = opts.status ?? getStatus;
    this.probe = opts.probe ?? ((url, timeout) => probeOnce(url, timeout));
    this.now = opts.now ?? Date.now;
    // Only ever the kit's VIP; probeOnce itself refuses it while the kit's network is absent.
    this.url = urls(this.rt.topology).probe;
    this.ticker = { running: false, sent: 0, limit: this.tickerMax, reason: 'no viewer' };
  }

  get viewers(): number {
    return this.subscribers.size;
  }

  snapshot(): Snapshot | undefined {
    return this.last;
  }

  timeline(): TimelineEntry[] {
    return [...this.entries];
  }

  recentProbes(): ProbeRecord[] {
    return [...this.probes];
  }

  /** The last status polls (about 150 s at the default rate), oldest first. */
  recentSnapshots(): Snapshot[] {
    return [...this.snaps];
  }

  tickerState(): TickerState {
    return { ...this.ticker };
  }

  /** Adds a listener; the first one starts the polling and the ticker, the last one to leave stops them. */
  subscribe(listener: (e: DashboardEvent) => void): () => void {
    this.subscribers.add(listener);
    if (this.subscribers.size === 1) this.startPolling();
    // A new viewer restarts a ticker that stopped at its limit.
    if (!this.ticker.running) this.startTicker();
    return () => {
      if (!this.subscribers.delete(listener)) return;
      if (this.subscribers.size === 0) this.stopAll('no viewer');
    };
  }

  /** Records something the user did (kill, restore) in the timeline; `state` 'fault' / 'restore' marks it on the chart. */
  note(kind: TimelineKind, text: string, node?: string, state?: string, atMs = this.now()): void {
    this.addEntry({ atMs, kind, node, text, state });
  }

  /** Reads the status once now and tells the subscribers (also used by tests and after an action). */
  pollNow(): Promise<void> {
    // One poll at a time: a slow runtime must not pile up concurrent reads.
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  stop(): void {
    this.stopAll('stopped');
    this.subscribers.clear();
  }

  private emit(e: DashboardEvent): void {
    for (const s of this.subscribers) {
      try {
        s(e);
      } catch {
        // a broken subscriber must not stop the others
      }
    }
  }

  private addEntry(e: TimelineEntry): void {
    this.entries.push(e);
    this.entries.sort((a, b) => a.atMs - b.atMs);
    if (this.entries.length > timelineSize) this.entries.splice(0, this.entries.length - timelineSize);
    this.emit({ type: 'timeline', data: e });
  }

  private startPolling(): void {
    // A generation number: a loop still awaiting its poll when the viewers left and came back ends.
    const generation = ++this.loopGeneration;
    const loop = async () => {
      await this.pollNow();
      if (this.subscribers.size > 0 && generation === this.loopGeneration)
        this.statusTimer = setTimeout(() => void loop(), this.statusEveryMs);
    };
    // Deliberately not awaited: the loop runs while viewers are subscribed; pollNow never rejects.
    void loop();
  }

  private async poll(): Promise<void> {
    let snap: Snapshot;
    try {
      const [status] = await Promise.all([this.readStatus(this.rt), this.readTransitions()]);
      const nodes: NodeView[] = status.nodes.map((n) => (n.role === 'lb' ? { ...n, priority: this.priorities.get(n.name) } : { ...n }));
      const holders = nodes.filter((n) => n.role === 'lb' && n.state === 'MASTER').map((n) => n.name);
      snap = {
        atMs: this.now(),
        runtime: status.runtime,
        vip: status.vip,
        url: status.url,
        statsUrl: status.statsUrl,
        vipHolder: holders.length ? holders.join('+') : undefined,
        nodes,
      };
    } catch (err) {
      const u = urls(this.rt.topology);
      snap = {
        atMs: this.now(),
        runtime: this.rt.name,
        vip: this.rt.topology.vip,
        url: u.vip,
        statsUrl: u.stats,
        nodes: this.last?.nodes ?? [],
        error: err instanceof Error ? err.message.split('\n')[0] : String(err),
      };
    }
    this.diff(this.last, this.snaps.at(-1), snap);
    this.last = snap;
    if (!snap.error) {
      this.snaps.push(snap);
      if (this.snaps.length > snapshotHistory) this.snaps.splice(0, this.snaps.length - snapshotHistory);
    }
    this.emit({ type: 'status', data: snap });
  }

  /** New lines of each LB's transitions log become timeline entries; the last one gives the priority. */
  private async readTransitions(): Promise<void> {
    for (const lb of lbs(this.rt.topology)) {
      let list: Transition[];
      try {
        list = parseTransitions(await this.rt.readRunFile(lb.name, 'transitions.log'));
      } catch {
        continue;
      }
      let seen = this.seenTransitions.get(lb.name) ?? 0;
      if (list.length < seen) seen = 0; // the node was restored with a fresh log
      for (const t of list.slice(seen)) {
        const prio = t.priority === undefined ? '' : ` (priority ${t.priority})`;
        this.addEntry({
          atMs: t.atMs,
          kind: 'keepalived',
          node: lb.name,
          state: t.state,
          text: `${lb.name} keepalived: ${t.state}${prio}`,
        });
      }
      this.seenTransitions.set(lb.name, list.length);
      const last = list.at(-1);
      if (last?.priority !== undefined) this.priorities.set(lb.name, last.priority);
    }
  }

  /**
   * Timeline entries for what changed: from the last reading (`previous`) for the status becoming
   * unavailable, from the last good one (`before`) for the VIP and the states, so that a change
   * across a failed reading (a node dying as it was read) is still shown.
   */
  private diff(previous: Snapshot | undefined, before: Snapshot | undefined, after: Snapshot): void {
    if (after.error) {
      if (!previous?.error) this.addEntry({ atMs: after.atMs, kind: 'state', text: `status unavailable: ${after.error}` });
      return;
    }
    if (!before) return;
    if (before.vipHolder !== after.vipHolder) {
      this.addEntry({
        atMs: after.atMs,
        kind: 'vip',
        node: after.vipHolder,
        text: `VIP: ${before.vipHolder ?? 'nobody'} → ${after.vipHolder ?? 'nobody'}`,
      });
    }
    const old = new Map(before.nodes.map((n) => [n.name, n.state]));
    for (const n of after.nodes) {
      const was = old.get(n.name);
      if (was !== undefined && was !== n.state)
        this.addEntry({ atMs: after.atMs, kind: 'state', node: n.name, state: n.state, text: `${n.name}: ${was} → ${n.state}` });
    }
  }

  private startTicker(): void {
    if (this.subscribers.size === 0) return;
    this.ticker = { running: true, sent: 0, limit: this.tickerMax };
    this.emit({ type: 'ticker', data: this.tickerState() });
    const tick = () => {
      if (!this.ticker.running) return;
      if (this.ticker.sent >= this.tickerMax) {
        this.stopTicker(`stopped after ${this.tickerMax} requests: reload the page to resume`);
        return;
      }
      // At most two requests in flight: a blackout delays the ticker instead of piling up requests.
      if (this.inFlight < 2) {
        this.ticker.sent++;
        this.inFlight++;
        const atMs = this.now();
        // A refused probe (the stack's network is gone) counts as a failed request, not a crash.
        // Deliberately not awaited: the ticker fires on its interval; the chain cannot reject.
        void Promise.resolve()
          .then(() => this.probe(this.url, this.tickerTimeoutMs))
          .catch((err: unknown): ProbeRecord => ({
            atMs,
            latencyMs: 0,
            error: err instanceof Error ? err.message.split(':')[0] : String(err),
          }))
          .then((r) => this.record(r))
          .finally(() => this.inFlight--);
      }
      this.tickerTimer = setTimeout(tick, this.tickerEveryMs);
    };
    tick();
  }

  private record(r: ProbeRecord): void {
    this.probes.push(r);
    if (this.probes.length > probeHistory) this.probes.splice(0, this.probes.length - probeHistory);
    this.emit({ type: 'probe', data: r });
    if (!isSuccess(r)) {
      if (this.failing++ === 0)
        this.addEntry({ atMs: r.atMs, kind: 'requests', text: `requests failing (${r.error ?? `HTTP ${r.status}`})` });
    } else if (this.failing > 0) {
      this.addEntry({
        atMs: r.atMs,
        kind: 'requests',
        text: `requests succeed again after ${this.failing} failed (via ${r.lb ?? '?'} → ${r.backend ?? '?'})`,
      });
      this.failing = 0;
    }
  }

  private stopTicker(reason: string): void {
    if (this.tickerTimer) clearTimeout(this.tickerTimer);
    this.tickerTimer = undefined;
    this.ticker = { ...this.ticker, running: false, reason };
    this.emit({ type: 'ticker', data: this.tickerState() });
  }

  private stopAll(reason: string): void {
    this.loopGeneration++;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    this.stopTicker(reason);
  }
}
