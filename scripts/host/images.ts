// `hakit images [--offline]`: builds hakit/lb and hakit/backend through compose.yaml's build
// sections. Where no image registry is reachable (--offline), the base images come from Debian
// packages instead: debootstrap + `docker import`, made once and reused.
//
// The node base is debootstrap's minbase plus this machine's own node and npm: Debian bookworm's
// nodejs is 18 and the kit needs 20; the host's node is the version the kit is built and tested
// with, links only against glibc and libstdc++ (both in minbase), and needs no other source.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { Progress } from '../progress.js';
import { commandExists, sh } from '../sh.js';
import { compose, dockerClient, engineAnswers, imageExists, images, type ComposeEnv } from '../runtime/docker-engine.js';
import { composeEnv } from '../runtime/docker.js';
import { defaultTopology } from '../stack/topology.js';

const SUITE = 'bookworm';
const mirror = () => process.env.HAKIT_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
/** debootstrap's downloaded packages, kept between runs: a second base costs no download. */
const DEB_CACHE = '/var/cache/hakit/debootstrap';
/**
 * What a Dockerfile would otherwise install with apt (it installs only what is missing), read
 * from its `ARG PACKAGES="..."` line: one list, kept in the Dockerfile.
 */
export function dockerfilePackages(name: string, dockerfile = readFileSync(join(packageRoot, 'docker', name), 'utf8')): string[] {
  const m = /^ARG PACKAGES="([^"]+)"/m.exec(dockerfile);
  if (!m) throw new HakitError(`docker/${name} has no ARG PACKAGES="..." line`);
  return m[1]!.trim().split(/\s+/);
}
const LB_PACKAGES = dockerfilePackages('lb.Dockerfile');
const REDIS_PACKAGES = dockerfilePackages('redis.Dockerfile');
// The tag names the package list: adding a package makes a new base instead of reusing a stale one.
const listTag = (pkgs: string[]) => createHash('sha256').update(pkgs.join(' ')).digest('hex').slice(0, 8);

/**
 * A Swarm lab node (scripts/swarm/lab.ts): a Debian with its own Docker engine. Debian's docker.io
 * is the only engine this machine can install; the lab runs it, not the host's.
 */
const LAB_NODE_PACKAGES = ['docker.io', 'iptables', 'iproute2', 'procps', 'ca-certificates', 'tini'];

export const offlineBases = {
  lb: `hakit-base/debian:${SUITE}-lb-${listTag(LB_PACKAGES)}`,
  redis: `hakit-base/debian:${SUITE}-redis-${listTag(REDIS_PACKAGES)}`,
  node: `hakit-base/node:${process.versions.node}-${SUITE}`,
  labNode: `hakit-base/debian:${SUITE}-labnode-${listTag(LAB_NODE_PACKAGES)}`,
} as const;

/** The lab node image, made once from Debian packages (no registry needed anywhere). */
export async function ensureLabNodeImage(progress: Progress, rebuildBase = false): Promise<string> {
  await ensureOfflineBase(
    progress,
    offlineBases.labNode,
    { offline: true, rebuildBase },
    (rootfs) => debootstrap(rootfs, LAB_NODE_PACKAGES),
    ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  );
  return offlineBases.labNode;
}

export interface ImagesOptions {
  offline: boolean;
  /** Make the offline base images again even when they exist. */
  rebuildBase?: boolean;
}

export async function buildImages(progress: Progress, opts: ImagesOptions): Promise<void> {
  if (!(await engineAnswers())) throw new HakitError('no Docker engine answers', ExitCode.preflight, 'sudo hakit setup --docker');
  // No credentials at build time: compose still wants every value it interpolates.
  const env: ComposeEnv = composeEnv(defaultTopology, undefined);
  if (opts.offline) {
    await ensureOfflineBase(progress, offlineBases.lb, opts, (rootfs) => debootstrap(rootfs, LB_PACKAGES), []);
    await ensureOfflineBase(progress, offlineBases.redis, opts, (rootfs) => debootstrap(rootfs, REDIS_PACKAGES), []);
    await ensureOfflineBase(
      progress,
      offlineBases.node,
      opts,
      async (rootfs) => {
        await debootstrap(rootfs, []);
        addHostNode(rootfs);
      },
      [
        'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin',
        // npm in the build trusts what this machine trusts (the host's CA bundle is copied in).
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      ],
    );
    env.BASE_IMAGE = offlineBases.lb;
    env.REDIS_BASE_IMAGE = offlineBases.redis;
    env.NODE_IMAGE = offlineBases.node;
  }
  await progress.step(`Build ${Object.values(images).join(', ')}${opts.offline ? ' on the offline bases' : ''}`, () =>
    compose(['build'], env),
  );
}

async function ensureOfflineBase(
  progress: Progress,
  name: string,
  opts: ImagesOptions,
  fill: (rootfs: string) => Promise<void>,
  changes: string[],
): Promise<void> {
  if (!opts.rebuildBase && (await imageExists(dockerClient(), name))) {
    progress.info(`✓ ${name} exists (--rebuild-base makes it again)`);
    return;
  }
  if (!(await commandExists('debootstrap')))
    throw new HakitError('debootstrap is not installed', ExitCode.preflight, 'sudo hakit setup --docker');
  const work = mkdtempSync('/var/tmp/hakit-rootfs-');
  try {
    const rootfs = join(work, 'rootfs');
    await progress.step(`debootstrap ${SUITE} for ${name}`, () => fill(rootfs));
    // Package lists and downloaded .debs are no use in an image.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      rmSync(join(rootfs, dir), { recursive: true, force: true });
      mkdirSync(join(rootfs, dir, 'partial'), { recursive: true });
    }
    const flags = [...changes, 'CMD ["bash"]'].flatMap((c) => ['--change', c]);
    // Through a file, not a pipe: a failed tar would otherwise still leave an (empty) image that
    // the next run takes for a finished base.
    const tarball = join(work, 'rootfs.tar');
    await progress.step(`docker import ${name}`, async () => {
      await sh`tar --numeric-owner -C ${rootfs} -cf ${tarball} .`;
      await sh`docker import ${flags} ${tarball} ${name}`;
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function debootstrap(rootfs: string, include: string[]): Promise<void> {
  mkdirSync(DEB_CACHE, { recursive: true });
  const extra = include.length ? [`--include=${include.join(',')}`] : [];
  await sh`debootstrap --variant=minbase --cache-dir=${DEB_CACHE} ${extra} ${SUITE} ${rootfs} ${mirror()}`;
}

/** This machine's node and npm (and CA bundle), at the paths of the official node image. */
function addHostNode(rootfs: string): void {
  const bin = join(rootfs, 'usr/local/bin');
  mkdirSync(bin, { recursive: true });
  cpSync(realpathSync(process.execPath), join(bin, 'node'));
  const npm = findNpm();
  cpSync(npm, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, dereference: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx'));
  const ca = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(ca)) {
    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    cpSync(ca, join(rootfs, ca.slice(1)));
  }
}

function findNpm(): string {
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  for (const dir of [join(prefix, 'lib/node_modules/npm'), '/usr/lib/node_modules/npm', '/usr/share/nodejs/npm']) {
    if (existsSync(join(dir, 'bin/npm-cli.js'))) return dir;
  }
  throw new HakitError('npm was not found next to this node', ExitCode.preflight, 'install npm');
}
