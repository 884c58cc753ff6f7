// `hakit up --config FILE`: a user-supplied topology (JSON or YAML). Every problem in the file is
// collected and reported at once (exit 2) before anything is started.
import { readFileSync } from 'node:fs';
import { YAML } from 'zx';
import { ExitCode, HakitError } from '../errors.js';
import { defaultTopology, validateTopology, type NodeSpec, type Topology } from './topology.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Builds a Topology from parsed data; missing optional parts (hostAddress, ports) take the defaults. */
export function topologyFromData(data: unknown): { topology: Topology; errors: string[] } {
  const errors: string[] = [];
  const d: Json = isObject(data) ? data : {};
  if (!isObject(data)) errors.push('the file must hold an object with subnet, vip and nodes');
  const str = (key: string, fallback?: string): string => {
    const v = d[key];
    if (typeof v === 'string') return v;
    if (v === undefined && fallback !== undefined) return fallback;
    errors.push(v === undefined ? `${key} is missing` : `${key} must be a string`);
    return '';
  };
  const subnet = str('subnet');
  const vip = str('vip');
  const hostAddress = str('hostAddress', defaultTopology.hostAddress);
  const ports = { ...defaultTopology.ports };
  if (d.ports !== undefined) {
    if (!isObject(d.ports)) errors.push('ports must be an object with http, stats, backend');
    else {
      for (const [key, value] of Object.entries(d.ports)) {
        if (!(key in ports)) errors.push(`ports.${key}: unknown (known: http, stats, backend)`);
        else ports[key as keyof typeof ports] = value as number; // range checked by validateTopology
      }
    }
  }
  const nodes: NodeSpec[] = [];
  if (!Array.isArray(d.nodes)) errors.push('nodes must be a list');
  else {
    d.nodes.forEach((n: unknown, i) => {
      if (!isObject(n)) return errors.push(`nodes[${i}] must be an object with name, role and address`);
      const label = typeof n.name === 'string' ? `node ${n.name}` : `nodes[${i}]`;
      if (typeof n.name !== 'string') errors.push(`${label}: name must be a string`);
      if (n.role !== 'lb' && n.role !== 'backend') errors.push(`${label}: role must be "lb" or "backend"`);
      if (typeof n.address !== 'string') errors.push(`${label}: address must be a string`);
      if (n.priority !== undefined && typeof n.priority !== 'number') errors.push(`${label}: priority must be a number`);
      for (const key of Object.keys(n)) {
        if (!['name', 'role', 'address', 'priority', 'serverId'].includes(key)) errors.push(`${label}: unknown field "${key}"`);
      }
      nodes.push({
        name: String(n.name ?? ''),
        role: n.role === 'lb' ? 'lb' : 'backend',
        address: String(n.address ?? ''),
        ...(n.priority !== undefined ? { priority: n.priority as number } : {}),
        ...(n.serverId !== undefined ? { serverId: String(n.serverId) } : {}),
      });
    });
  }
  for (const key of Object.keys(d)) {
    if (!['subnet', 'vip', 'hostAddress', 'ports', 'nodes'].includes(key)) errors.push(`unknown field "${key}"`);
  }
  const topology: Topology = { subnet, hostAddress, vip, ports, nodes };
  // Shape problems first, then every rule of the topology itself (VIP in the subnet, duplicates, …).
  if (subnet && vip) errors.push(...validateTopology(topology));
  return { topology, errors: [...new Set(errors)] };
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
  if (errors.length) {
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
