// The swarm runtime: the tier on a Docker Swarm cluster, from the same compose.yaml (through
// compose.swarm.yaml and `docker stack deploy`). The kit's node names map onto Swarm like this:
//   lb1, lb2      the Swarm nodes the plan names, each running a keepalived task (host network:
//                 the VIP lands on the node's LAN interface), an HAProxy task (overlay network,
//                 ports published on the node) and a VIP guard task (host network: removes the VIP
//                 when keepalived dies); labelled hakit.role=lb by the kit
//   backendN      the backend service's replica in slot N, wherever Swarm put it
// Swarm restarts what dies, so a killed node comes back by itself after restart_policy's delay;
// `restore` also makes a drained LB node schedulable again.
import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExitCode, HakitError } from '../errors.js';
import { groupOf } from '../groups/index.js';
import type { Problem } from '../stack/preflight.js';
import type { Progress } from '../progress.js';
import { commandExists, shMaybe, waitFor } from '../sh.js';
import { copyImages, imageRef } from '../swarm/image-copy.js';
import { labelLbNodes, LB_LABEL, listSwarmNodes, updateNodeSpec } from '../swarm/nodes.js';
import { swarmTopology, type SwarmPlan } from '../swarm/plan.js';
import { stackFileText } from '../swarm/stack-file.js';
import type { Topology } from '../stack/topology.js';
import { readServerPem, tlsPaths } from '../stack/tls.js';
import { cutBetween, NODE_RUN, readRunFileByExec, requireNode, runtimeApiByExec, writeRunFileByExec } from './common.js';
import { containerLogs, dockerAt, dockerClient, execIn, ignoreGone, imageExists, images } from './docker-engine.js';
import type { Credentials, Cut, ExecResult, HaproxySocket, NodeInfo, Runtime, StopMode, UpOptions } from './runtime.js';

export const STACK = 'hakit';
/**
 * Where the LB tasks read their config folders (LB_CONFIG_ROOT in compose.swarm.yaml): in the
 * node-local volume mounted at /run/hakit that HAProxy's and keepalived's tasks share, where the
 * entrypoint copies the image's folders on a first start (lb-entrypoint, live_config).
 */
export const SWARM_CONFIG_ROOT = `${NODE_RUN}/config`;
/** The config folders a Swarm LB node reads (peers/, the bench's other VIP managers, does not run on Swarm). */
const SWARM_CONFIG_DIRS = ['haproxy', 'keepalived'];

/**
 * A config folder as a tar archive, its files root-owned and writable by root alone whoever owns
 * the checkout (keepalived refuses scripts its script user could alter), without TypeScript files.
 */
export async function configArchive(from: string, dir: string): Promise<Buffer> {
  const { stdout } = await execFileAsync(
    'tar',
    ['-c', '-C', join(from, dir), '--owner=0', '--group=0', '--numeric-owner', '--mode=go-w', '--exclude=*.ts', '.'],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 10_000 },
  );
  return stdout;
}
const STACK_LABEL = `com.docker.stack.namespace=${STACK}`;
const execFileAsync = promisify(execFile);
type ServiceName = 'backend' | 'haproxy' | 'keepalived' | 'vip-guard';
const service = (s: ServiceName) => `${STACK}_${s}`;

interface Task {
  ID: string;
  NodeID: string;
  Slot?: number;
  NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string } }; Addresses?: string[] }>;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}

/** Where a kit node is right now: its Swarm node and the task containers that make it. */
interface Placement {
  host: string;
  containers: { keepalived?: string; haproxy?: string; backend?: string };
  /** A replica's address on the overlay network. */
  address?: string;
}

/** A task's address on the stack's overlay network. */
const overlayAddress = (t: Task): string | undefined =>
  t.NetworksAttachments?.find((a) => a.Network?.Spec?.Name === `${STACK}_hakit`)?.Addresses?.[0]?.split('/')[0];

export class SwarmRuntime implements Runtime {
  readonly name = 'swarm' as const;
  readonly topology: Topology;
  private readonly manager: Docker;

  constructor(readonly plan: SwarmPlan) {
    this.topology = swarmTopology(plan);
    // Bounded: `auto` asks a recorded Swarm whether it is up, and an unreachable manager must not hang it.
    this.manager = plan.manager ? dockerAt(plan.manager, 15_000) : dockerClient(15_000);
  }

  /** The engine of a Swarm node, for what only it can do (exec, kill, logs). */
  private engine(host: string): Docker {
    const url = this.plan.engines?.[host];
    if (!url)
      throw new HakitError(
        `the Swarm plan names no engine for node ${host}`,
        ExitCode.usage,
        'add it under "engines" (e.g. "ssh://root@HOST")',
      );
    return dockerAt(url);
  }

  async preflight(): Promise<Problem[]> {
    const problems: Problem[] = [];
    const info = (await this.manager.info().catch(() => undefined)) as { Swarm?: { ControlAvailable?: boolean } } | undefined;
    if (!info)
      return [
        {
          problem: `no Docker engine answers at ${this.plan.manager ?? 'DOCKER_HOST / the local socket'}`,
          fix: 'hakit lab up, or set "manager" in the Swarm plan',
        },
      ];
    if (!info.Swarm?.ControlAvailable)
      problems.push({ problem: 'that engine is not a Swarm manager', fix: 'docker swarm init (or point "manager" at a manager)' });
    else {
      const hosts = new Set((await listSwarmNodes(this.manager)).map((n) => n.Description.Hostname));
      for (const lb of ['lb1', 'lb2'] as const) {
        if (!hosts.has(this.plan.lbs[lb].node))
          problems.push({
            problem: `${lb}: no Swarm node has the hostname ${this.plan.lbs[lb].node}`,
            fix: 'docker node ls; fix lbs in the Swarm plan',
          });
      }
    }
    if (!(await commandExists('docker')))
      problems.push({ problem: 'the docker CLI is not installed (it runs `docker stack deploy`)', fix: 'sudo hakit setup --docker' });
    if (!this.plan.registry) {
      const local = dockerClient();
      for (const image of Object.values(images))
        if (!(await imageExists(local, image)))
          problems.push({ problem: `image ${image} is not built here`, fix: 'hakit images --offline' });
    }
    return problems;
  }

  async isUp(): Promise<boolean> {
    const services = await this.manager.listServices({ filters: { label: [STACK_LABEL] } }).catch(() => []);
    return services.length > 0;
  }

  async up({ progress, credentials }: UpOptions): Promise<void> {
    await progress.step(`Label ${this.plan.lbs.lb1.node} and ${this.plan.lbs.lb2.node} as load balancers (${LB_LABEL}=lb)`, () =>
      labelLbNodes(this.manager, [this.plan.lbs.lb1.node, this.plan.lbs.lb2.node]),
    );
    await copyImages(progress, this.plan, this.manager, (host) => this.engine(host));
    await progress.step(`docker stack deploy ${STACK} (${this.plan.backends} backend replicas)`, () => this.deploy(credentials));
    await progress.step('Every task running', () =>
      waitFor("the stack's tasks", async () => ((await this.allRunning()) ? true : undefined), 120_000, 500),
    );
  }

  private async deploy(c: Credentials): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'hakit-stack-'));
    try {
      const file = join(dir, 'stack.yaml');
      // The file holds ${…} references only; the values (the password too) travel in the environment.
      writeFileSync(
        file,
        stackFileText((image) => imageRef(image, this.plan)),
        { mode: 0o600 },
      );
      const p = this.plan;
      const env = {
        ...process.env,
        ...(p.manager ? { DOCKER_HOST: p.manager } : {}),
        BACKENDS: String(p.backends),
        KIT_HOST: p.clientAddress ?? '127.0.0.1',
        STATS_USER: c.user,
        STATS_PASSWORD: c.password,
        // The certificate goes as a Docker secret read from this file; a new content is a new name.
        TLS_PEM_FILE: tlsPaths().serverPem,
        TLS_SECRET: `hakit_tls_${createHash('sha256').update(readServerPem()).digest('hex').slice(0, 16)}`,
        VIP: p.vip,
        VIP_PREFIX: String(p.prefix),
        LB1_IP: p.lbs.lb1.address,
        LB2_IP: p.lbs.lb2.address,
        LB_INTERFACE: p.interface,
      };
      const resolve = p.registry ? 'always' : 'never';
      const r = await shMaybe({ env })`docker stack deploy --prune --resolve-image ${resolve} -c ${file} ${STACK}`;
      if (r.exitCode !== 0)
        throw new HakitError(`docker stack deploy failed:\n${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async tasks(s: ServiceName): Promise<Task[]> {
    return (await this.manager.listTasks({ filters: { service: [service(s)], 'desired-state': ['running'] } })) as Task[];
  }

  private async hostnames(): Promise<Map<string, string>> {
    return new Map((await listSwarmNodes(this.manager)).map((n) => [n.ID, n.Description.Hostname]));
  }

  private async allRunning(): Promise<boolean> {
    const [b, h, k, g] = await Promise.all([
      this.tasks('backend'),
      this.tasks('haproxy'),
      this.tasks('keepalived'),
      this.tasks('vip-guard'),
    ]);
    const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running').length;
    return running(b) >= this.plan.backends && running(h) >= 2 && running(k) >= 2 && running(g) >= 2;
  }

  /** Where each kit node is, from the manager's task list (running tasks only). */
  private async placements(): Promise<Map<string, Placement>> {
    const [names, backend, haproxy, keepalived] = await Promise.all([
      this.hostnames(),
      this.tasks('backend'),
      this.tasks('haproxy'),
      this.tasks('keepalived'),
    ]);
    const out = new Map<string, Placement>();
    const containerOf = (t: Task) => (t.Status.State === 'running' ? t.Status.ContainerStatus?.ContainerID : undefined);
    for (const lb of ['lb1', 'lb2'] as const) {
      const host = this.plan.lbs[lb].node;
      const on = (ts: Task[]) =>
        ts
          .filter((t) => names.get(t.NodeID) === host)
          .map(containerOf)
          .find(Boolean);
      out.set(lb, { host, containers: { keepalived: on(keepalived), haproxy: on(haproxy) } });
    }
    for (const t of backend) {
      const id = containerOf(t);
      if (id && t.Slot)
        out.set(`backend${t.Slot}`, { host: names.get(t.NodeID) ?? '?', containers: { backend: id }, address: overlayAddress(t) });
    }
    return out;
  }

  private async placement(node: string): Promise<Placement | undefined> {
    requireNode(this.topology, node);
    return (await this.placements()).get(node);
  }

  async nodes(): Promise<NodeInfo[]> {
    const p = await this.placements();
    return this.topology.nodes.map((spec) => {
      const c = p.get(spec.name)?.containers;
      // An LB node is up while its keepalived is (with HAProxy dead it is FAULT, as on one host).
      return { spec, running: spec.role === 'lb' ? Boolean(c?.keepalived) : Boolean(c?.backend), address: p.get(spec.name)?.address };
    });
  }

  /** The container that answers for a node: keepalived's on an LB (host network, shared /run/hakit). */
  private async mainContainer(node: string): Promise<{ engine: Docker; id: string } | undefined> {
    const p = await this.placement(node);
    const id = p?.containers.keepalived ?? p?.containers.backend;
    return p && id ? { engine: this.engine(p.host), id } : undefined;
  }

  async stop(node: string, mode: StopMode): Promise<void> {
    const spec = requireNode(this.topology, node);
    const p = await this.placement(node);
    if (spec.role === 'lb' && mode === 'graceful') {
      // A drained node's tasks get SIGTERM: keepalived hands the VIP over with a priority-0 advert.
      // Done when its containers have really stopped (the tasks' desired state changes at once).
      await this.setAvailability(this.plan.lbs[node as 'lb1' | 'lb2'].node, 'drain');
      if (!p) return;
      const engine = this.engine(p.host);
      const running = async (id: string) =>
        (
          await engine
            .getContainer(id)
            .inspect()
            .catch(() => undefined)
        )?.State.Running === true;
      await waitFor(
        `${node}'s tasks to stop`,
        async () => {
          for (const id of Object.values(p.containers)) if (id && (await running(id))) return undefined;
          return true;
        },
        30_000,
        100,
      );
      return;
    }
    if (!p) return;
    const engine = this.engine(p.host);
    for (const id of Object.values(p.containers)) {
      if (!id) continue;
      const c = engine.getContainer(id);
      // hard: SIGKILL, as a dead host's processes. keepalived cannot remove its VIP then; the
      // node's VIP guard, which is not killed (the node's network outlives these tasks as a
      // host outlives a crashed daemon), removes it (docs/architecture.md#a-dead-keepalived-leaves-no-vip).
      await (mode === 'hard' ? c.kill() : c.stop({ t: 15 })).catch(ignoreGone);
    }
  }

  async killHaproxy(node: string): Promise<void> {
    const p = await this.placement(node);
    if (!p?.containers.haproxy) throw new HakitError(`${node} has no running HAProxy task`);
    await this.engine(p.host).getContainer(p.containers.haproxy).kill().catch(ignoreGone);
  }

  private async setAvailability(host: string, availability: 'drain' | 'active'): Promise<void> {
    const n = (await listSwarmNodes(this.manager)).find((x) => x.Description.Hostname === host);
    if (!n) throw new HakitError(`no Swarm node ${host}`);
    if (n.Spec.Availability === availability) return;
    await updateNodeSpec(this.manager, n, { Availability: availability });
  }

  /** Swarm restarts killed tasks by itself; a drained LB node is made schedulable again. */
  async restore(node: string, _credentials: Credentials): Promise<void> {
    const spec = requireNode(this.topology, node);
    if (spec.role === 'lb') await this.setAvailability(this.plan.lbs[node as 'lb1' | 'lb2'].node, 'active');
    await waitFor(
      `Swarm to restart ${node}`,
      async () => ((await this.nodes()).find((n) => n.spec.name === node)?.running ? true : undefined),
      60_000,
      250,
    );
  }

  /** Each running replica's overlay address: HAProxy's server-template slots follow DNS, not slots. */
  async backendAddresses(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const t of await this.tasks('backend')) {
      const ip = overlayAddress(t);
      if (t.Slot && ip && t.Status.State === 'running') out.set(`backend${t.Slot}`, `${ip}:${this.topology.ports.backend}`);
    }
    return out;
  }

  /** The backend replicas on a Swarm node. */
  async backendsOn(host: string): Promise<string[]> {
    return [...(await this.placements())].filter(([name, p]) => name.startsWith('backend') && p.host === host).map(([name]) => name);
  }

  /** Drains or reactivates any Swarm node (backends move off a drained one). */
  async drainHost(host: string, on: boolean): Promise<void> {
    await this.setAvailability(host, on ? 'drain' : 'active');
  }

  async exec(node: string, argv: string[]): Promise<ExecResult> {
    const m = await this.mainContainer(node);
    if (!m) return { stdout: '', stderr: `${node} is not running`, exitCode: 125 };
    try {
      return await execIn(m.engine.getContainer(m.id), argv);
    } catch (err) {
      return { stdout: '', stderr: err instanceof Error ? err.message : String(err), exitCode: 125 };
    }
  }

  readRunFile(node: string, name: string): Promise<string | undefined> {
    return readRunFileByExec(this, node, name);
  }

  /** Into the node's shared /run/hakit volume, which HAProxy's container sees too. */
  writeRunFile(node: string, name: string, text: string): Promise<void> {
    return writeRunFileByExec(this, node, name, text);
  }

  runtimeApi(node: string, command: string, socket?: HaproxySocket): Promise<string> {
    // The sockets are in the node's shared /run/hakit volume; keepalived's container reaches them too.
    return runtimeApiByExec(this, node, command, socket);
  }

  /**
   * Into the node's config folder in its node-local /run/hakit volume (SWARM_CONFIG_ROOT), through
   * the node's engine and the running keepalived task (HAProxy's when keepalived's is away): a
   * running task re-reads it on its reload, and a task Swarm restarts on that node starts with it.
   * A Swarm config object would change only through a service update, which replaces the tasks
   * (a restart, not a reload). docs/architecture.md#reload.
   */
  async deliverConfig(node: string, dir: string, from: string): Promise<void> {
    const spec = requireNode(this.topology, node);
    if (spec.role !== 'lb' || !groupOf(spec).configDirs.includes(dir)) throw new HakitError(`${node} has no config folder ${dir}`);
    if (!SWARM_CONFIG_DIRS.includes(dir)) return;
    // A task Swarm is restarting (a failed health check on a busy node) is back within seconds.
    const p = await waitFor(
      `a running task on ${node}`,
      async () => {
        const at = await this.placement(node);
        return at?.containers.keepalived || at?.containers.haproxy ? at : undefined;
      },
      30_000,
      250,
    ).catch(() => {
      throw new HakitError(
        `${node} has no running task to take the ${dir} config`,
        ExitCode.failure,
        `see \`hakit --runtime swarm logs ${node}\`; once status shows ${node} again, run the command again`,
      );
    });
    // The engine extracts it file by file over the folder the entrypoint made (putArchive needs
    // an existing folder; writing into a volume is allowed in a read-only container).
    await this.engine(p.host)
      .getContainer((p.containers.keepalived ?? p.containers.haproxy)!)
      .putArchive(await configArchive(from, dir), { path: `${SWARM_CONFIG_ROOT}/${dir}` });
  }

  partition(cut: Cut, on: boolean): Promise<void> {
    return cutBetween(this, cut, on);
  }

  async logs(node: string): Promise<string> {
    const p = await this.placement(node);
    if (!p) return `${node} has no running task\n`;
    const out: string[] = [];
    for (const [what, id] of Object.entries(p.containers)) {
      if (!id) continue;
      const { stdout, stderr } = await containerLogs(this.engine(p.host).getContainer(id), { tail: 500 });
      out.push(`== ${what} on ${p.host}\n${stdout}${stderr}`);
    }
    return out.join('\n');
  }

  /** Everything of the kit the cluster holds: empty after a clean `down`. */
  async leftovers(): Promise<string[]> {
    const filters = { label: [STACK_LABEL] };
    const [services, networks] = await Promise.all([this.manager.listServices({ filters }), this.manager.listNetworks({ filters })]);
    const out = [...services.map((s) => `service ${s.Spec?.Name}`), ...networks.map((n) => `network ${n.Name}`)];
    for (const [host, url] of Object.entries(this.plan.engines ?? {})) {
      const e = dockerAt(url);
      const cs = await e.listContainers({ all: true, filters }).catch(() => []);
      const vs = (await e.listVolumes({ filters }).catch(() => ({ Volumes: [] }))).Volumes ?? [];
      out.push(...cs.map((c) => `container ${c.Names[0]} on ${host}`), ...vs.map((v) => `volume ${v.Name} on ${host}`));
    }
    const labelled = (await listSwarmNodes(this.manager)).filter((n) => n.Spec.Labels?.[LB_LABEL]);
    out.push(...labelled.map((n) => `label ${LB_LABEL} on ${n.Description.Hostname}`));
    return out;
  }

  /** The Swarm stack has no data nodes yet (docs/architecture.md#the-data-nodes): nothing is kept. */
  async keptData(): Promise<string[]> {
    return [];
  }

  async down(progress: Progress): Promise<void> {
    const filters = { label: [STACK_LABEL] };
    await progress.step(`Remove the stack ${STACK} (services, then its network)`, async () => {
      for (const s of await this.manager.listServices({ filters })) await this.manager.getService(s.ID).remove().catch(ignoreGone);
      // Tasks stop with their grace period; the overlay network goes once no task uses it.
      await waitFor(
        "the stack's networks to go",
        async () => {
          const nets = await this.manager.listNetworks({ filters });
          for (const n of nets)
            await this.manager
              .getNetwork(n.Id)
              .remove()
              .catch(() => undefined);
          return nets.length ? undefined : true;
        },
        60_000,
        500,
      );
    });
    await progress.step('Remove the node-local volumes and the load-balancer labels', async () => {
      for (const url of Object.values(this.plan.engines ?? {})) {
        const e = dockerAt(url);
        await waitFor(
          "the stack's containers to go",
          async () => ((await e.listContainers({ all: true, filters }).catch(() => [])).length ? undefined : true),
          60_000,
          500,
        );
        for (const v of (await e.listVolumes({ filters }).catch(() => ({ Volumes: [] }))).Volumes ?? [])
          await e.getVolume(v.Name).remove().catch(ignoreGone);
      }
      for (const lb of ['lb1', 'lb2'] as const) await this.setAvailability(this.plan.lbs[lb].node, 'active').catch(() => undefined);
      await labelLbNodes(this.manager, []);
    });
  }

  /** `hakit scale`: the backend service's replica count (HAProxy follows by DNS, no reload). */
  async scaleBackends(replicas: number): Promise<void> {
    const [s] = await this.manager.listServices({ filters: { name: [service('backend')] } });
    if (!s?.Spec || !s.Version) throw new HakitError('the stack has no backend service', ExitCode.notUp, 'hakit --runtime swarm up');
    const spec = s.Spec as { Mode?: { Replicated?: { Replicas?: number } } };
    await this.manager
      .getService(s.ID)
      .update({ version: s.Version.Index, ...s.Spec, Mode: { ...spec.Mode, Replicated: { Replicas: replicas } } });
  }
}
