// The topology as data: names, roles, addresses, VIP and ports. Every runtime builds exactly
// this; keepalived.conf and compose files carry the same addresses (a test checks they agree).
import { BlockList, isIPv4 } from 'node:net';

// cluster, weather: the weather feature's nodes; nats, etcd, postgres, cache: the URL shortener's
// (scripts/groups/shortener/nodes.ts).
export type Role = 'lb' | 'backend' | 'redis' | 'cluster' | 'weather' | 'nats' | 'etcd' | 'postgres' | 'cache';

/**
 * The opt-in parts of the stack (`hakit up --with weather,chat`, or `all`): their nodes start only
 * when asked for. scripts/stack/features.ts parses them and records those of the stack that is up.
 */
export const featureNames = ['weather', 'chat', 'shortener'] as const;
export type Feature = (typeof featureNames)[number];

export interface NodeSpec {
  name: string;
  role: Role;
  address: string;
  /** keepalived priority (load balancers only). */
  priority?: number;
  /** "Server N" (backends only). */
  serverId?: string;
  /** An opt-in node: part of the stack only when one of these features is on (optionalNodes). */
  features?: readonly Feature[];
}

export interface Topology {
  /** Network address and prefix length, e.g. 10.213.0.0/24. */
  subnet: string;
  /** The host's address on the kit's network: a browser on the host reaches the VIP through it. */
  hostAddress: string;
  vip: string;
  ports: { http: number; stats: number; backend: number };
  nodes: NodeSpec[];
  /** The opt-in features whose nodes this topology carries (withFeatures); none: the default stack. */
  features?: readonly Feature[];
}

export const defaultTopology: Topology = {
  subnet: '10.213.0.0/24',
  hostAddress: '10.213.0.1',
  vip: '10.213.0.10',
  ports: { http: 80, stats: 8404, backend: 8080 },
  nodes: [
    { name: 'lb1', role: 'lb', address: '10.213.0.11', priority: 101 },
    { name: 'lb2', role: 'lb', address: '10.213.0.12', priority: 100 },
    { name: 'backend1', role: 'backend', address: '10.213.0.21', serverId: '1' },
    { name: 'backend2', role: 'backend', address: '10.213.0.22', serverId: '2' },
    { name: 'redis1', role: 'redis', address: '10.213.0.31' },
    { name: 'redis2', role: 'redis', address: '10.213.0.32' },
    { name: 'redis3', role: 'redis', address: '10.213.0.33' },
  ],
};

/**
 * The weather feature's nodes (`hakit up --with weather`): the Redis Cluster (cluster1–cluster9,
 * three primaries with two replicas each; the chat's feature uses it too) and the weather source.
 */
export const weatherNodes: readonly NodeSpec[] = [
  ...Array.from({ length: 9 }, (_, i): NodeSpec => ({
    name: `cluster${i + 1}`,
    role: 'cluster',
    address: `10.213.0.${41 + i}`,
    features: ['weather', 'chat'],
  })),
  { name: 'weather', role: 'weather', address: '10.213.0.55', features: ['weather'] },
];

/**
 * The chat's fourth shard (`hakit up --with chat`): two more cluster nodes, started blank beside
 * cluster1–9 and not formed with them; `hakit cluster add-shard` makes cluster10 a primary with
 * cluster11 its replica, `remove-shard` makes them blank again (docs/architecture.md#adding-and-removing-a-shard).
 */
export const chatNodes: readonly NodeSpec[] = [
  { name: 'cluster10', role: 'cluster', address: '10.213.0.51', features: ['chat'] },
  { name: 'cluster11', role: 'cluster', address: '10.213.0.52', features: ['chat'] },
];

/**
 * The URL shortener's nodes (`hakit up --with shortener`): the log (nats1–3), consensus (etcd1–3),
 * Postgres under Patroni (pg1, pg2) and each backend's own Redis (cacheN serves backendN).
 * Placement and why: docs/architecture.md#placement.
 */
export const shortenerNodes: readonly NodeSpec[] = (
  [
    ['nats1', 'nats', 61],
    ['nats2', 'nats', 62],
    ['nats3', 'nats', 63],
    ['etcd1', 'etcd', 64],
    ['etcd2', 'etcd', 65],
    ['etcd3', 'etcd', 66],
    ['pg1', 'postgres', 67],
    ['pg2', 'postgres', 68],
    ['cache1', 'cache', 71],
    ['cache2', 'cache', 72],
  ] as const
).map(([name, role, host]): NodeSpec => ({ name, role, address: `10.213.0.${host}`, features: ['shortener'] }));

/**
 * The opt-in nodes, each naming the features that need it: `withFeatures` adds those of the
 * features asked for to a topology. Addresses: docs/architecture.md#opt-in-features.
 */
export const optionalNodes: readonly NodeSpec[] = [...weatherNodes, ...chatNodes, ...shortenerNodes];

/**
 * `t` with the opt-in nodes of `on` (each once, even when several features need it), and `on`
 * recorded in `features`; `on` empty gives `t`'s own nodes.
 */
export function withFeatures(t: Topology, on: readonly Feature[], extra: readonly NodeSpec[] = optionalNodes): Topology {
  const wanted = featureNames.filter((f) => on.includes(f));
  const names = new Set(t.nodes.map((n) => n.name));
  const added = extra.filter((n) => !names.has(n.name) && n.features?.some((f) => wanted.includes(f)));
  return { ...t, nodes: [...t.nodes, ...added], features: wanted };
}

/** The topology without its data nodes: the web tier alone. */
export const webTier = (t: Topology): Topology => ({ ...t, nodes: t.nodes.filter((n) => n.role === 'lb' || n.role === 'backend') });

export const lbs = (t: Topology): NodeSpec[] => t.nodes.filter((n) => n.role === 'lb');
export const backends = (t: Topology): NodeSpec[] => t.nodes.filter((n) => n.role === 'backend');
export const dataNodes = (t: Topology): NodeSpec[] => t.nodes.filter((n) => n.role === 'redis');

export function prefixLength(t: Topology): number {
  return Number(t.subnet.split('/')[1]);
}

export function findNode(t: Topology, name: string): NodeSpec | undefined {
  return t.nodes.find((n) => n.name === name);
}

/**
 * The page without the visit counter (`?count=0`, backends/app.ts): the tier's own measurements
 * (probes, load, the dashboard's ticker, watch) load it, so they measure the web tier as before and
 * do not write to Redis; the data faults load `/` on purpose.
 */
export const tierProbePath = '/?count=0';
/** HTTPS ports, fixed in haproxy/haproxy.cfg (the stats page's own TLS port beside plain :8404). */
export const tlsPorts = { https: 443, stats: 8443 } as const;

export const urls = (t: Topology) => ({
  vip: `http://${t.vip}/`,
  /**
   * What the web tier's figures load (the failover probe, the bench, chaos's web probe): the same
   * page, never counted as a visit (tierProbePath; docs/architecture.md#counting-through-a-failover).
   */
  probe: `http://${t.vip}${tierProbePath}`,
  stats: `http://${t.vip}:${t.ports.stats}/stats`,
  https: `https://${t.vip}/`,
  statsHttps: `https://${t.vip}:${tlsPorts.stats}/stats`,
});

/** /etc/hosts content for every node: names resolve the same as under Docker's DNS. */
export function hostsFile(t: Topology): string {
  const lines = ['127.0.0.1 localhost', ...t.nodes.map((n) => `${n.address} ${n.name}`)];
  return lines.join('\n') + '\n';
}

// ---- validation: every problem at once, so a user fixes them in one go ----

/** "10.213.0.0/24" as its network address and prefix length, when it is an IPv4 network. */
function parseSubnet(subnet: string): { net: string; bits: number } | undefined {
  const [net = '', len = '', ...rest] = subnet.split('/');
  const bits = Number(len);
  if (rest.length || !isIPv4(net) || !/^\d{1,2}$/.test(len) || bits > 32) return undefined;
  return { net, bits };
}

export function inSubnet(ip: string, subnet: string): boolean {
  const s = parseSubnet(subnet);
  if (!s || !isIPv4(ip)) return false;
  const list = new BlockList();
  list.addSubnet(s.net, s.bits, 'ipv4');
  return list.check(ip, 'ipv4');
}

export function validateTopology(t: Topology): string[] {
  const errors: string[] = [];
  const subnet = parseSubnet(t.subnet);
  if (!subnet || subnet.bits < 8 || subnet.bits > 30) {
    errors.push(`subnet "${t.subnet}" is not an IPv4 network with a prefix length from 8 to 30`);
  }
  const addressed: Array<[string, string]> = [
    ['hostAddress', t.hostAddress],
    ['vip', t.vip],
    ...t.nodes.map((n): [string, string] => [`node ${n.name}`, n.address]),
  ];
  const seen = new Map<string, string>();
  for (const [what, ip] of addressed) {
    if (!isIPv4(ip)) errors.push(`${what}: "${ip}" is not an IPv4 address`);
    else if (!inSubnet(ip, t.subnet)) errors.push(`${what}: ${ip} is outside the subnet ${t.subnet}`);
    const other = seen.get(ip);
    if (other) errors.push(`${what}: ${ip} is already used by ${other}`);
    seen.set(ip, what);
  }
  const names = new Set<string>();
  for (const n of t.nodes) {
    if (!/^[a-z][a-z0-9-]{0,9}$/.test(n.name)) errors.push(`node name "${n.name}" must be 1–10 of a-z, 0-9, - (starting with a letter)`);
    if (names.has(n.name)) errors.push(`node name "${n.name}" is used twice`);
    names.add(n.name);
  }
  // What each node group needs of its own nodes (two LBs, distinct priorities, …) is the group's
  // rule: validateGroups in scripts/groups/index.ts.
  for (const [name, port] of Object.entries(t.ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`port ${name}: ${port} is not a port number (1–65535)`);
  }
  if (new Set(Object.values(t.ports)).size !== Object.keys(t.ports).length) errors.push('ports must differ from each other');
  return errors;
}
