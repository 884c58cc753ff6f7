// `hakit images`: the docker runtime's images, built here.
import { buildImages } from '../../host/images.js';
import { createProgress } from '../../progress.js';

export async function images(opts: { offline?: boolean; rebuildBase?: boolean }): Promise<void> {
  const started = performance.now();
  await buildImages(createProgress(), { offline: Boolean(opts.offline), rebuildBase: opts.rebuildBase });
  console.log(`images built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
