// The Swarm topology as data: which Swarm nodes are the two load balancers and at which LAN
// addresses, the VIP, the interface it lives on, how many backend replicas, and where the kit
// reaches each node's engine. `hakit lab up` writes one for its cluster; users with real hosts
// write their own (README "Beyond one machine") and pass it with --plan or HAKIT_SWARM_PLAN.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { stateDir } from '../paths.js';
import { inSubnet, type Topology } from '../stack/topology.js';

export interface SwarmLb {
  /** The Swarm node's hostname (`docker node ls`). */
  node: string;
  /** Its address on the LAN that carries the VIP (VRRP runs unicast between the two). */
  address: string;
}

export interface SwarmPlan {
  vip: string;
  /** Prefix length of the LAN (the VIP is added as VIP/prefix). */
  prefix: number;
  /** The LB nodes' LAN interface, where keepalived puts the VIP. */
  interface: string;
  lbs: { lb1: SwarmLb; lb2: SwarmLb };
  /** Backend replicas (`hakit scale` changes it). */
  backends: number;
  /** Engine of a Swarm manager (unix://, tcp:// or ssh:// URL); default DOCKER_HOST or the local socket. */
  manager?: string;
  /** Engine of each node by hostname, for what only a node's engine can do (exec, kill, logs). */
  engines?: Record<string, string>;
  /** Registry to push the images to (nodes pull them); none = the kit copies them to each node. */
  registry?: string;
  /** This machine's address on the LAN, when it has one: the kit sends traffic to the LAN only then. */
  clientAddress?: string;
}

/** Where `hakit lab up` writes its plan (and `lab down` removes it): never a user's own plan file. */
export const labPlanFile = join(stateDir, 'swarm-plan.json');
export const defaultPlanFile = () => process.env.HAKIT_SWARM_PLAN ?? labPlanFile;

/** At most this many backend slots: HAProxy's server-template reserves them (BACKEND_SLOTS). */
export const MAX_BACKENDS = 10;

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (s: unknown): s is string => typeof s === 'string' && ipv4.test(s) && s.split('.').every((p) => Number(p) <= 255);

/** Every problem of a plan at once. */
export function validatePlan(p: Partial<SwarmPlan>): string[] {
  const errors: string[] = [];
  if (!isIpv4(p.vip)) errors.push(`vip: "${String(p.vip)}" is not an IPv4 address`);
  const prefixOk = Number.isInteger(p.prefix) && p.prefix! >= 8 && p.prefix! <= 30;
  if (!prefixOk) errors.push('prefix: must be an integer from 8 to 30');
  if (typeof p.interface !== 'string' || !/^[\w.@-]{1,15}$/.test(p.interface))
    errors.push('interface: must be an interface name such as eth0');
  for (const name of ['lb1', 'lb2'] as const) {
    const lb = p.lbs?.[name];
    if (!lb || typeof lb.node !== 'string' || !lb.node) errors.push(`lbs.${name}.node: the Swarm node's hostname is required`);
    if (!isIpv4(lb?.address)) errors.push(`lbs.${name}.address: "${String(lb?.address)}" is not an IPv4 address`);
    else if (isIpv4(p.vip) && prefixOk && !inSubnet(lb.address, `${p.vip}/${p.prefix}`))
      errors.push(`lbs.${name}.address: ${lb.address} is not on the VIP's network ${p.vip}/${p.prefix}`);
  }
  if (p.lbs?.lb1?.node && p.lbs.lb1.node === p.lbs.lb2?.node) errors.push('lbs: lb1 and lb2 must be different nodes');
  if (!Number.isInteger(p.backends) || p.backends! < 1 || p.backends! > MAX_BACKENDS)
    errors.push(`backends: must be an integer from 1 to ${MAX_BACKENDS}`);
  if (p.clientAddress !== undefined && !isIpv4(p.clientAddress))
    errors.push(`clientAddress: "${String(p.clientAddress)}" is not an IPv4 address`);
  return errors;
}

export function loadPlan(file = defaultPlanFile()): SwarmPlan {
  if (!existsSync(file)) {
    throw new HakitError(
      `no Swarm plan at ${file}`,
      ExitCode.preflight,
      'make a lab cluster with `hakit lab up`, or write a plan for your hosts (README, "Beyond one machine") and pass --plan FILE',
    );
  }
  let plan: SwarmPlan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as SwarmPlan;
  } catch (err) {
    throw new HakitError(`${file} is not JSON: ${(err as Error).message}`, ExitCode.usage);
  }
  const errors = validatePlan(plan);
  if (errors.length) throw new HakitError(`${file}:\n  ${errors.join('\n  ')}`, ExitCode.usage);
  return plan;
}

export function savePlan(plan: SwarmPlan, file = defaultPlanFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(plan, null, 2) + '\n');
}

/** Network address of ip/prefix, e.g. 10.214.0.10/24 -> 10.214.0.0/24. */
export function networkOf(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefix}`;
}

/**
 * The kit's Topology for a plan: the two LBs at their LAN addresses and one entry per backend
 * replica (backend1…N, the names HAProxy's server-template gives them). Replicas have no fixed
 * address: they are wherever Swarm put them, on the overlay network.
 */
export function swarmTopology(p: SwarmPlan): Topology {
  return {
    subnet: networkOf(p.vip, p.prefix),
    // Without a client address the kit never sends traffic to the LAN (kit-network.ts).
    hostAddress: p.clientAddress ?? '0.0.0.0',
    vip: p.vip,
    ports: { http: 80, stats: 8404, backend: 8080 },
    nodes: [
      { name: 'lb1', role: 'lb', address: p.lbs.lb1.address, priority: 101 },
      { name: 'lb2', role: 'lb', address: p.lbs.lb2.address, priority: 100 },
      ...Array.from({ length: p.backends }, (_, i) => ({
        name: `backend${i + 1}`,
        role: 'backend' as const,
        address: 'overlay',
        serverId: String(i + 1),
      })),
    ],
  };
}
