// `hakit down`: everything the kit created, gone — but the data nodes' data, as compose keeps
// named volumes, unless --volumes.
import type { Command } from 'commander';
import { createProgress } from '../../progress.js';
import { runtimeOf } from '../common.js';

export async function down(opts: { volumes?: boolean }, cmd: Command): Promise<void> {
  const rt = await runtimeOf(cmd);
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
