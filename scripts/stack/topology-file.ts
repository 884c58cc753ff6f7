// `hakit up --config FILE`: a user-supplied topology (JSON or YAML). Every problem in the file is
// collected and reported at once (exit 2) before anything is started.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { YAML } from 'zx';
import { ExitCode, HakitError } from '../errors.js';
import { fileObject, isObject, objectMessage, problems } from './input-schema.js';
import { checkTopology, nodeGroups } from '../groups/index.js';
import { defaultTopology, type NodeSpec, type Role, type Topology } from './topology.js';

const notATopology = 'the file must hold an object with subnet, vip and nodes';
const unknownField = (key: string) => `unknown field "${key}"`;

// The words checkTopology uses for a port out of range, so a port both checks refuse gives one line.
const port = (key: keyof Topology['ports']) =>
  v.optional(
    v.number((i) => `port ${key}: ${String(i.input)} is not a port number (1–65535)`),
    defaultTopology.ports[key],
  );
const portNames = Object.keys(defaultTopology.ports).join(', ');

const nodeNeeds = {
  name: 'name must be a string',
  role: `role must be one of the node groups: ${Object.keys(nodeGroups).join(', ')}`,
  address: 'address must be a string',
  priority: 'priority must be a number',
  serverId: 'serverId must be a string',
} as const;

const Node = v.strictObject(
  {
    name: v.string(nodeNeeds.name),
    // The same words as checkTopology's, so a wrong role is listed once.
    role: v.picklist(
      Object.keys(nodeGroups) as Role[],
      (i) => `no node group ${JSON.stringify(i.input)} (groups: ${Object.keys(nodeGroups).join(', ')})`,
    ),
    address: v.string(nodeNeeds.address),
    priority: v.optional(v.number(nodeNeeds.priority)),
    // YAML reads `serverId: 1` as a number; HAProxy's config names it "1" either way.
    serverId: v.optional(v.pipe(v.union([v.string(), v.number()], nodeNeeds.serverId), v.transform(String))),
  },
  objectMessage({
    notObject: 'must be an object with name, role and address',
    missing: (key) => nodeNeeds[key as keyof typeof nodeNeeds],
    unknown: unknownField,
  }),
);

/**
 * What the topology's rules read: they need a subnet and a VIP, and take the rest as far as it
 * goes (a node without a name is the schema's problem alone).
 */
const Readable = v.looseObject({
  subnet: v.pipe(v.string(), v.nonEmpty()),
  vip: v.pipe(v.string(), v.nonEmpty()),
  hostAddress: v.fallback(v.string(), defaultTopology.hostAddress),
  ports: v.fallback(v.looseObject({}), () => ({ ...defaultTopology.ports })),
  nodes: v.fallback(
    v.pipe(
      v.array(v.unknown()),
      v.filterItems((n) => isObject(n) && typeof n.name === 'string'),
    ),
    [],
  ),
});

/** The file's schema; missing optional parts (hostAddress, ports) take the defaults. */
const TopologyFile = v.pipe(
  fileObject(notATopology),
  v.strictObject(
    {
      subnet: v.string('subnet must be a string'),
      vip: v.string('vip must be a string'),
      hostAddress: v.optional(v.string('hostAddress must be a string'), defaultTopology.hostAddress),
      ports: v.optional(
        v.strictObject(
          { http: port('http'), stats: port('stats'), backend: port('backend') },
          objectMessage({
            notObject: `ports must be an object with ${portNames}`,
            missing: (key) => `ports.${key} is missing`,
            unknown: (key) => `ports.${key}: unknown (known: ${portNames})`,
          }),
        ),
        {},
      ),
      nodes: v.array(Node, 'nodes must be a list'),
    },
    objectMessage({
      notObject: notATopology,
      missing: (key) => (key === 'nodes' ? 'nodes must be a list' : `${key} is missing`),
      unknown: unknownField,
    }),
  ),
  // Then every rule of the topology itself (VIP in the subnet, duplicates, …). valibot runs a raw
  // check even when parts failed and keeps what it could read, so one run lists every problem.
  v.rawCheck(({ dataset, addIssue }) => {
    const read = v.safeParse(Readable, dataset.value);
    if (read.success) for (const message of checkTopology(read.output as unknown as Topology)) addIssue({ message });
  }),
);

/** A node's problem says which node: "node lb1" when it has a name, else its place in the list. */
function describe(issue: v.BaseIssue<unknown>): string {
  const [top, item] = issue.path ?? [];
  if (top?.key !== 'nodes' || !item) return issue.message;
  const n = item.value;
  return `${isObject(n) && typeof n.name === 'string' ? `node ${n.name}` : `nodes[${String(item.key)}]`}: ${issue.message}`;
}

/** Checks parsed data against the schema and the topology's rules: the topology, or every problem. */
export function topologyFromData(data: unknown): { topology?: Topology; errors: string[] } {
  const result = v.safeParse(TopologyFile, data);
  return result.success ? { topology: result.output, errors: [] } : { errors: problems(result.issues, describe) };
}

/**
 * haproxy.cfg and keepalived.conf carry the default plan (addresses, names, ports; a config test
 * checks they agree with scripts/stack/topology.ts), and configs are never templated. A valid file that
 * differs from that plan is refused rather than started with configs that do not match it.
 */
export function differencesFromConfigs(t: Topology, base: Topology = defaultTopology): string[] {
  const diffs: string[] = [];
  for (const key of ['subnet', 'hostAddress', 'vip'] as const)
    if (t[key] !== base[key]) diffs.push(`${key} ${t[key]} (configs: ${base[key]})`);
  for (const key of Object.keys(base.ports) as Array<keyof Topology['ports']>) {
    if (t.ports[key] !== base.ports[key]) diffs.push(`ports.${key} ${t.ports[key]} (configs: ${base.ports[key]})`);
  }
  const fmt = (n: NodeSpec) => `${n.name} ${n.role} ${n.address}${n.priority !== undefined ? ` priority ${n.priority}` : ''}`;
  const want = base.nodes.map(fmt).join(', ');
  const got = t.nodes.map(fmt).join(', ');
  if (want !== got) diffs.push(`nodes ${got} (configs: ${want})`);
  return diffs;
}

export function parseTopologyText(text: string, fileName: string): unknown {
  try {
    return /\.json$/i.test(fileName) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new HakitError(
      `${fileName}: not valid ${/\.json$/i.test(fileName) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
      ExitCode.usage,
    );
  }
}

/** Reads, checks and returns the file's topology; a HakitError (exit 2) lists every problem. */
export function loadTopologyFile(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HakitError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, ExitCode.usage);
  }
  const { topology, errors } = topologyFromData(parseTopologyText(text, path));
  if (!topology) {
    throw new HakitError(
      `${path}: ${errors.length} problem${errors.length > 1 ? 's' : ''}, nothing was started:\n${errors.map((e) => `  ✗ ${e}`).join('\n')}`,
      ExitCode.usage,
    );
  }
  const diffs = differencesFromConfigs(topology);
  if (diffs.length) {
    throw new HakitError(
      `${path}: valid, but it differs from the address plan haproxy.cfg and keepalived.conf carry; nothing was started:\n${diffs.map((e) => `  ✗ ${e}`).join('\n')}`,
      ExitCode.usage,
      'edit the configs and scripts/stack/topology.ts together (a config test checks they agree), or use the default plan',
    );
  }
  return topology;
}
