// An LB's state: MASTER when the VIP sits on one of its interfaces, else what keepalived's notify
// log said last (BACKUP), FAULT while keepalived has not decided, DOWN when the node is not running.
import type { Runtime } from '../../runtime/runtime.js';
import { parseTransitions } from '../../observe/transitions.js';

export type LbState = 'MASTER' | 'BACKUP' | 'FAULT' | 'DOWN';

export async function holdsVip(rt: Runtime, lb: string): Promise<boolean> {
  const cheap = await rt.hasLocalAddress?.(lb, rt.topology.vip);
  if (cheap !== undefined) return cheap;
  // Any interface: on Swarm the VIP sits on the plan's LAN interface, not always eth0.
  const r = await rt.exec(lb, ['ip', '-o', '-4', 'addr', 'show']);
  return r.exitCode === 0 && r.stdout.includes(` ${rt.topology.vip}/`);
}

export async function lbState(rt: Runtime, lb: string, running: boolean): Promise<LbState> {
  if (!running) return 'DOWN';
  if (await holdsVip(rt, lb)) return 'MASTER';
  // No transition yet means keepalived has not decided: not ready to take the VIP, so FAULT.
  const last = parseTransitions(await rt.readRunFile(lb, 'transitions.log')).at(-1);
  return last?.state === 'BACKUP' ? 'BACKUP' : 'FAULT';
}
