// Commands of the docker runtime that have no netns counterpart: building the images.
import type { Command } from 'commander';
import { runMain } from '../errors.js';
import { buildImages } from '../host/images.js';
import { createProgress } from '../progress.js';

export function registerDockerCommands(program: Command): void {
  program
    .command('images')
    .description('build the hakit/lb and hakit/backend images for the docker runtime')
    .option('--offline', "no image registry: make the base images from Debian packages (debootstrap) and this machine's node")
    .option('--rebuild-base', 'with --offline: make the base images again even when they exist')
    .action((opts: { offline?: boolean; rebuildBase?: boolean }) =>
      runMain(async () => {
        const started = performance.now();
        await buildImages(createProgress(), { offline: Boolean(opts.offline), rebuildBase: opts.rebuildBase });
        console.log(`images built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
}
