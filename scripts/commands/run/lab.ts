// `hakit lab up|status|down`: the Swarm lab on this machine.
import { hakitCommand } from '../../host/hakit-command.js';
import { createProgress } from '../../progress.js';
import * as lab from '../../swarm/lab.js';

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
