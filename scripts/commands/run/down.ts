// `hakit down`: everything the kit created, gone — but the data nodes' data, as compose keeps
// named volumes, unless --volumes.
import type { Command } from 'commander';
import { createProgress } from '../../progress.js';
import { runtimeOf } from '../common.js';

export async function down(opts: { volumes?: boolean }, cmd: Command): Promise<void> {
  // Every opt-in node too, whatever the record says: down leaves nothing of any feature behind.
  const rt = await runtimeOf(cmd, { every: true });
  const volumes = opts.volumes ?? false;
  if (!(await rt.isUp()) && (!volumes || (await rt.keptData()).length === 0)) {
    console.log('nothing to tear down');
    return;
  }
  await rt.down(createProgress(), { volumes });
  const kept = await rt.keptData();
  console.log(
    kept.length ? `hakit is down; kept: ${kept.join(', ')} (hakit down --volumes removes it)` : 'hakit is down: nothing left behind',
  );
}
