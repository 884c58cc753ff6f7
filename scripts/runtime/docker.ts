// The docker runtime: compose.yaml creates the stack, dockerode controls it. Containers are
// found by compose's project label, so a stack started with plain `docker compose up -d` is
// the same stack to every hakit command.
//
// Inside a node the paths are those of the netns runtime: /etc/haproxy, /etc/keepalived and
// /run/hakit (a tmpfs here, so a restarted node starts without stale pid files).
import type Docker from 'dockerode';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clientEnvOf, groupOf, groupsOf } from '../groups/index.js';
import { unsupportedOn, type ConfigProfile } from '../stack/profiles.js';
import { groupSecrets } from '../groups/secrets.js';
import { appAclEnv } from '../groups/redis/client-env.js';
import { packageRoot, stateDir } from '../paths.js';
import { loadCredentials } from '../stack/credentials.js';
import { readServerPem } from '../stack/tls.js';
import { ExitCode, HakitError } from '../errors.js';
import { commonPreflight, routesOverlapping, type Problem } from '../stack/preflight.js';
import type { Progress } from '../progress.js';
import { shMaybe } from '../sh.js';
import { defaultTopology, optionalNodes, type Topology } from '../stack/topology.js';
import { forgetFeatures, recordFeatures } from '../stack/features.js';
import {
  cutBetween,
  fibTrieHasLocal,
  haproxySocketPath,
  NODE_RUN,
  readRunFileByExec,
  requireNode,
  runtimeApiByExec,
  unixRequest,
  writeRunFileByExec,
} from './common.js';
import {
  compose,
  containerLogs,
  detectCompose,
  dockerClient,
  DOCKER_BRIDGE,
  engineAnswers,
  execIn,
  ignoreGone,
  imageExists,
  images,
  PROJECT_LABEL,
  SERVICE_LABEL,
  type ComposeEnv,
} from './docker-engine.js';
import type { Credentials, Cut, DownOptions, ExecResult, HaproxySocket, NodeInfo, Runtime, StopMode, UpOptions } from './runtime.js';

/** Seconds a graceful stop may take before the engine sends SIGKILL (compose: stop_grace_period). */
const STOP_TIMEOUT_S = 15;

/**
 * Where an LB's /etc/haproxy and /etc/keepalived come from on Docker: root-owned copies in the
 * state directory, bind-mounted read-only (compose.yaml `HAKIT_LB1_CONFIG`, …), which `hakit
 * reload` updates in place. Folders, not single files: a file bind mount pins the file's inode,
 * and a file replaced by rename would stay unseen in the container.
 */
const configRoot = join(stateDir, 'docker-config');
const nodeConfigDir = (node: string) => join(configRoot, node);
const configEnvName = (node: string) => `HAKIT_${node.toUpperCase()}_CONFIG`;

/**
 * compose.yaml's values: the credentials, the server certificate and the LBs' config folders.
 * compose refuses to interpolate without its passwords and the certificate, even for `down`; a
 * stack being torn down or built needs none, so any value does there.
 */
export const composeEnv = (t: Topology, c: Credentials | undefined, tls: 'needed' | 'unused' = c ? 'needed' : 'unused'): ComposeEnv => {
  const env: ComposeEnv = {
    ...Object.fromEntries(groupSecrets().map((n) => [n, 'unused'])),
    ...c?.secrets,
    ...appAclEnv(),
    STATS_USER: c?.user ?? 'admin',
    STATS_PASSWORD: c?.password ?? 'unused',
    // The server certificate and key as text: the entrypoint writes them to the container's tmpfs.
    TLS_PEM: tls === 'needed' ? readServerPem() : 'unused',
  };
  for (const n of t.nodes) if (groupOf(n).configDirs.length) env[configEnvName(n.name)] = nodeConfigDir(n.name);
  // The opt-in services (compose `profiles`) of the features on; none: the default stack's.
  env.COMPOSE_PROFILES = (t.features ?? []).join(',');
  return { ...env, ...(c ? clientEnvOf(t, c) : {}) };
};

/**
 * compose.yaml carries the default topology and every opt-in node: a topology of other names or
 * addresses cannot run from it.
 */
export function isComposeTopology(t: Topology): boolean {
  const known = new Map([...defaultTopology.nodes, ...optionalNodes].map((n) => [n.name, n.address]));
  const { nodes: _nodes, features: _features, ...plan } = t;
  const { nodes: _dn, features: _df, ...defaults } = defaultTopology;
  return JSON.stringify(plan) === JSON.stringify(defaults) && t.nodes.every((n) => known.get(n.name) === n.address);
}
/** Named volumes with this label hold a data node's data: kept by `down` unless --volumes. */
const DATA_LABEL = 'hakit.data=true';

/** The config profile's environment of the stack that is up (`hakit bench`), for nodes compose recreates. */
const profileEnvFile = join(stateDir, 'docker-profile-env.json');

/**
 * Every group's environment under the profile, merged: compose.yaml passes each LB the names it
 * lists (x-lb-profile-env) and nothing else, as the netns runtime gives each node its group's.
 */
export function profileEnvOf(topology: Topology, profile: ConfigProfile | undefined): Record<string, string> {
  return Object.assign({}, ...groupsOf(topology).map(({ group }) => group.profileEnv?.(profile, topology) ?? {})) as Record<string, string>;
}

function savedProfileEnv(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(profileEnvFile, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** A config folder copied as the netns runtime copies it (root-owned: keepalived's script security). */
function copyConfig(from: string, dir: string, node: string): void {
  cpSync(join(from, dir), join(nodeConfigDir(node), dir), { recursive: true, force: true, filter: (src) => !src.endsWith('.ts') });
}

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  constructor(
    readonly topology: Topology = defaultTopology,
    private readonly docker: Docker = dockerClient(),
  ) {}

  async preflight(): Promise<Problem[]> {
    const problems = await commonPreflight(this.topology);
    if (!isComposeTopology(this.topology)) {
      problems.push({
        problem: 'the docker runtime runs compose.yaml, which carries the default topology only',
        fix: 'use --runtime netns for a custom topology',
      });
    }
    if (!(await engineAnswers())) {
      return [...problems, { problem: 'no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)', fix: 'sudo hakit setup --docker' }];
    }
    if (!(await detectCompose()))
      problems.push({ problem: 'neither `docker compose` nor `docker-compose` is installed', fix: 'sudo hakit setup --docker' });
    const absent = [];
    for (const image of Object.values(images)) if (!(await imageExists(this.docker, image))) absent.push(image);
    if (absent.length)
      problems.push({
        problem: `image${absent.length > 1 ? 's' : ''} ${absent.join(', ')} not built`,
        fix: 'hakit images (hakit images --offline where no image registry is reachable)',
      });
    return problems;
  }

  async isUp(): Promise<boolean> {
    return (await this.leftovers()).length > 0;
  }

  /** Everything of the kit the engine holds: empty after a clean `down`. */
  async leftovers(): Promise<string[]> {
    if (!(await engineAnswers())) return [];
    const filters = { label: [PROJECT_LABEL] };
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return [
      ...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`),
      ...networks.map((n) => `network ${n.Name}`),
      ...(volumes.Volumes ?? []).filter((v) => v.Labels?.['hakit.data'] !== 'true').map((v) => `volume ${v.Name}`),
    ];
  }

  async keptData(): Promise<string[]> {
    if (!(await engineAnswers())) return [];
    const volumes = await this.docker.listVolumes({ filters: { label: [PROJECT_LABEL, DATA_LABEL] } });
    return (volumes.Volumes ?? []).map((v) => `volume ${v.Name}`);
  }

  async up({ progress, credentials, profile }: UpOptions): Promise<void> {
    const why = profile && unsupportedOn(profile, this.name);
    if (why) throw new HakitError(why, ExitCode.usage, 'use --runtime netns for the peer profiles');
    // Also when called without the CLI's preflight (tests, the demo): a Docker network on an
    // address range another stack uses (a netns stack's bridge) would give the host two routes
    // and break both stacks, and Docker does not refuse it.
    const taken = await routesOverlapping(this.topology.subnet);
    if (taken.length)
      throw new HakitError(
        `address range ${this.topology.subnet} is already in use on this host: ${taken.join('; ')}`,
        ExitCode.preflight,
        'is a netns stack up? (hakit --runtime netns status)',
      );
    await progress.step(`Config folders for the load balancers in ${configRoot}`, async () => {
      // Kept across up/down cycles only while the stack exists: a fresh up starts from the kit's own.
      rmSync(configRoot, { recursive: true, force: true });
      for (const n of this.topology.nodes) for (const dir of groupOf(n).configDirs) copyConfig(packageRoot, dir, n.name);
    });
    // lb2 waits for lb1 to be healthy (compose.yaml), so lb1 wins the first election.
    // The profile's environment, kept so that a node recreated later (restore) gets it again.
    const env = profileEnvOf(this.topology, profile);
    recordFeatures(this.topology.features ?? []);
    mkdirSync(dirname(profileEnvFile), { recursive: true });
    writeFileSync(profileEnvFile, JSON.stringify(env));
    const keptBefore = new Set(await this.keptData());
    await progress.step(`compose up: ${this.topology.nodes.map((n) => n.name).join(', ')}`, () =>
      compose(['up', '-d', '--no-build'], { ...env, ...composeEnv(this.topology, credentials) }),
    );
    await this.dropUnusedVolumes(keptBefore);
    await progress.step(`ARP locktime 0 on ${DOCKER_BRIDGE}`, async () => {
      // As on the netns bridge: the host's ARP cache must follow each new VRRP master at once.
      try {
        writeFileSync(`/proc/sys/net/ipv4/neigh/${DOCKER_BRIDGE}/locktime`, '0');
      } catch {
        // not root, or a remote engine: the VIP still moves, a second or so later for the host
      }
    });
  }

  /**
   * Compose creates every volume of the file, also those of services whose profile is off: remove
   * the ones this up created for nodes outside the topology (a volume kept from an earlier stack
   * with that feature on stays, as compose keeps named volumes).
   */
  private async dropUnusedVolumes(keptBefore: Set<string>): Promise<void> {
    const nodes = new Set(this.topology.nodes.map((n) => n.name));
    const volumes = await this.docker.listVolumes({ filters: { label: [PROJECT_LABEL, DATA_LABEL] } });
    for (const v of volumes.Volumes ?? []) {
      const node = v.Labels?.['com.docker.compose.volume']?.replace(/-data$/, '');
      if (keptBefore.has(`volume ${v.Name}`) || !node || nodes.has(node)) continue;
      await this.docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined); // in use after all: kept, and listed by keptData
    }
  }

  private async container(node: string): Promise<Docker.ContainerInfo | undefined> {
    requireNode(this.topology, node);
    const found = await this.docker.listContainers({ all: true, filters: { label: [PROJECT_LABEL, `${SERVICE_LABEL}=${node}`] } });
    return found[0];
  }

  /** The node's container, which must exist (it may be stopped). */
  private async handle(node: string): Promise<Docker.Container> {
    const info = await this.container(node);
    if (!info) throw new HakitError(`${node} has no container`, ExitCode.failure, 'is the stack up? (hakit status)');
    return this.docker.getContainer(info.Id);
  }

  async nodes(): Promise<NodeInfo[]> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [PROJECT_LABEL] } });
    const running = new Set(found.filter((c) => c.State === 'running').map((c) => c.Labels[SERVICE_LABEL]));
    return this.topology.nodes.map((spec) => ({ spec, running: running.has(spec.name) }));
  }

  async stop(node: string, mode: StopMode): Promise<void> {
    const c = await this.handle(node);
    if (!(await c.inspect()).State.Running) return;
    if (mode === 'graceful') {
      // SIGTERM to tini, forwarded to the entrypoint (or node): keepalived hands the VIP over
      // with a priority-0 advert, HAProxy / the backend drain, then the container exits.
      await c.stop({ t: STOP_TIMEOUT_S });
      return;
    }
    // docker kill: SIGKILL to every process, and the container's network namespace (with its
    // VIP and its ARP answers) goes with them, as a dead host's would. A group that dies silently
    // (an LB) loses its link first, so the sockets its dying processes close send no resets.
    if (groupOf(requireNode(this.topology, node)).diesSilently) await this.exec(node, ['ip', 'link', 'set', 'eth0', 'down']);
    await c.kill();
    await this.waitStopped(c);
  }

  private async waitStopped(c: Docker.Container): Promise<void> {
    // The engine answers /wait once the container is not running (at once if it already is not).
    const signal = AbortSignal.timeout(2000);
    await c.wait({ condition: 'not-running', abortSignal: signal }).catch((err: unknown) => {
      throw signal.aborted ? new HakitError('the container did not stop within 2 s of SIGKILL') : err;
    });
  }

  async restore(node: string, credentials: Credentials): Promise<void> {
    const c = await this.handle(node);
    // A container keeps the environment it was created with: a group may need a new one (an LB
    // after creds --rotate), made by compose from the same service definition.
    const env = (await c.inspect()).Config.Env ?? [];
    if (groupOf(requireNode(this.topology, node)).needsRecreate?.(env, credentials)) {
      await compose(['up', '-d', '--no-build', '--no-deps', '--force-recreate', node], {
        ...savedProfileEnv(),
        ...composeEnv(this.topology, credentials),
      });
      return;
    }
    if ((await c.inspect()).State.Running) {
      // Partly dead (HAProxy gone, keepalived up): afresh means from its entrypoint.
      await c.kill();
      await this.waitStopped(c);
    }
    await c.start();
  }

  /**
   * The container's main process as seen from this host, when the engine runs here and we are
   * root: then the kit reaches into the container the way the netns runtime reaches into a
   * namespace (nsenter, /proc/PID/root), which costs a few ms. A `docker exec` costs a runc start
   * (~0.1 s of CPU across dockerd, containerd and runc): the status and evidence pollers exec
   * several times a second, and on two cores that load starved HAProxy's 300 ms health checks.
   * The PID is trusted only if its cgroup names the container (a remote engine's PID is not ours).
   */
  private async localPid(node: string): Promise<{ pid?: number; id?: string; running: boolean }> {
    const info = await this.container(node);
    if (info?.State !== 'running') return { running: false };
    if (process.getuid?.() !== 0) return { id: info.Id, running: true };
    const pid = (
      await this.docker
        .getContainer(info.Id)
        .inspect()
        .catch(() => undefined)
    )?.State.Pid;
    if (!pid) return { id: info.Id, running: true };
    let cgroup = '';
    try {
      cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      // not visible from here
    }
    return cgroup.includes(info.Id) ? { pid, id: info.Id, running: true } : { id: info.Id, running: true };
  }

  async exec(node: string, argv: string[]): Promise<ExecResult> {
    const { pid, id, running } = await this.localPid(node);
    if (!running || !id) return { stdout: '', stderr: `${node} is not running`, exitCode: 125 };
    if (pid) {
      // The container's mount, UTS, IPC, network and PID namespaces: its files, its addresses,
      // its process IDs (kill --mode haproxy reads a PID from /run/hakit).
      const r = await shMaybe`nsenter -t ${pid} -m -u -i -n -p -- ${argv}`;
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? 1 };
    }
    try {
      return await execIn(this.docker.getContainer(id), argv);
    } catch (err) {
      // The container stopped between the list and the exec.
      return { stdout: '', stderr: err instanceof Error ? err.message : String(err), exitCode: 125 };
    }
  }

  async hasLocalAddress(node: string, address: string): Promise<boolean | undefined> {
    const { pid } = await this.localPid(node);
    if (!pid) return undefined;
    try {
      return fibTrieHasLocal(readFileSync(`/proc/${pid}/net/fib_trie`, 'utf8'), address);
    } catch {
      return undefined;
    }
  }

  async readRunFile(node: string, name: string): Promise<string | undefined> {
    const { pid } = await this.localPid(node);
    if (pid) {
      try {
        return readFileSync(`/proc/${pid}/root${NODE_RUN}/${name}`, 'utf8');
      } catch {
        return undefined;
      }
    }
    return readRunFileByExec(this, node, name);
  }

  async writeRunFile(node: string, name: string, text: string): Promise<void> {
    const { pid } = await this.localPid(node);
    if (!pid) return writeRunFileByExec(this, node, name, text);
    const path = `/proc/${pid}/root${NODE_RUN}/${name}`;
    writeFileSync(`${path}.new`, text, { mode: 0o600 });
    renameSync(`${path}.new`, path);
  }

  async runtimeApi(node: string, command: string, socket?: HaproxySocket): Promise<string> {
    const { pid } = await this.localPid(node);
    // The socket lives in the container's /run/hakit tmpfs, reachable through /proc/PID/root.
    if (pid) return unixRequest(`/proc/${pid}/root${haproxySocketPath(socket)}`, command);
    return runtimeApiByExec(this, node, command, socket);
  }

  /** Into the node's bind-mounted copy on this host (a remote engine would not see it). */
  async deliverConfig(node: string, dir: string, from: string): Promise<void> {
    if (!groupOf(requireNode(this.topology, node)).configDirs.includes(dir)) throw new HakitError(`${node} has no config folder ${dir}`);
    copyConfig(from, dir, node);
  }

  partition(cut: Cut, on: boolean): Promise<void> {
    return cutBetween(this, cut, on);
  }

  async logs(node: string): Promise<string> {
    const { stdout, stderr } = await containerLogs(await this.handle(node));
    return stdout + stderr;
  }

  async down(progress: Progress, { volumes = false }: DownOptions = {}): Promise<void> {
    await progress.step(`compose down (containers, network${volumes ? ', volumes' : ''})`, async () => {
      // Best effort: the label sweep below removes what compose could not (or a missing compose).
      if (await detectCompose())
        await compose(
          ['down', ...(volumes ? ['-v'] : []), '--remove-orphans', '-t', '5'],
          composeEnv(this.topology, loadCredentials(), 'unused'),
        ).catch(() => undefined);
    });
    await progress.step('Sweep what carries the hakit project label', () => this.sweep(volumes));
    rmSync(configRoot, { recursive: true, force: true });
    rmSync(profileEnvFile, { force: true });
    forgetFeatures();
    const kept = await this.keptData();
    if (kept.length) progress.info(`Kept the data nodes' volumes (${kept.length}); \`hakit down --volumes\` removes them`);
  }

  private async sweep(volumes: boolean): Promise<void> {
    if (!(await engineAnswers())) return;
    const filters = { label: [PROJECT_LABEL] };
    for (const c of await this.docker.listContainers({ all: true, filters })) {
      // v: the containers' anonymous volumes only; named ones are kept or removed below.
      await this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone);
    }
    for (const n of await this.docker.listNetworks({ filters })) await this.docker.getNetwork(n.Id).remove().catch(ignoreGone);
    for (const v of (await this.docker.listVolumes({ filters })).Volumes ?? [])
      if (volumes || v.Labels?.['hakit.data'] !== 'true') await this.docker.getVolume(v.Name).remove().catch(ignoreGone);
  }
}
