// `hakit lab up|down|status`: a Docker Swarm cluster on this one machine, for the Swarm tests and
// for users who want to try the Swarm runtime without hosts. Each node is a container running
// its own Docker engine (Debian's docker.io, on an image made offline: images.ts); a Docker
// bridge network plays the LAN, with this host on it as the client. The lab writes a Swarm plan
// (plan.ts) so `hakit --runtime swarm up` finds it like any cluster.
//
// Engine-in-container needs more than a node of the kit ever gets: every capability but
// SYS_RESOURCE (--privileged fails on these machines: the sandbox itself lacks SYS_RESOURCE),
// no seccomp/AppArmor profile, a writable /sys/fs/cgroup. That is the lab's cost, confined to the
// lab; the stack deployed on it keeps its own least privileges.
import type Docker from 'dockerode';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, HakitError } from '../errors.js';
import { ensureLabNodeImage } from '../host/images.js';
import type { Progress } from '../progress.js';
import { routesOverlapping } from '../stack/preflight.js';
import { waitFor } from '../sh.js';
import { dockerAt, dockerClient, engineAnswers, ignoreGone } from '../runtime/docker-engine.js';
import { labelLbNodes } from './nodes.js';
import { labPlanFile, savePlan, type SwarmPlan } from './plan.js';

export const LAB_LABEL = 'hakit.lab';
export const LAB_NETWORK = 'hakit-lab';
export const LAB_BRIDGE = 'hakit-lab0';
/** Its own range: a lab and a single-host stack (10.213.0.0/24) can exist side by side. */
export const LAB_SUBNET = '10.214.0.0/24';
export const LAB_HOST = '10.214.0.1';
export const LAB_VIP = '10.214.0.10';
/** Where each node's engine socket appears on this host. */
export const LAB_SOCKETS = '/run/hakit-lab';

export interface LabNode {
  name: string;
  address: string;
  manager: boolean;
}

/** At most 3 nodes: a manager (backends only) and the two load balancers. */
export const labNodes: LabNode[] = [
  { name: 'manager', address: '10.214.0.21', manager: true },
  { name: 'lb1', address: '10.214.0.11', manager: false },
  { name: 'lb2', address: '10.214.0.12', manager: false },
];

export const containerName = (node: string) => `hakit-lab-${node}`;
export const engineUrl = (node: string) => `unix://${join(LAB_SOCKETS, node, 'docker.sock')}`;
const volumeName = (node: string) => `hakit-lab-${node}-docker`;

/** Disk the lab needs: the node image once, then per node its engine's images and containers. */
export const LAB_DISK_GB = { overlay2: 3, vfs: 9 } as const;

export function labPlan(backends = 2): SwarmPlan {
  return {
    vip: LAB_VIP,
    prefix: 24,
    interface: 'eth0',
    lbs: { lb1: { node: 'lb1', address: '10.214.0.11' }, lb2: { node: 'lb2', address: '10.214.0.12' } },
    backends,
    manager: engineUrl('manager'),
    engines: Object.fromEntries(labNodes.map((n) => [n.name, engineUrl(n.name)])),
    clientAddress: LAB_HOST,
  };
}

const freeGb = (path: string) => {
  const s = statfsSync(path);
  return (s.bavail * s.bsize) / 1e9;
};

export async function labUp(progress: Progress, opts: { rebuildBase?: boolean } = {}): Promise<SwarmPlan> {
  const host = dockerClient();
  if (!(await engineAnswers()))
    throw new HakitError('no Docker engine answers on this host', ExitCode.preflight, 'sudo hakit setup --docker');
  if ((await labContainers(host)).length)
    throw new HakitError('a lab is already up', ExitCode.usage, '`hakit lab status`, or `hakit lab down` first');
  const taken = await routesOverlapping(LAB_SUBNET);
  if (taken.length) throw new HakitError(`address range ${LAB_SUBNET} is in use on this host: ${taken.join('; ')}`, ExitCode.preflight);
  const free = freeGb('/var/lib/docker');
  progress.info(
    `The lab needs about ${LAB_DISK_GB.overlay2} GB of disk (${LAB_DISK_GB.vfs} GB where nested overlay2 does not work and the nodes fall back to vfs); ${free.toFixed(0)} GB free under /var/lib/docker`,
  );
  if (free < LAB_DISK_GB.overlay2)
    throw new HakitError(
      `only ${free.toFixed(1)} GB free under /var/lib/docker`,
      ExitCode.preflight,
      `free at least ${LAB_DISK_GB.overlay2} GB`,
    );

  try {
    const image = await ensureLabNodeImage(progress, opts.rebuildBase);
    await progress.step(`LAN ${LAB_NETWORK} (${LAB_SUBNET}, this host ${LAB_HOST})`, async () => {
      await host.createNetwork({
        Name: LAB_NETWORK,
        Driver: 'bridge',
        Labels: { [LAB_LABEL]: '1' },
        Options: { 'com.docker.network.bridge.name': LAB_BRIDGE },
        IPAM: { Config: [{ Subnet: LAB_SUBNET, Gateway: LAB_HOST }] },
      });
      // As on the kit's other bridges: the host's ARP cache must follow a new VRRP master at once.
      writeFileSync(`/proc/sys/net/ipv4/neigh/${LAB_BRIDGE}/locktime`, '0');
    });
    await progress.step(`Nodes ${labNodes.map((n) => n.name).join(', ')}, each with its own Docker engine`, () =>
      Promise.all(labNodes.map((n) => startNode(host, image, n))),
    );
    await progress.step('Swarm: init on manager, join lb1 and lb2, label them load balancers (hakit.role=lb)', () => formSwarm());
  } catch (err) {
    progress.info('lab up failed: removing what was made');
    await labDown(progress).catch(() => undefined);
    throw err;
  }
  const plan = labPlan();
  savePlan(plan, labPlanFile);
  progress.info(`Swarm plan written to ${labPlanFile}: \`hakit --runtime swarm up\` deploys the stack on the lab`);
  return plan;
}

async function startNode(host: Docker, image: string, n: LabNode): Promise<void> {
  const sockets = join(LAB_SOCKETS, n.name);
  mkdirSync(sockets, { recursive: true });
  const start = async (driver: 'overlay2' | 'vfs') => {
    const c = await host.createContainer({
      name: containerName(n.name),
      Hostname: n.name,
      Image: image,
      Labels: { [LAB_LABEL]: '1' },
      // The engine listens on its usual socket (for the node's own CLI) and on one this host sees.
      Cmd: [
        'tini',
        '--',
        'dockerd',
        '--storage-driver',
        driver,
        '--cgroup-parent',
        `/${containerName(n.name)}`,
        '-H',
        'unix:///var/run/docker.sock',
        '-H',
        'unix:///hakit-engine/docker.sock',
      ],
      HostConfig: {
        CapAdd: ['ALL'],
        CapDrop: ['SYS_RESOURCE'],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        // --security-opt systempaths=unconfined: /proc and /sys unmasked, for the engine's own containers.
        MaskedPaths: [],
        ReadonlyPaths: [],
        // The engine's images and layers on a volume (this host's own filesystem), where nested
        // overlay2 works: a node then holds each image once, not once per layer as with vfs.
        Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw', `${sockets}:/hakit-engine`, `${volumeName(n.name)}:/var/lib/docker`],
        Tmpfs: { '/run': '', '/tmp': '' },
        NetworkMode: LAB_NETWORK,
      },
      NetworkingConfig: { EndpointsConfig: { [LAB_NETWORK]: { IPAMConfig: { IPv4Address: n.address } } } },
    });
    await c.start();
    return c;
  };
  const c = await start('overlay2');
  if (!(await nodeEngineAnswers(n.name, 20_000))) {
    await c.remove({ force: true, v: true });
    await host
      .getVolume(volumeName(n.name))
      .remove()
      .catch(() => undefined);
    await start('vfs');
    if (!(await nodeEngineAnswers(n.name, 30_000)))
      throw new HakitError(`the engine in lab node ${n.name} did not start`, ExitCode.failure, `docker logs ${containerName(n.name)}`);
  }
}

export function nodeEngine(node: string): Docker {
  return dockerAt(engineUrl(node));
}

async function nodeEngineAnswers(node: string, timeoutMs: number): Promise<boolean> {
  try {
    await waitFor(
      `the engine of ${node}`,
      async () =>
        (await nodeEngine(node)
          .ping()
          .catch(() => undefined))
          ? true
          : undefined,
      timeoutMs,
      250,
    );
    return true;
  } catch {
    return false;
  }
}

async function formSwarm(): Promise<void> {
  const manager = labNodes.find((n) => n.manager)!;
  const m = nodeEngine(manager.name);
  await m.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: manager.address });
  const token = ((await m.swarmInspect()) as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
  for (const n of labNodes.filter((x) => !x.manager)) {
    await nodeEngine(n.name).swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: n.address,
      RemoteAddrs: [`${manager.address}:2377`],
      JoinToken: token,
    });
  }
  // The same labels `hakit --runtime swarm up` sets from the plan.
  const { lb1, lb2 } = labPlan().lbs;
  await labelLbNodes(m, [lb1.node, lb2.node]);
}

async function labContainers(host: Docker): Promise<Docker.ContainerInfo[]> {
  return host.listContainers({ all: true, filters: { label: [LAB_LABEL] } });
}

export interface LabStatus {
  up: boolean;
  nodes: Array<{ name: string; address: string; container: string; running: boolean; swarm?: string }>;
}

export async function labStatus(): Promise<LabStatus> {
  const host = dockerClient();
  if (!(await engineAnswers())) return { up: false, nodes: [] };
  const found = await labContainers(host);
  const nodes = [];
  for (const n of labNodes) {
    const c = found.find((x) => x.Names.includes(`/${containerName(n.name)}`));
    let swarm: string | undefined;
    if (c?.State === 'running') {
      const info = (await nodeEngine(n.name)
        .info()
        .catch(() => undefined)) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } } | undefined;
      swarm = info?.Swarm ? `${info.Swarm.LocalNodeState}${info.Swarm.ControlAvailable ? ' (manager)' : ''}` : 'engine not answering';
    }
    nodes.push({ name: n.name, address: n.address, container: containerName(n.name), running: c?.State === 'running', swarm });
  }
  return { up: found.length > 0, nodes };
}

/** Idempotent: the node containers, their engine volumes, the LAN and the plan go. */
export async function labDown(progress: Progress): Promise<void> {
  const host = dockerClient();
  if (await engineAnswers()) {
    await progress.step("Remove the lab nodes and their engines' volumes", async () => {
      for (const c of await labContainers(host)) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone);
      for (const n of labNodes) await host.getVolume(volumeName(n.name)).remove().catch(ignoreGone);
    });
    await progress.step(`Remove the LAN ${LAB_NETWORK}`, async () => {
      for (const n of await host.listNetworks({ filters: { label: [LAB_LABEL] } })) await host.getNetwork(n.Id).remove().catch(ignoreGone);
    });
  }
  rmSync(LAB_SOCKETS, { recursive: true, force: true });
  rmSync(labPlanFile, { force: true });
  for (const dir of labCgroups()) removeCgroup(dir);
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroups the nodes' engines made (--cgroup-parent /hakit-lab-NODE), in every hierarchy. */
function labCgroups(): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  const roots = [
    CGROUP_ROOT,
    ...readdirSync(CGROUP_ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(CGROUP_ROOT, d.name)),
  ];
  return roots.flatMap((root) => labNodes.map((n) => join(root, containerName(n.name))).filter((p) => existsSync(p)));
}

/** A cgroup goes with rmdir, children first, once no process is left in it. */
function removeCgroup(dir: string): void {
  try {
    for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) removeCgroup(join(dir, d.name));
    rmdirSync(dir);
  } catch {
    // busy (a process still inside) or already gone: the next `lab down` tries again
  }
}

/** What a lab leaves on this host: empty after `lab down`. */
export async function labLeftovers(): Promise<string[]> {
  const host = dockerClient();
  if (!(await engineAnswers())) return [];
  const filters = { label: [LAB_LABEL] };
  const [containers, networks, volumes] = await Promise.all([
    host.listContainers({ all: true, filters }),
    host.listNetworks({ filters }),
    host.listVolumes(),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, '')}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).filter((v) => v.Name.startsWith('hakit-lab-')).map((v) => `volume ${v.Name}`),
    ...labCgroups().map((d) => `cgroup ${d}`),
  ];
}
