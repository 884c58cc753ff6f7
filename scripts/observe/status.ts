// The state of the whole stack, read the same way from any runtime: LB state from VIP ownership
// and keepalived's notify log, backend state from HAProxy's runtime API.
import { backendState, parseShowStat, type BackendState, type ServerStat } from './haproxy-stats.js';
import type { Runtime } from '../runtime/runtime.js';
import { urls, type NodeSpec, type Role } from '../stack/topology.js';
import { parseTransitions } from './transitions.js';

export type LbState = 'MASTER' | 'BACKUP' | 'FAULT' | 'DOWN';

export interface NodeStatus {
  name: string;
  role: Role;
  state: LbState | BackendState;
  address: string;
}

export interface StackStatus {
  runtime: string;
  vip: string;
  url: string;
  statsUrl: string;
  nodes: NodeStatus[];
}

export async function holdsVip(rt: Runtime, lb: string): Promise<boolean> {
  // Any interface: on Swarm the VIP sits on the plan's LAN interface, not always eth0.
  const r = await rt.exec(lb, ['ip', '-o', '-4', 'addr', 'show']);
  return r.exitCode === 0 && r.stdout.includes(` ${rt.topology.vip}/`);
}

async function lbState(rt: Runtime, spec: NodeSpec, running: boolean): Promise<LbState> {
  if (!running) return 'DOWN';
  if (await holdsVip(rt, spec.name)) return 'MASTER';
  // No transition yet means keepalived has not decided: not ready to take the VIP, so FAULT.
  const last = parseTransitions(await rt.readRunFile(spec.name, 'transitions.log')).at(-1);
  return last?.state === 'BACKUP' ? 'BACKUP' : 'FAULT';
}

/** HAProxy's view of the backends, from the first load balancer that answers. */
export async function backendView(rt: Runtime, lbNames: string[]): Promise<Map<string, BackendState> | undefined> {
  for (const lb of lbNames) {
    try {
      const rows = parseShowStat(await rt.runtimeApi(lb, 'show stat')).filter((r) => r.proxy === 'be_web' && r.server !== 'BACKEND');
      const addresses = await rt.backendAddresses?.();
      if (addresses) return new Map([...addresses].map(([node, addr]) => [node, backendStateAt(rows, addr)]));
      return new Map(rows.map((r) => [r.server, backendState(r)]));
    } catch {
      // that HAProxy is down: ask the next one
    }
  }
  return undefined;
}

/** The state of whichever server HAProxy has at that address (DOWN when none has it yet). */
function backendStateAt(rows: ServerStat[], addr: string): BackendState {
  const row = rows.find((r) => r.addr === addr);
  return row ? backendState(row) : 'DOWN';
}

export async function getStatus(rt: Runtime): Promise<StackStatus> {
  const infos = await rt.nodes();
  const runningLbs = infos.filter((i) => i.spec.role === 'lb' && i.running).map((i) => i.spec.name);
  const [view, lbStates] = await Promise.all([
    backendView(rt, runningLbs),
    Promise.all(infos.map(async (i) => (i.spec.role === 'lb' ? lbState(rt, i.spec, i.running) : undefined))),
  ]);
  const nodes = infos.map((i, k): NodeStatus => {
    const state = lbStates[k] ?? (i.running ? (view?.get(i.spec.name) ?? 'DOWN') : 'DOWN');
    return { name: i.spec.name, role: i.spec.role, state, address: i.address ?? i.spec.address };
  });
  const u = urls(rt.topology);
  return { runtime: rt.name, vip: rt.topology.vip, url: u.vip, statsUrl: u.stats, nodes };
}

export const masters = (s: StackStatus) => s.nodes.filter((n) => n.role === 'lb' && n.state === 'MASTER').map((n) => n.name);

/** Ready to serve: exactly one MASTER and every backend UP in HAProxy. */
export function isHealthy(s: StackStatus): boolean {
  return masters(s).length === 1 && s.nodes.filter((n) => n.role === 'backend').every((n) => n.state === 'UP');
}
