// `hakit reload [--check] [--from DIR] [--json]`: a changed config, checked, then loaded by each LB
// in turn without a lost request (scripts/stack/reload.ts).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createProgress } from '../../progress.js';
import { reloadStack, type ReloadReport } from '../../stack/reload.js';
import { upRuntime } from '../common.js';

export function formatReload(r: ReloadReport): string {
  if (r.checkOnly) return `config in ${r.from}: valid for ${r.checked.join(', ')} (nothing reloaded)`;
  const lines = r.reloaded.map((n) => `${n.node}: reloaded in ${n.ms} ms (${n.detail})`);
  for (const n of r.notRunning) lines.push(`${n}: not running; it starts with the new config`);
  const moved = r.vipBefore.join(',') !== r.vipAfter.join(',');
  lines.push(
    `VIP: ${r.vipAfter.join(', ') || 'nobody'}${moved ? ` (moved: was ${r.vipBefore.join(', ') || 'nobody'})` : ' (did not move)'}`,
  );
  return lines.join('\n');
}

export async function reload(opts: { check?: boolean; from?: string; json?: boolean }, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const report = await reloadStack(rt, {
    checkOnly: opts.check,
    from: opts.from ? resolve(opts.from) : undefined,
    progress: createProgress(),
  });
  console.log(opts.json ? JSON.stringify(report, null, 2) : formatReload(report));
}
