// `hakit setup [--docker | --peers]`: what the runtime needs (or the bench's peers), then `hakit` on the PATH.
import { setupDocker } from '../../host/docker-setup.js';
import { setup as setupNetns, setupPeers } from '../../host/setup.js';
import { linkHakit } from '../../host/hakit-command.js';
import { createProgress } from '../../progress.js';

export async function setup(opts: { docker?: boolean; peers?: boolean }): Promise<void> {
  const progress = createProgress();
  await (opts.docker ? setupDocker(progress) : opts.peers ? setupPeers(progress) : setupNetns(progress));
  const link = linkHakit();
  progress.info(link.state === 'refused' ? `${link.line}\n  → ${link.fix}` : link.line);
}
