// The seam between the kit and where the nodes run. Scripts talk to a Runtime and never ask
// which one it is; everything runtime-independent (kill --mode haproxy, status, health waits)
// is written once on top of exec / readRunFile / runtimeApi.
import type { Problem } from '../stack/preflight.js';
import type { ConfigProfile } from '../stack/profiles.js';
import type { Progress } from '../progress.js';
import type { NodeSpec, Topology } from '../stack/topology.js';

export type RuntimeName = 'netns' | 'docker' | 'swarm';

/** How a node dies: `hard` = host death (SIGKILL, link down), `graceful` = orderly stop. */
export type StopMode = 'hard' | 'graceful';

/** Two sets of nodes to separate; `only` narrows the cut to one protocol. */
export interface Cut {
  a: string[];
  b: string[];
  only?: 'vrrp';
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface NodeInfo {
  spec: NodeSpec;
  /** The node's main process (or container) is alive. */
  running: boolean;
  /** Where it is now, when that is not fixed by the topology (a Swarm replica's task address). */
  address?: string;
}

/** HAProxy's two CLI sockets in an LB's /run/hakit: the worker's runtime API, the master's CLI. */
export type HaproxySocket = 'worker' | 'master';

export interface Credentials {
  /** The stats page's user and password. */
  user: string;
  password: string;
  /** Node groups' secrets by environment name (REDIS_APP_PASSWORD, …): groups/secrets.ts. */
  secrets?: Record<string, string>;
}

export interface UpOptions {
  progress: Progress;
  credentials: Credentials;
  /**
   * Overrides of the configs (`hakit bench`); none = the kit's defaults. A runtime gives every
   * load balancer the environment `lbProfileEnv(profile)` on every start, restores included.
   */
  profile?: ConfigProfile;
}

export interface DownOptions {
  /** Also remove the data the nodes keep (data directories, named volumes). */
  volumes?: boolean;
}

export interface Runtime {
  readonly name: RuntimeName;
  readonly topology: Topology;
  /** What stops `up` on this machine (tools, permissions, address range), each with its fix. */
  preflight(): Promise<Problem[]>;
  /** True when this runtime has a stack (even a partly dead one) on this machine. */
  isUp(): Promise<boolean>;
  /** Creates the network and starts every node. Cleans up after itself when it fails. */
  up(opts: UpOptions): Promise<void>;
  nodes(): Promise<NodeInfo[]>;
  stop(node: string, mode: StopMode): Promise<void>;
  /** Starts the node afresh, after removing whatever is left of it. */
  restore(node: string, credentials: Credentials): Promise<void>;
  /** Runs a command inside the node (its network, its /run/hakit). */
  exec(node: string, argv: string[]): Promise<ExecResult>;
  /** Reads a file from the node's /run/hakit directory; undefined when absent or the node is gone. */
  readRunFile(node: string, name: string): Promise<string | undefined>;
  /**
   * Replaces a file in the node's /run/hakit (mode 0600, by rename: a reader sees the old or the
   * new text, never half): what a running node reads on its next reload (the stats user).
   */
  writeRunFile(node: string, name: string, text: string): Promise<void>;
  /**
   * Sends one command to a load balancer's HAProxy and returns the answer: its runtime API (the
   * current worker, `worker`, the default) or its master CLI (`master`: reload, show proc).
   */
  runtimeApi(node: string, command: string, socket?: HaproxySocket): Promise<string>;
  /**
   * Optional: puts a config folder (a node group's configDir, e.g. `haproxy`) from `from` on the
   * host where the node sees it at /etc/NAME, in place of what it has, for its next reload and
   * its later starts (`hakit reload`). Runtimes without it cannot change a running node's files.
   */
  deliverConfig?(node: string, dir: string, from: string): Promise<void>;
  logs(node: string): Promise<string>;
  /**
   * Optional: kills HAProxy alone on a load balancer, keepalived staying up (F2). Without it the
   * kit SIGKILLs the PID in the node's /run/hakit/haproxy.pid from inside the node.
   */
  killHaproxy?(node: string): Promise<void>;
  /**
   * Optional: each backend node's current address (ip:port), where HAProxy's server names do not
   * name the nodes (Swarm: server-template slots are filled by DNS answers in any order).
   */
  backendAddresses?(): Promise<Map<string, string>>;
  /**
   * Optional: whether the node's network has this IPv4 address as its own, read without starting
   * a process (undefined: cannot tell, ask with exec). The evidence poller asks every 75 ms per
   * LB; an exec costs tens of ms of CPU that the stack and the probe then lack.
   */
  hasLocalAddress?(node: string, address: string): Promise<boolean | undefined>;
  /**
   * A network cut between two sets of nodes, both ways: `on` drops what flows between every node
   * of `cut.a` and every node of `cut.b` (only VRRP with `only: 'vrrp'`; the rest still flows),
   * `on = false` heals exactly that cut. Idempotent both ways; other cuts are left as they are.
   * F7 cuts VRRP between the LBs; the data tier cuts a primary from its replicas and clients.
   */
  partition(cut: Cut, on: boolean): Promise<void>;
  /** Everything of the kit this runtime holds on the machine, one line each: empty after `down`. */
  leftovers(): Promise<string[]>;
  /** The data kept across `down` (removed by `down --volumes`), one line each. */
  keptData(): Promise<string[]>;
  /**
   * Idempotent: removes everything the runtime created, also after a failed or partial up; the
   * data nodes' data stays unless `volumes`.
   */
  down(progress: Progress, opts?: DownOptions): Promise<void>;
}
