// Every Swarm node needs the kit's images. With a registry in the plan the images are pushed and
// the nodes pull them; without one (like this machine) the kit copies them to each node's engine,
// `docker save | docker load` through the Docker API, and only where the node lacks that exact
// image (same ID).
import type Docker from 'dockerode';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ExitCode, HakitError } from '../errors.js';
import type { Progress } from '../progress.js';
import { shMaybe } from '../sh.js';
import { dockerClient, images } from '../runtime/docker-engine.js';
import { listSwarmNodes } from './nodes.js';
import type { SwarmPlan } from './plan.js';

/** The images a node runs: LB nodes both, the others only backends. */
export function imagesFor(host: string, plan: SwarmPlan): string[] {
  const lbHosts = [plan.lbs.lb1.node, plan.lbs.lb2.node];
  return lbHosts.includes(host) ? [images.lb, images.backend] : [images.backend];
}

/** The image names the stack uses: the registry's when there is one. */
export const imageRef = (image: string, plan: SwarmPlan) => (plan.registry ? `${plan.registry.replace(/\/$/, '')}/${image}` : image);

async function imageId(engine: Docker, name: string): Promise<string | undefined> {
  try {
    return (await engine.getImage(name).inspect()).Id;
  } catch {
    return undefined;
  }
}

export async function copyImages(progress: Progress, plan: SwarmPlan, manager: Docker, engineOf: (host: string) => Docker): Promise<void> {
  const local = dockerClient();
  if (plan.registry) {
    await progress.step(`Push the images to ${plan.registry}`, async () => {
      for (const image of Object.values(images)) {
        const ref = imageRef(image, plan);
        for (const cmd of [
          ['tag', image, ref],
          ['push', ref],
        ]) {
          const r = await shMaybe`docker ${cmd}`;
          if (r.exitCode !== 0) throw new HakitError(`docker ${cmd.join(' ')} failed: ${r.stderr.trim()}`);
        }
      }
    });
    return;
  }
  const hosts = (await listSwarmNodes(manager)).map((n) => n.Description.Hostname);
  const wanted = new Map<string, string>();
  for (const image of Object.values(images)) {
    const id = await imageId(local, image);
    if (!id) throw new HakitError(`image ${image} is not built here`, ExitCode.preflight, 'hakit images --offline');
    wanted.set(image, id);
  }
  const todo: Array<{ host: string; image: string }> = [];
  for (const host of hosts) {
    if (!plan.engines?.[host]) {
      progress.info(
        `! node ${host}: the plan names no engine for it, so the kit cannot copy the images there (docker load them, or use a registry)`,
      );
      continue;
    }
    for (const image of imagesFor(host, plan)) if ((await imageId(engineOf(host), image)) !== wanted.get(image)) todo.push({ host, image });
  }
  if (!todo.length) {
    progress.info('✓ every node has the images');
    return;
  }
  progress.info(`No registry in the plan: copying the images to the nodes (${todo.map((t) => `${t.image} → ${t.host}`).join(', ')})`);
  const dir = mkdtempSync('/var/tmp/hakit-images-');
  try {
    const tars = new Map<string, string>();
    await progress.step('docker save', async () => {
      for (const image of new Set(todo.map((t) => t.image))) {
        const file = join(dir, `${image.replace(/\W/g, '_')}.tar`);
        await pipeline((await local.getImage(image).get()) as NodeJS.ReadableStream, createWriteStream(file));
        tars.set(image, file);
      }
    });
    await progress.step('docker load on each node', () =>
      Promise.all(
        todo.map(async ({ host, image }) => {
          const engine = engineOf(host);
          const res = await engine.loadImage(createReadStream(tars.get(image)!), { quiet: true });
          await new Promise<void>((resolve, reject) => engine.modem.followProgress(res, (err) => (err ? reject(err) : resolve())));
        }),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
