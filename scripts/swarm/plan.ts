// The Swarm topology as data: which Swarm nodes are the two load balancers and at which LAN
// addresses, the VIP, the interface it lives on, how many backend replicas, and where the kit
// reaches each node's engine. `hakit lab up` writes one for its cluster; users with real hosts
// write their own (README "Beyond one machine") and pass it with --plan or HAKIT_SWARM_PLAN.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { stateDir } from '../paths.js';
import { isIPv4 } from 'node:net';
import * as v from 'valibot';
import { fileObject, objectMessage, problems } from '../stack/input-schema.js';
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

const notIpv4 = (field: string, x: unknown) => `${field}: "${String(x)}" is not an IPv4 address`;
const ipv4 = (field: string) =>
  v.custom<string>(
    (x) => typeof x === 'string' && isIPv4(x),
    (i) => notIpv4(field, i.input),
  );
const integer = (field: string, min: number, max: number) => {
  const message = `${field}: must be an integer from ${min} to ${max}`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};

const Prefix = integer('prefix', 8, 30);

type LbName = 'lb1' | 'lb2';

/** An LB. An absent lbs or LB reads as empty, so a plan without them is told each field it lacks. */
const lb = (name: LbName) => {
  const node = `lbs.${name}.node: the Swarm node's hostname is required`;
  return v.optional(
    v.strictObject(
      { node: v.pipe(v.string(node), v.nonEmpty(node)), address: ipv4(`lbs.${name}.address`) },
      objectMessage({
        notObject: `lbs.${name}: must be an object with node and address`,
        missing: (key) => (key === 'node' ? node : notIpv4(`lbs.${name}.${key}`, undefined)),
        unknown: (key) => `lbs.${name}: unknown field "${key}"`,
      }),
    ),
    // Not a valid LB (hence the cast): the schema reads it and reports what it lacks.
    {} as never,
  );
};

const enginesMap = 'engines: must map node hostnames to engine URLs';
const notAPlan = 'the plan must be an object with vip, prefix, interface, lbs and backends';
const interfaceName = 'interface: must be an interface name such as eth0';
/** A missing required field is told what it must be, in the words its schema uses. */
const whenMissing: Record<string, string> = {
  vip: notIpv4('vip', undefined),
  prefix: 'prefix: must be an integer from 8 to 30',
  interface: interfaceName,
  backends: `backends: must be an integer from 1 to ${MAX_BACKENDS}`,
};

const PlanFields = v.strictObject(
  {
    vip: ipv4('vip'),
    prefix: Prefix,
    interface: v.pipe(v.string(interfaceName), v.regex(/^[\w.@-]{1,15}$/, interfaceName)),
    lbs: v.optional(
      v.strictObject(
        { lb1: lb('lb1'), lb2: lb('lb2') },
        objectMessage({
          notObject: 'lbs: must be an object with lb1 and lb2',
          missing: (key) => `lbs.${key} is missing`,
          unknown: (key) => `lbs: unknown field "${key}" (known: lb1, lb2)`,
        }),
      ),
      {} as never,
    ),
    backends: integer('backends', 1, MAX_BACKENDS),
    manager: v.optional(v.string('manager: must be an engine URL (unix:///path, tcp://host:port or ssh://user@host)')),
    engines: v.optional(v.record(v.string(), v.string(enginesMap), enginesMap)),
    registry: v.optional(v.string('registry: must be a registry address such as registry.example:5000')),
    clientAddress: v.optional(ipv4('clientAddress')),
  },
  objectMessage({
    notObject: notAPlan,
    missing: (key) => whenMissing[key] ?? `${key} is missing`,
    unknown: (key) => `unknown field "${key}"`,
  }),
);
type PlanFields = v.InferOutput<typeof PlanFields>;

/** An LB's address must be on the VIP's network: checked once the VIP, the prefix and the address are valid. */
const onVipNetwork = (name: LbName) =>
  v.forward(
    v.partialCheck<
      PlanFields,
      [['vip'], ['prefix'], ['lbs', LbName, 'address']],
      PlanFields,
      (i: v.PartialCheckIssue<PlanFields>) => string
    >(
      [['vip'], ['prefix'], ['lbs', name, 'address']],
      // A prefix out of range is still a number, so valibot runs this check: that problem is reported alone.
      (p) => !v.is(Prefix, p.prefix) || inSubnet(p.lbs[name].address, `${p.vip}/${p.prefix}`),
      ({ input: p }) => `lbs.${name}.address: ${p.lbs[name].address} is not on the VIP's network ${p.vip}/${p.prefix}`,
    ),
    ['lbs', name, 'address'],
  );

// Checks across fields, each run once the fields it reads are valid, whatever else is wrong.
const Plan = v.pipe(
  fileObject(notAPlan),
  PlanFields,
  onVipNetwork('lb1'),
  onVipNetwork('lb2'),
  v.partialCheck(
    [
      ['lbs', 'lb1', 'node'],
      ['lbs', 'lb2', 'node'],
    ],
    (p) => !p.lbs.lb1.node || p.lbs.lb1.node !== p.lbs.lb2.node,
    'lbs: lb1 and lb2 must be different nodes',
  ),
);

/** Every problem of a plan at once. */
export function validatePlan(p: unknown): string[] {
  return problems(v.safeParse(Plan, p).issues);
}

export function loadPlan(file = defaultPlanFile()): SwarmPlan {
  if (!existsSync(file)) {
    throw new HakitError(
      `no Swarm plan at ${file}`,
      ExitCode.preflight,
      'make a lab cluster with `hakit lab up`, or write a plan for your hosts (README, "Beyond one machine") and pass --plan FILE',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HakitError(`${file} is not JSON: ${(err as Error).message}`, ExitCode.usage);
  }
  const result = v.safeParse(Plan, data);
  if (!result.success) throw new HakitError(`${file}:\n  ${problems(result.issues).join('\n  ')}`, ExitCode.usage);
  return result.output;
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
