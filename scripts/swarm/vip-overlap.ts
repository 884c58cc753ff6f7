// How long two Swarm lab nodes held the VIP after an LB kill (docs/architecture.md#a-dead-keepalived-leaves-no-vip).
// The kit's own status cannot say: it asks keepalived's container, which a kill removes, while the
// VIP it added stays on the node's interface. So this looks at each lab node's interface from
// this host (the node is a container here: nsenter into its network namespace, a few ms), every
// ~50 ms, for a bounded time.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ExitCode, HakitError } from '../errors.js';
import { splitBrainSpans, type VipSample } from '../observe/analysis.js';
import { getStatus, masters } from '../observe/status.js';
import type { SwarmRuntime } from '../runtime/swarm.js';
import { sleep, waitFor } from '../sh.js';
import { dockerClient } from '../runtime/docker-engine.js';
import { containerName } from './lab.js';

/** Which of the given lab nodes carry `vip` on `iface` right now. */
export type HolderProbe = () => Promise<string[]>;

/** A probe of the lab nodes' interfaces (PIDs looked up once: a node container lives through an LB kill). */
export async function labInterfaceProbe(nodes: string[], vip: string, iface: string): Promise<HolderProbe> {
  const host = dockerClient();
  const pids = await Promise.all(
    nodes.map(async (n) => {
      const info = await host.getContainer(containerName(n)).inspect();
      const pid = info.State.Running ? info.State.Pid : 0;
      // The PID must be the lab node's, not a recycled one: its cgroup names the container.
      if (!pid || !readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(info.Id))
        throw new HakitError(`lab node ${n} is not running on this host`, ExitCode.preflight, 'hakit lab status');
      return pid;
    }),
  );
  return async () => {
    const held = await Promise.all(pids.map(async (pid) => (await interfaceText(pid, iface)).includes(` ${vip}/`)));
    return nodes.filter((_, i) => held[i]);
  };
}

/** The interface's addresses in a process's network namespace: nsenter + ip, no shell between (a busy machine forks slowly). */
const interfaceText = (pid: number, iface: string) =>
  new Promise<string>((resolve) =>
    execFile('nsenter', ['-t', String(pid), '-n', 'ip', '-4', '-o', 'addr', 'show', 'dev', iface], { timeout: 2000 }, (_err, stdout) =>
      resolve(stdout ?? ''),
    ),
  );

/** Samples `probe` every `everyMs` until `signal` aborts or `maxMs` has passed. */
export async function sampleHolders(
  probe: HolderProbe,
  opts: { everyMs: number; maxMs: number; signal?: AbortSignal },
): Promise<VipSample[]> {
  const out: VipSample[] = [];
  const end = Date.now() + opts.maxMs;
  while (!opts.signal?.aborted && Date.now() < end) {
    const started = Date.now();
    const holders = await probe();
    out.push({ atMs: Date.now(), holders });
    await sleep(Math.max(0, opts.everyMs - (Date.now() - started)));
  }
  return out;
}

export interface KillOverlap {
  /** Time after the kill during which two or more nodes held the VIP, ms (to the sample resolution). */
  overlapMs: number;
  /** Kill to the first sample without the VIP on the killed node, ms; null if it kept it to the end. */
  killedDroppedMs: number | null;
  /** Kill to the first sample with the VIP on another node, ms; null if none took it. */
  takenOverMs: number | null;
  /** Median spacing of the samples, ms: the resolution of the figures above. */
  sampleEveryMs: number;
}

/** What the samples say about a kill of `killed` at `killAtMs` (samples before it are ignored). */
export function killOverlap(samples: VipSample[], killed: string, killAtMs: number): KillOverlap {
  const after = samples.filter((s) => s.atMs >= killAtMs).sort((a, b) => a.atMs - b.atMs);
  const endMs = after.at(-1)?.atMs ?? killAtMs;
  const overlapMs = splitBrainSpans(after, { startMs: killAtMs, endMs }).reduce((sum, s) => sum + s.toMs - s.fromMs, 0);
  const first = (pick: (s: VipSample) => boolean) => {
    const s = after.find(pick);
    return s ? Math.round(s.atMs - killAtMs) : null;
  };
  const gaps = after
    .slice(1)
    .map((s, i) => s.atMs - after[i]!.atMs)
    .sort((a, b) => a - b);
  return {
    overlapMs: Math.round(overlapMs),
    killedDroppedMs: first((s) => !s.holders.includes(killed)),
    takenOverMs: first((s) => s.holders.some((h) => h !== killed)),
    sampleEveryMs: gaps.length ? Math.round(gaps[Math.floor(gaps.length / 2)]!) : 0,
  };
}

export interface KillRun extends KillOverlap {
  killed: string;
}

/**
 * One kill of the MASTER LB (`kill --mode hard`: its keepalived and HAProxy tasks SIGKILLed),
 * watched for `windowMs` on every LB node's interface, then the node brought back as BACKUP.
 */
export async function measureKill(rt: SwarmRuntime, probe: HolderProbe, windowMs: number): Promise<KillRun> {
  const [killed, ...others] = masters(await getStatus(rt));
  if (!killed || others.length)
    throw new HakitError(`the lab's VIP is not held by exactly one LB (MASTER: ${[killed, ...others].join(', ') || 'none'})`);
  const leadMs = 200; // a few samples before the kill: the baseline
  const sampling = sampleHolders(probe, { everyMs: 50, maxMs: leadMs + windowMs });
  await sleep(leadMs);
  const killAtMs = Date.now();
  await rt.stop(killed, 'hard');
  const result = { killed, ...killOverlap(await sampling, killed, killAtMs) };
  await rt.restore(killed, { user: '', password: '' });
  await waitFor(
    `${killed} to come back as BACKUP`,
    async () => ((await getStatus(rt)).nodes.find((n) => n.name === killed)?.state === 'BACKUP' ? true : undefined),
    60_000,
    250,
  );
  return result;
}
