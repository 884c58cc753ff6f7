// What the dashboard's server hands its page: the configuration in the page and the payloads of
// the /events stream, as far as the browser script (browser/dashboard.js) reads them. Types only,
// imported only from modules that import nothing, so both programs use this file: the browser
// script (checked JavaScript with the DOM library) and the server, whose own types (monitor.ts)
// must fit these.
import type { ProbeRecord } from '../observe/probe-record.js';
import type { NodeDetail } from './browser/describe.js';

export interface PageNode {
  name: string;
  role: string;
  /** The node group's name for humans: "load balancer", "backend", "data node". */
  title: string;
  address: string;
  /** The kill modes offered as buttons (haproxy applies to load balancers only). */
  killModes: readonly string[];
  /** A cut-off button (and its heal): the node is cut from the other data nodes and the backends (R5). */
  cut: boolean;
}

/** The page's configuration, in `<meta name="hakit-config">` as JSON. */
export interface PageConfig {
  /** The header that carries the token (in `<meta name="hakit-token">`) on kill / restore. */
  tokenHeader: string;
  vip: string;
  /** A failover chart is offered (/chart.svg). */
  chart: boolean;
  nodes: PageNode[];
}

export interface NodeStateView {
  name: string;
  state: string;
  priority?: number;
  /** A data node: whom its Sentinel believes is primary, a replica's lag, the primary's count today. */
  detail?: NodeDetail;
}

export interface SnapshotView {
  atMs: number;
  vipHolder?: string;
  nodes: NodeStateView[];
  error?: string;
}

/** A probe request as the ticker shows it: the probe's own record. */
export type ProbeView = ProbeRecord;

export interface EntryView {
  atMs: number;
  kind: string;
  text: string;
}

export interface TickerView {
  running: boolean;
  reason?: string;
}

/** The /events stream: event name → its data. */
export interface EventPayloads {
  hello: { snapshot: SnapshotView | null; timeline: EntryView[]; probes: ProbeView[]; ticker: TickerView };
  status: SnapshotView;
  probe: ProbeView;
  timeline: EntryView;
  ticker: TickerView;
}
