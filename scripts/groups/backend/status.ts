// A backend's state is what HAProxy says of it (UP, DOWN, MAINT, …), asked of the first LB that
// answers; a backend whose process is not running is DOWN whatever HAProxy still believes.
import { backendState, parseShowStat, type BackendState, type ServerStat } from '../../observe/haproxy-stats.js';
import type { NodeInfo, Runtime } from '../../runtime/runtime.js';
import { lbs } from '../../stack/topology.js';

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

export async function backendStates(rt: Runtime, mine: NodeInfo[], all: NodeInfo[]): Promise<Map<string, BackendState>> {
  const lbNames = new Set(lbs(rt.topology).map((n) => n.name));
  const view = await backendView(
    rt,
    all.filter((i) => lbNames.has(i.spec.name) && i.running).map((i) => i.spec.name),
  );
  return new Map(mine.map((n) => [n.spec.name, n.running ? (view?.get(n.spec.name) ?? 'DOWN') : 'DOWN']));
}
