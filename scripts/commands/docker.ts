// Commands of the docker runtime that have no netns counterpart: building the images.
import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function registerDockerCommands(program: Command): void {
  program
    .command('images')
    .description('build the hakit/lb, hakit/backend and hakit/redis images for the docker runtime')
    .option('--offline', "no image registry: make the base images from Debian packages (debootstrap) and this machine's node")
    .option('--rebuild-base', 'with --offline: make the base images again even when they exist')
    .action(lazyAction(async () => (await import('./run/images.js')).images));
}
