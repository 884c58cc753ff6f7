// `hakit down`: everything the kit created, gone.
import type { Command } from 'commander';
import { createProgress } from '../../progress.js';
import { runtimeOf } from '../common.js';

export async function down(_opts: unknown, cmd: Command): Promise<void> {
  const rt = await runtimeOf(cmd);
  if (!(await rt.isUp())) {
    console.log('nothing to tear down');
    return;
  }
  await rt.down(createProgress());
  console.log('hakit is down: nothing left behind');
}
