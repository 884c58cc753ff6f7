// The VRRP flap check: with no fault at all, keep the machine's cores busy for a while and count
// the times a load balancer became MASTER. Each one is a needless failover (a flap): the backup
// missed adverts because keepalived did not get the CPU in time, or a check timed out.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Runtime } from '../runtime/runtime.js';
import { sleep } from '../sh.js';
import { dataNodes, lbs } from '../stack/topology.js';
import { watchFailovers } from '../groups/redis/failovers.js';
import { parseTransitions } from '../observe/transitions.js';

export interface FlapResult {
  seconds: number;
  hogs: number;
  /** MASTER transitions during the window, over every load balancer. */
  masterTransitions: number;
  /** Failovers the data nodes' Sentinels carried out in the window (none is expected: each is false). */
  sentinelFailovers?: number;
}

/** `count` busy loops that stop by themselves after `ms` (and are killed when we are done anyway). */
export function startHogs(count: number, ms: number): { pids: number[]; stop(): Promise<void> } {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const code = `const end = Date.now() + ${Math.round(ms)}; while (Date.now() < end) {}`;
    children.push(spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
  }
  return {
    pids: children.map((c) => c.pid).filter((p): p is number => p !== undefined),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((done) => {
              if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return done();
              c.once('exit', () => done());
              c.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

export async function masterTransitionsBetween(rt: Runtime, fromMs: number, toMs: number): Promise<number> {
  let n = 0;
  for (const lb of lbs(rt.topology)) {
    const t = parseTransitions(await rt.readRunFile(lb.name, 'transitions.log'));
    n += t.filter((x) => x.state === 'MASTER' && x.atMs >= fromMs && x.atMs <= toMs).length;
  }
  return n;
}

export async function flapCheck(rt: Runtime, seconds: number, hogs = 2): Promise<FlapResult> {
  const from = Date.now();
  const sentinels = dataNodes(rt.topology).length ? watchFailovers(rt) : undefined;
  const h = startHogs(hogs, seconds * 1000 + 500);
  try {
    await sleep(seconds * 1000);
  } finally {
    await h.stop();
  }
  // A transition caused by the load is written as it happens; give the notify script a moment.
  await sleep(300);
  const failovers = await sentinels?.stop();
  return {
    seconds,
    hogs,
    masterTransitions: await masterTransitionsBetween(rt, from, Date.now()),
    ...(failovers ? { sentinelFailovers: failovers.length } : {}),
  };
}
