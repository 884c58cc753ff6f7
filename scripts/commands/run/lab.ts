// `hakit lab up|status|overlap|down`: the Swarm lab on this machine.
import { formatSummary, summarize } from '../../bench/summary.js';
import { ExitCode, HakitError } from '../../errors.js';
import { hakitCommand } from '../../host/hakit-command.js';
import { createProgress } from '../../progress.js';
import { SwarmRuntime } from '../../runtime/swarm.js';
import * as lab from '../../swarm/lab.js';
import { labPlanFile, loadPlan } from '../../swarm/plan.js';
import { labInterfaceProbe, measureKill, type KillRun } from '../../swarm/vip-overlap.js';

export async function labUp(opts: { rebuildBase?: boolean }): Promise<void> {
  const started = performance.now();
  await lab.labUp(createProgress(), opts);
  console.log(`lab up in ${((performance.now() - started) / 1000).toFixed(1)} s — next: ${hakitCommand()} --runtime swarm up`);
}

export async function labStatus(opts: { json?: boolean }): Promise<void> {
  const s = await lab.labStatus();
  if (opts.json) return void console.log(JSON.stringify(s, null, 2));
  if (!s.up) return void console.log(`no lab (${hakitCommand()} lab up makes one)`);
  for (const n of s.nodes)
    console.log(`${n.name.padEnd(8)} ${n.address.padEnd(12)} ${n.running ? 'running' : 'stopped'}  ${n.swarm ?? ''}`);
}

export async function labDown(): Promise<void> {
  await lab.labDown(createProgress());
}

/** `hakit lab overlap`: how long two lab nodes held the VIP after a hard kill of the MASTER. */
export async function labOverlap(opts: { runs: number; window: number; json?: boolean }): Promise<void> {
  const rt = new SwarmRuntime(loadPlan(labPlanFile));
  if (!(await rt.isUp())) throw new HakitError('no hakit stack is up on the lab', ExitCode.notUp, `${hakitCommand()} --runtime swarm up`);
  const probe = await labInterfaceProbe(['lb1', 'lb2'], rt.plan.vip, rt.plan.interface);
  const runs: KillRun[] = [];
  for (let i = 1; i <= opts.runs; i++) {
    const r = await measureKill(rt, probe, opts.window * 1000);
    runs.push(r);
    if (!opts.json)
      console.log(
        `run ${i}: ${r.killed} killed; two nodes held ${rt.plan.vip} for ${r.overlapMs} ms; ` +
          `${r.killed} dropped it after ${r.killedDroppedMs ?? `> ${opts.window * 1000}`} ms, the peer took it after ${r.takenOverMs ?? '–'} ms ` +
          `(a sample every ${r.sampleEveryMs} ms)`,
      );
  }
  const overlap = summarize(
    runs.map((r) => r.overlapMs),
    0,
  );
  if (opts.json)
    return void console.log(JSON.stringify({ vip: rt.plan.vip, windowMs: opts.window * 1000, runs, overlapMs: overlap }, null, 2));
  console.log(`two holders after a kill (min / median / max over ${runs.length}): ${formatSummary(overlap, ' ms')}`);
}
