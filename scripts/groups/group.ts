// The seam for node groups: every group (lb and backend today; redis, sentinel, cluster, postgres,
// the log next) is one folder under scripts/groups/ with the same small set of files behind this
// interface — its nodes' start on each runtime, how their state is read, its config files — and
// one line in the registry (index.ts). Runtimes, status and actions ask the group, never a role
// name. See docs/architecture.md#node-groups.
import type { ConfigProfile } from '../stack/profiles.js';
import type { Credentials, NodeInfo, Runtime } from '../runtime/runtime.js';
import type { NodeSpec, Role, Topology } from '../stack/topology.js';

/** What a node's process needs to start, whatever runs it. */
export interface LaunchContext {
  topology: Topology;
  credentials: Credentials;
  /** The config profile's environment (`hakit bench`), kept per node so a restore reuses it. */
  profileEnv: Record<string, string>;
  /** Where the netns runtime installed what the group's prepareHost copied. */
  appDir: string;
  /** netns: the node's data directory (groups that keep data), kept across `down`. */
  dataDir: string;
  /** The LBs' server certificate and key (HAProxy's crt file), read when a group asks for it. */
  serverPem: () => string;
  /** Every group's environment for reaching its nodes (NodeGroup.clientEnv), for the backends. */
  clientEnv: () => Record<string, string>;
}

/** A file the node sees under /etc, e.g. `haproxy/tls/server.pem`. */
export interface NodeFile {
  path: string;
  content: string;
  mode: number;
}

/** What status shows of a node: its state, and for some groups a few more facts. */
export type NodeReading = string | { state: string; detail: Record<string, string | number> };

/** A node's main process: argv and environment, run inside the node (netns). */
export interface Launch {
  argv: string[];
  env: Record<string, string>;
  /** Written root-owned into the node's /etc before each start (netns), in directories only root reads. */
  files?: NodeFile[];
}

/** A node reloaded in place (`hakit reload`). */
export interface NodeReload {
  node: string;
  /** From the reload until the node served on its new config. */
  ms: number;
  /** What happened, for humans (an LB: its old and new HAProxy worker). */
  detail: string;
}

export interface NodeGroup {
  readonly name: Role;
  /** For humans: "load balancer", "backend". */
  readonly title: string;
  /** Package folders seen at /etc/NAME inside each node (netns: root-owned copies). */
  readonly configDirs: string[];
  /** Start order on one host: lower first (backends before the LBs that check them). */
  readonly startRank: number;
  /**
   * A hard kill as a host death: the node goes silent on the network before its processes die,
   * so clients see timeouts, not the resets of a kernel that outlives its processes (LBs). Without
   * it the processes die first and peers get resets (backends: HAProxy retries a reset at once
   * elsewhere; a silent backend would cost its timeouts).
   */
  readonly diesSilently?: boolean;
  /** The states in which a node of the group serves (restore waits for one). */
  readonly servingStates: readonly string[];
  /**
   * The nodes keep data that outlives them, as compose keeps named volumes: netns gives each a
   * directory under the state dir, Docker a named volume; `down` keeps it, `down --volumes` not.
   */
  readonly keepsData?: boolean;
  /** Secrets the group's nodes read from their environment, generated with the credentials. */
  readonly secrets?: readonly string[];
  /** Order of the group's nodes at start (the LB with the highest priority first). */
  startOrder?(nodes: NodeSpec[]): NodeSpec[];
  /** netns: what every node of the group shares on this host, installed once before they start. */
  prepareHost?(appDir: string): void;
  /** The environment a config profile gives this group's nodes of `topology` (none by default). */
  profileEnv?(profile: ConfigProfile | undefined, topology: Topology): Record<string, string>;
  /** netns: the node's main process. */
  launch(node: NodeSpec, ctx: LaunchContext): Launch;
  /**
   * What every backend needs in its environment to reach this group's nodes of `topology` (the
   * Sentinels' addresses, a user and password); none when the topology has none of them. The
   * backends' launch merges every group's (clientEnvOf); on Docker it feeds compose.yaml's
   * `${NAME:-}` values.
   */
  clientEnv?(topology: Topology, credentials: Credentials): Record<string, string>;
  /**
   * After every node of the group started, on any runtime (`up`): what makes them one — the Redis
   * Cluster's `--cluster create` on empty nodes, then its check.
   */
  formed?(rt: Runtime): Promise<void>;
  /** After a node started on one host: what must hold before the next one starts. */
  started?(rt: Runtime, node: NodeSpec, firstOfGroup: boolean): Promise<void>;
  /** The state of each of the group's nodes (`mine`) for status; `all` is every node's liveness. */
  readStates(rt: Runtime, mine: NodeInfo[], all: NodeInfo[]): Promise<Map<string, NodeReading>>;
  /**
   * How long `up` waits for the group's nodes to be healthy, when longer than the stack's 20 s: a
   * database's first start makes its cluster, then its standby copies it.
   */
  readonly healthyWithinMs?: number;
  /** The group's nodes are ready to serve (up waits for every group's). */
  healthy(nodes: Array<{ name: string; state: string; detail?: Record<string, string | number> }>): boolean;
  /**
   * Parts of a node that can die alone while the rest stays up (`hakit kill --mode PART`): an
   * LB's HAProxy under a live keepalived (F2).
   */
  readonly parts?: readonly string[];
  killPart?(rt: Runtime, node: string, part: string): Promise<void>;
  /** A running node is whole (an LB: its HAProxy too): restore leaves a whole node alone. */
  isWhole?(rt: Runtime, node: string): Promise<boolean>;
  /**
   * Restore of a running node that is not whole, in place: its dead part starts again and the
   * rest keeps serving (a data node's Sentinel). Without it restore starts the node afresh.
   */
  mend?(rt: Runtime, node: string): Promise<void>;
  /** Docker: a restore must recreate the container (its environment is stale), not restart it. */
  needsRecreate?(containerEnv: string[], credentials: Credentials): boolean;
  /**
   * `hakit reload`: the group's config folders (configDirs) under `from`, checked for its nodes
   * with the real validators; every problem as text, none when the config may be loaded.
   */
  checkConfig?(from: string, nodes: NodeSpec[]): Promise<string[]>;
  /** Reloads a running node's config in place, without dropping what it serves. */
  reload?(rt: Runtime, node: string): Promise<NodeReload>;
  /** Rules for the group's part of a topology: every problem, each as one line. */
  validate?(nodes: NodeSpec[]): string[];
}
