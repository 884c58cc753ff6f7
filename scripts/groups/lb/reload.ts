// A load balancer reloads in place (`hakit reload`, `creds --rotate`): HAProxy's master starts a new
// worker on the config it re-reads, which takes the listening sockets over from the old worker
// (expose-fd listeners), and keepalived re-reads its config on SIGHUP, keeping its VRRP state. Both
// written over the Runtime seam (the master CLI and exec), so every runtime reloads the same way.
// docs/architecture.md#reload.
import { ExitCode, HakitError } from '../../errors.js';
import { parseShowStat } from '../../observe/haproxy-stats.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { NodeReload } from '../group.js';
import { NODE_RUN } from '../../runtime/common.js';
import { waitFor } from '../../sh.js';
import { lbState } from './status.js';

/** HAProxy's master as `show proc` on its CLI describes it. */
export interface MasterProcs {
  master: number;
  /** Reloads asked for since start, and how many of them the master refused (a bad config). */
  reloads: number;
  failed: number;
  /** The worker that serves; old workers finishing their connections after a reload. */
  workers: number[];
  oldWorkers: number[];
}

/** Parses HAProxy 2.6's `show proc` (master CLI). */
export function parseShowProc(text: string): MasterProcs {
  let section: 'master' | 'workers' | 'old' | 'other' = 'master';
  const out: MasterProcs = { master: 0, reloads: 0, failed: 0, workers: [], oldWorkers: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      if (line.startsWith('#<PID>')) continue;
      section = line === '# workers' ? 'workers' : line === '# old workers' ? 'old' : 'other';
      continue;
    }
    const m = /^(\d+)\s+(\w+)\s+(\d+)(?:\s+\[failed: (\d+)\])?/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    if (section === 'master' && m[2] === 'master') Object.assign(out, { master: pid, reloads: Number(m[3]), failed: Number(m[4] ?? 0) });
    else if (section === 'workers') out.workers.push(pid);
    else if (section === 'old') out.oldWorkers.push(pid);
  }
  if (!out.master) throw new Error(`not a \`show proc\` answer: ${text.slice(0, 80)}`);
  return out;
}

export interface LbReload extends NodeReload {
  /** The worker before and after: a new PID serves. */
  oldWorker: number;
  newWorker: number;
}

const showProc = async (rt: Runtime, node: string) => parseShowProc(await rt.runtimeApi(node, 'show proc', 'master'));

/** be_web's servers that are UP, as the worker behind the runtime API sees them. */
async function serversUp(rt: Runtime, node: string): Promise<number> {
  const rows = parseShowStat(await rt.runtimeApi(node, 'show stat'));
  return rows.filter((r) => r.proxy === 'be_web' && r.server !== 'BACKEND' && r.status.startsWith('UP')).length;
}

/** The PID of the worker that answers the runtime API. */
async function apiPid(rt: Runtime, node: string): Promise<number> {
  return Number(/^Pid: (\d+)$/m.exec(await rt.runtimeApi(node, 'show info'))?.[1]);
}

/**
 * Reloads HAProxy, then keepalived, on one running LB, and returns once the new worker serves
 * (it holds the runtime API and sees as many servers UP as the old one did) and keepalived is in
 * a serving state again. A config the master refuses leaves the old worker serving: an error.
 */
export async function reloadLb(rt: Runtime, node: string, timeoutMs = 10_000): Promise<LbReload> {
  const start = performance.now();
  // A node that has just started may not have its master CLI yet.
  const before = await waitFor(`HAProxy's master CLI on ${node}`, () => showProc(rt, node), timeoutMs);
  const oldWorker = before.workers[0] ?? 0;
  const upBefore = await serversUp(rt, node);
  await rt.runtimeApi(node, 'reload', 'master');
  // The master re-executes itself: its CLI is briefly away, so failures to ask are retried.
  const after = await waitFor(
    `HAProxy's master on ${node} to start a new worker`,
    async () => {
      const p = await showProc(rt, node);
      return p.reloads > before.reloads && (p.failed > before.failed || (p.workers[0] && p.workers[0] !== oldWorker)) ? p : undefined;
    },
    timeoutMs,
  );
  if (after.failed > before.failed)
    throw new HakitError(
      `HAProxy on ${node} refused the new config; its old worker serves on`,
      ExitCode.failure,
      `see \`hakit logs ${node}\`; fix the config and run hakit reload again`,
    );
  const newWorker = after.workers[0]!;
  await waitFor(
    `the new HAProxy worker on ${node} to serve`,
    async () => ((await apiPid(rt, node)) === newWorker && (await serversUp(rt, node)) >= upBefore ? true : undefined),
    timeoutMs,
  );
  // keepalived only when its config changed: a SIGHUP pauses its adverts for longer than the
  // backup's master-down interval at advert_int 0.02 (~70 ms), so the VIP would move.
  // The file keepalived was started from: under LB_CONFIG_ROOT where the node sets it (Swarm).
  const digest = (await rt.exec(node, ['sh', '-c', 'md5sum < "${LB_CONFIG_ROOT:-/etc}/keepalived/keepalived.conf"'])).stdout;
  const keepalivedChanged = digest.trim() === '' || digest !== (await rt.readRunFile(node, 'keepalived.digest'));
  if (keepalivedChanged) {
    const hup = await rt.exec(node, ['sh', '-c', `kill -HUP "$(cat ${NODE_RUN}/keepalived.pid)"`]);
    if (hup.exitCode !== 0)
      throw new HakitError(
        `could not reload keepalived on ${node}: ${hup.stderr.trim() || `exit ${hup.exitCode}`}`,
        ExitCode.failure,
        'see `hakit status`',
      );
    await rt.writeRunFile(node, 'keepalived.digest', digest);
    await waitFor(
      `keepalived on ${node} to be MASTER or BACKUP after its reload`,
      async () => (['MASTER', 'BACKUP'].includes(await lbState(rt, node, true)) ? true : undefined),
      timeoutMs,
    );
  }
  return {
    node,
    oldWorker,
    newWorker,
    ms: Math.round(performance.now() - start),
    detail: `HAProxy worker ${oldWorker} -> ${newWorker}, keepalived ${keepalivedChanged ? 'reloaded' : 'unchanged (not signalled)'}`,
  };
}
