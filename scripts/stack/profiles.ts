// Configuration profiles: named sets of overrides of the kit's configs, as data. The configs keep
// the kit's values as their defaults (haproxy.cfg `"${NAME-default}"`, keepalived.conf `$NAME=value`
// definitions); a profile only names the values it changes. `hakit bench` runs the same stack under
// `tuned` (no overrides: the kit as shipped) and `textbook` (what tutorials teach) side by side.
//
// How a runtime applies a profile (UpOptions.profile): every load balancer gets the environment of
// `lbProfileEnv(profile)`, on every start of the node (restores included):
//  - HAProxy expands its variables (CHECK_INTER, …) from that environment;
//  - KEEPALIVED_PROFILE holds `$NAME=value` lines that lb-entrypoint writes to
//    /run/hakit/profile.conf, which keepalived.conf includes right after its own definitions.

//  - LB_VIP_MANAGER (a peer profile: ucarp, pacemaker) makes lb-entrypoint run peers/lb-peer
//    instead of keepalived, on the same node with the same HAProxy.

import { ExitCode, HakitError } from '../errors.js';
import { SENTINEL_PORT } from '../groups/redis/ports.js';
import { dataNodes, type Topology } from './topology.js';

export type ProfileName = 'tuned' | 'textbook' | 'keepalive' | 'ucarp' | 'pacemaker';

/** What moves the VIP: the kit's keepalived, or one of the peers users pick instead. */
export type VipManager = 'keepalived' | 'ucarp' | 'pacemaker';

/** What a profile is compared on: the kit against the textbook, connection modes, or VIP managers. */
export type ProfileKind = 'kit' | 'connection' | 'peer';

export interface ConfigProfile {
  name: ProfileName;
  kind: ProfileKind;
  /** keepalived unless said otherwise. */
  vipManager?: VipManager;
  /** One line for tables and reports. */
  description: string;
  /** haproxy.cfg environment variables ("${NAME-default}" there). */
  haproxy: Record<string, string>;
  /** keepalived.conf definitions ($NAME=value there), redefined after the defaults. */
  keepalived: Record<string, string>;
  /**
   * Which data nodes run a Redis server and which a Sentinel, by name (none: every data node runs
   * both). The first of `redis` must be the topology's first data node (the first primary).
   */
  dataLayout?: { redis: string[]; sentinels: string[] };
  /** The data nodes' environment (redis/redis-entrypoint's Sentinel timings, the promotion follower). */
  redis?: Record<string, string>;
  /** The backends' environment (their Redis client: backends/redis/settings.ts). */
  backend?: Record<string, string>;
  /**
   * The Redis Cluster's nodes and its clients in the backends (`--with weather`): their
   * environment (redis/cluster-entrypoint, backends/cluster/settings.ts); none: the kit's values.
   */
  cluster?: { nodes: Record<string, string>; client: Record<string, string> };
  /**
   * How long the VIP must stay put before the stack counts as settled between measurements: longer
   * than a returning node needs to pre-empt (textbook) so that a late VIP move never lands in the
   * next measurement.
   */
  settleMs: number;
}

export const profiles: Record<ProfileName, ConfigProfile> = {
  textbook: {
    name: 'textbook',
    kind: 'kit',
    description:
      'the usual tutorial: VRRPv2 advert_int 1, pgrep check every 2 s (weight 2, preempt); checks inter 2s fall 3 rise 2, no retry-on/redispatch/observe',
    haproxy: {
      CHECK_INTER: '2s',
      CHECK_FALL: '3',
      CHECK_RISE: '2',
      // HAProxy's behaviour without a retry-on line: retry failed connections, on the same server.
      RETRY_ON: 'conn-failure',
      REDISPATCH: '0',
      CHECK_OBSERVE: 'none',
    },
    keepalived: {
      VRRP_VERSION: '2',
      ADVERT_INT: '1',
      // A process check of this node's own HAProxy (its pid file): `killall -0 haproxy` would also
      // see the other LB's HAProxy in a shared PID namespace and never fail.
      VRRP_CHECK_SCRIPT: '/usr/bin/pgrep -F /run/hakit/haproxy.pid',
      VRRP_CHECK_INTERVAL: '2',
      VRRP_CHECK_FALL: '1',
      VRRP_CHECK_RISE: '1',
      VRRP_CHECK_WEIGHT: '2',
      // No track file (it is the kit's fast path for F2), and the usual pre-emption.
      VRRP_TRACK_FILE: '',
      NOPREEMPT: '',
      // keepalived's own scheduling, as a package installs it.
      VRRP_SCHEDULING: '',
    },
    // The course's Sentinel: two Redis nodes (a primary and its replica) and one Sentinel, with
    // quorum 1, on a third node that R1 does not kill (it kills the primary); its default timings
    // (down-after 30 s, failover-timeout 3 min), one replica resyncing at a time, nobody
    // repointing a replica before Sentinel does; and a client without failover detection that
    // knows that one Sentinel and asks it again only when its connection fails (as redis-py's
    // master_for). Redis's own min-replicas-to-write 0: the promoted replica, alone, takes
    // writes. The kit's counting stays (WAIT 1, one count per request id), so the counts are
    // checked alike: with no replica left after R1, none is shown as counted until the old
    // primary is back (the count blackout outlasts the bench's 60 s), while the write blackout
    // (no view reaching Redis) ends with Sentinel's failover.
    dataLayout: { redis: ['redis1', 'redis2'], sentinels: ['redis3'] },
    redis: {
      MIN_REPLICAS_TO_WRITE: '0',
      SENTINEL_DOWN_AFTER_MS: '30000',
      SENTINEL_FAILOVER_TIMEOUT_MS: '180000',
      SENTINEL_QUORUM: '1',
      SENTINEL_PARALLEL_SYNCS: '1',
      FOLLOW_PROMOTION: 'no',
    },
    backend: { REDIS_FAILOVER_DETECTION: 'off' },
    // The cluster as its own docs and ioredis leave it: a 15 s node timeout, replicas that refuse
    // to take over with data older than 10 node timeouts, the client's default options.
    cluster: {
      nodes: { CLUSTER_NODE_TIMEOUT_MS: '15000', CLUSTER_REPLICA_VALIDITY_FACTOR: '10' },
      client: { CLUSTER_NODE_TIMEOUT_MS: '15000', CLUSTER_CLIENT_PROFILE: 'textbook' },
    },
    // A restored node pre-empts only once its check passed (every 2 s) and its master-down timer
    // ran out (3 × 1 s + skew): it discards the lower-priority adverts meanwhile. Measuring earlier
    // would let that pending take-over land inside the next fault (a "failover" of a few ms).
    settleMs: 7000,
  },
  tuned: {
    name: 'tuned',
    kind: 'kit',
    description:
      "the kit's defaults: VRRPv3 advert_int 0.02 under realtime scheduling, HAProxy probe + track file, nopreempt; checks every 200 ms, retry-on + redispatch, passive health",
    haproxy: {},
    keepalived: {},
    settleMs: 600,
  },
  keepalive: {
    name: 'keepalive',
    kind: 'connection',
    description: 'the kit with keep-alive server connections shared between requests (option http-keep-alive, http-reuse safe)',
    haproxy: { HTTP_MODE: 'keep-alive' },
    keepalived: {},
    settleMs: 600,
  },
  ucarp: {
    name: 'ucarp',
    kind: 'peer',
    vipManager: 'ucarp',
    description:
      "ucarp instead of keepalived: CARP adverts every 1 s (dead after 3), up/down scripts, a watchdog demoting the master after 2 failed HAProxy checks 1 s apart; the kit's HAProxy",
    haproxy: {},
    keepalived: {},
    // A restored node listens 3 adverts (3 s) before it could claim the VIP; it hears the master within 1 s.
    settleMs: 2000,
  },
  pacemaker: {
    name: 'pacemaker',
    kind: 'peer',
    vipManager: 'pacemaker',
    description:
      "Pacemaker/Corosync instead of keepalived: an IPaddr2 VIP colocated with a cloned HAProxy resource (monitor 5 s), Corosync knet unicast, default token 3 s, no fencing; the kit's HAProxy",
    haproxy: {},
    keepalived: {},
    // A returning node rejoins the cluster and the DC recomputes: stickiness keeps the VIP, but wait for that transition.
    settleMs: 3000,
  },
};

/** In the order the bench's tables read, left to right: the textbook, the kit, then the variants. */
export const profileNames = Object.keys(profiles) as ProfileName[];

/** The keepalived definitions of a profile, as the lines of /run/hakit/profile.conf. */
export function keepalivedProfileConf(p: ConfigProfile): string {
  return Object.entries(p.keepalived)
    .map(([k, v]) => `$${k}=${v}`)
    .join('\n');
}

/** The environment every load balancer of a stack gets under this profile (empty without one). */
export function lbProfileEnv(p: ConfigProfile | undefined): Record<string, string> {
  if (!p) return {};
  const env: Record<string, string> = { ...p.haproxy };
  const conf = keepalivedProfileConf(p);
  if (conf) env.KEEPALIVED_PROFILE = conf;
  if (p.vipManager && p.vipManager !== 'keepalived') env.LB_VIP_MANAGER = p.vipManager;
  return env;
}

/** The addresses of the named data nodes of `t`, space separated (a name the topology lacks is an error). */
function addressesOf(t: Topology, names: string[]): string[] {
  return names.map((name) => {
    const node = dataNodes(t).find((n) => n.name === name);
    if (!node) throw new HakitError(`the profile's data layout names ${name}, which is not a data node of this topology`, ExitCode.usage);
    return node.address;
  });
}

/**
 * The data nodes' environment under a profile (empty without one, or for a profile that changes
 * nothing there): its Sentinel timings, and its layout as the addresses that run each part
 * (REDIS_ADDRESSES, SENTINEL_ADDRESSES: redis/redis-entrypoint).
 */
export function redisProfileEnv(p: ConfigProfile | undefined, t: Topology): Record<string, string> {
  const env: Record<string, string> = { ...p?.redis };
  if (p?.dataLayout && dataNodes(t).length > 0) {
    env.REDIS_ADDRESSES = addressesOf(t, p.dataLayout.redis).join(' ');
    env.SENTINEL_ADDRESSES = addressesOf(t, p.dataLayout.sentinels).join(' ');
  }
  return env;
}

/** The backends' environment under a profile: their client's settings, and only the layout's Sentinels to ask. */
export function backendProfileEnv(p: ConfigProfile | undefined, t: Topology): Record<string, string> {
  const env: Record<string, string> = { ...p?.backend };
  if (p?.dataLayout && dataNodes(t).length > 0)
    env.REDIS_SENTINELS = addressesOf(t, p.dataLayout.sentinels)
      .map((a) => `${a}:${SENTINEL_PORT}`)
      .join(',');
  return env;
}

/** The VIP manager a profile runs (lb-peer writes it to /run/hakit/vip-manager; keepalived writes none). */
export const vipManagerOf = (p: ConfigProfile): VipManager => p.vipManager ?? 'keepalived';

/**
 * Why a runtime cannot apply this profile, or undefined when it can. The env-only profiles apply
 * everywhere a runtime passes the LB environment; a peer needs its packages in the node and, for
 * Pacemaker, private state mounts: the netns runtime has both, the lb image neither.
 */
export function unsupportedOn(p: ConfigProfile, runtime: string): string | undefined {
  if (vipManagerOf(p) === 'keepalived' || runtime === 'netns') return undefined;
  return `the ${p.name} profile runs ${p.vipManager} in the LB node, which only the netns runtime provides (the lb image carries keepalived only)`;
}
