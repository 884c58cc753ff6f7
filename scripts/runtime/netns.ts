// The netns runtime: each node is a network namespace on a host bridge, running Debian's
// haproxy and keepalived, or node for a backend. No Docker needed, only root and iproute2.
//
// Inside a node, paths are the same as in the Docker images:
//   /etc/hosts, /etc/haproxy, /etc/keepalived  bind-mounted from /etc/netns/NS/ (as `ip netns exec` does)
//   /run/hakit                                 bind-mounted from STATE/nodes/NAME/run
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  readdirSync,
  rmdirSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot, stateDir } from '../paths.js';
import type { Progress } from '../progress.js';
import { sh, shMaybe, sleep, waitFor } from '../sh.js';
import { hostsFile, prefixLength, type NodeSpec, type Topology, defaultTopology } from '../stack/topology.js';
import { forgetFeatures, recordFeatures } from '../stack/features.js';
import { ExitCode, HakitError } from '../errors.js';
import { clientEnvOf, groupOf, groupsOf } from '../groups/index.js';
import type { NodeFile } from '../groups/group.js';
import { readServerPem } from '../stack/tls.js';
import { netnsPreflight, type Problem } from '../stack/preflight.js';
import { cutBetween, fibTrieHasLocal, HAPROXY_SOCKETS, requireNode, unixRequest } from './common.js';
import type { Credentials, Cut, DownOptions, ExecResult, HaproxySocket, NodeInfo, Runtime, StopMode, UpOptions } from './runtime.js';

export const BRIDGE = 'hakit0';
const NODE_RUN = '/run/hakit';
const nsName = (node: string) => `hakit-${node}`;
const vethName = (node: string) => `hk-${node}`;
const netnsEtc = (node: string) => `/etc/netns/${nsName(node)}`;
// The kit's own records of a node (main pid, output) sit beside, not inside, what the node sees.
const nodeDir = (node: string) => join(stateDir, 'nodes', node);
const runDir = (node: string) => join(nodeDir(node), 'run');
const appDir = join(stateDir, 'app');
// Data that outlives the nodes (like compose's named volumes): removed only by `down --volumes`.
const dataRoot = join(stateDir, 'data');
const dataDir = (node: string) => join(dataRoot, node);
// Runs argv in the node's network namespace with a private mount namespace holding the node's
// files. Unlike `ip netns exec`, which forks and waits, every step execs: the process we spawn
// is the node's main process, and signals sent to it reach the real program.
const NODE_SHELL = [
  'etc=$0 run=$1; shift',
  'for f in "$etc"/*; do mount --bind "$f" "/etc/${f##*/}" || exit 1; done',
  'umount -l /sys && mount -t sysfs sysfs /sys', // this namespace's interfaces under /sys/class/net
  `mount --bind "$run" ${NODE_RUN} || exit 1`,
  'exec "$@"',
].join('\n');
const inNode = (node: string, argv: string[]) => [
  `--net=/run/netns/${nsName(node)}`,
  'unshare',
  '--mount',
  '--propagation',
  'slave',
  'sh',
  '-c',
  NODE_SHELL,
  netnsEtc(node),
  runDir(node),
  ...argv,
];
const FORWARD_RULE = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-m', 'comment', '--comment', 'hakit', '-j', 'ACCEPT'];

export class NetnsRuntime implements Runtime {
  readonly name = 'netns' as const;
  constructor(readonly topology: Topology = defaultTopology) {}

  preflight(): Promise<Problem[]> {
    return netnsPreflight(this.topology);
  }

  async isUp(): Promise<boolean> {
    return (await this.leftovers()).length > 0;
  }

  /** Everything of the kit that exists on this machine: empty after a clean `down`. */
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    const netns = (await shMaybe`ip netns list`).stdout;
    for (const line of netns.split('\n')) {
      const name = line.split(' ')[0];
      if (name?.startsWith('hakit-')) found.push(`network namespace ${name}`);
    }
    const links = (await shMaybe`ip -o link show`).stdout;
    for (const m of links.matchAll(/^\d+: ([^:@]+)/gm)) {
      if (m[1] === BRIDGE || m[1]!.startsWith('hk-')) found.push(`link ${m[1]}`);
    }
    for (const name of await this.knownNodes()) {
      if (existsSync(netnsEtc(name))) found.push(`directory ${netnsEtc(name)}`);
      const pid = this.mainPid(name);
      if (pid && isAlive(pid)) found.push(`process ${pid} (${name})`);
    }
    if (existsSync(join(stateDir, 'nodes'))) found.push(`directory ${join(stateDir, 'nodes')}`);
    if ((await iptables('-C', ...FORWARD_RULE)) === 0) found.push('iptables FORWARD rule for hakit0');
    return found;
  }

  /**
   * Every node this machine may hold: the topology's, and those a stack with other opt-in
   * features left (their namespace or records), so that down and leftovers miss none.
   */
  private async knownNodes(): Promise<string[]> {
    const names = new Set(this.topology.nodes.map((n) => n.name));
    for (const line of (await shMaybe`ip netns list`).stdout.split('\n')) {
      const ns = line.split(' ')[0] ?? '';
      if (ns.startsWith('hakit-')) names.add(ns.slice('hakit-'.length));
    }
    const records = join(stateDir, 'nodes');
    if (existsSync(records)) for (const name of readdirSync(records)) names.add(name);
    return [...names];
  }

  async up({ progress, credentials, profile }: UpOptions): Promise<void> {
    const t = this.topology;
    const groups = groupsOf(t);
    recordFeatures(t.features ?? []);
    await progress.step(`Bridge ${BRIDGE} with host address ${t.hostAddress}/${prefixLength(t)}`, () => this.createBridge());
    for (const { group } of groups) {
      const prepare = group.prepareHost;
      if (prepare) await progress.step(`What every ${group.title} shares, installed for an unprivileged user`, async () => prepare(appDir));
    }
    for (const node of t.nodes) {
      await progress.step(`Node ${node.name} (${node.address})`, () => this.createNode(node));
      // Kept beside the node, so that a restore starts it with the same profile.
      writeFileSync(join(nodeDir(node.name), 'profile-env.json'), JSON.stringify(groupOf(node).profileEnv?.(profile, this.topology) ?? {}));
    }
    // Group by group in start order (backends before the LBs that check them), each group's nodes
    // in its own order; a group may wait after a node (the first LB must hold the VIP).
    for (const { group, nodes } of groups) {
      for (const [i, node] of nodes.entries()) {
        await progress.step(`Start ${node.name}`, async () => {
          await this.start(node, credentials);
          await group.started?.(this, node, i === 0);
        });
      }
    }
  }

  private async createBridge(): Promise<void> {
    const t = this.topology;
    await sh`ip link add ${BRIDGE} type bridge`;
    await sh`ip addr add ${t.hostAddress}/${prefixLength(t)} dev ${BRIDGE}`;
    await sh`ip link set ${BRIDGE} up`;
    // The host's ARP cache ignores a new MAC for the VIP within `locktime` of the last update;
    // on our own bridge we want every gratuitous ARP of a new master to count at once.
    writeFileSync(`/proc/sys/net/ipv4/neigh/${BRIDGE}/locktime`, '0');
    // With br_netfilter, bridged frames pass iptables FORWARD; a Docker engine sets its policy
    // to DROP, which would silently cut VRRP and health checks between our namespaces.
    if (readProc('/proc/sys/net/bridge/bridge-nf-call-iptables') === '1') {
      const rc = await iptables('-I', ...FORWARD_RULE);
      if (rc !== 0)
        throw new HakitError(
          'br_netfilter is on but iptables could not accept the hakit bridge in FORWARD',
          ExitCode.preflight,
          'install iptables (hakit setup)',
        );
    }
  }

  private async createNode(node: NodeSpec): Promise<void> {
    const t = this.topology;
    const ns = nsName(node.name);
    const veth = vethName(node.name);
    await sh`ip netns add ${ns}`;
    await sh`ip link add ${veth} type veth peer name eth0 netns ${ns}`;
    await sh`ip link set ${veth} master ${BRIDGE} up`;
    await sh`ip -n ${ns} link set lo up`;
    await sh`ip -n ${ns} addr add ${node.address}/${prefixLength(t)} dev eth0`;
    await sh`ip -n ${ns} link set eth0 up`;
    await sh`ip -n ${ns} route add default via ${t.hostAddress}`;

    const etc = netnsEtc(node.name);
    mkdirSync(etc, { recursive: true, mode: 0o755 });
    writeFileSync(join(etc, 'hosts'), hostsFile(t), { mode: 0o644 });
    // No name server: nodes resolve each other through hosts only, and never wait on a DNS timeout.
    writeFileSync(join(etc, 'resolv.conf'), 'options timeout:1 attempts:1\n', { mode: 0o644 });
    for (const dir of groupOf(node).configDirs) {
      copyConfig(packageRoot, dir, etc);
      mkdirSync(join('/etc', dir), { recursive: true }); // bind target
    }
    mkdirSync(runDir(node.name), { recursive: true, mode: 0o755 });
    mkdirSync(NODE_RUN, { recursive: true, mode: 0o755 });
    // The entrypoint makes it its service user's, mode 0700; the path to it stays traversable.
    if (groupOf(node).keepsData) mkdirSync(dataDir(node.name), { recursive: true, mode: 0o755 });
  }

  private async start(node: NodeSpec, credentials: Credentials): Promise<void> {
    const { argv, env, files } = groupOf(node).launch(node, {
      topology: this.topology,
      credentials,
      profileEnv: this.profileEnv(node.name),
      appDir,
      dataDir: dataDir(node.name),
      serverPem: () => readServerPem(),
      clientEnv: () => clientEnvOf(this.topology, credentials),
    });
    for (const f of files ?? []) writeNodeFile(netnsEtc(node.name), f);
    const log = openSync(join(nodeDir(node.name), 'node.log'), 'a');
    const child = spawn('nsenter', inNode(node.name, argv), {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    });
    closeSync(log);
    child.unref();
    if (!child.pid) throw new HakitError(`could not start ${node.name}`);
    writeFileSync(join(nodeDir(node.name), 'main.pid'), `${child.pid}\n`);
  }

  private profileEnv(node: string): Record<string, string> {
    const saved = readProc(join(nodeDir(node), 'profile-env.json'));
    return saved ? (JSON.parse(saved) as Record<string, string>) : {};
  }

  private mainPid(node: string): number | undefined {
    const pid = Number(readProc(join(nodeDir(node), 'main.pid')));
    return pid > 0 ? pid : undefined;
  }

  /** Live processes of the node: those in its network namespace, and its main process group. */
  private async pids(node: string): Promise<number[]> {
    const out = (await shMaybe`ip netns pids ${nsName(node)}`).stdout;
    const pids = new Set(out.split('\n').filter(Boolean).map(Number));
    const group = this.mainPid(node);
    if (group) for (const p of groupMembers(group)) pids.add(p);
    return [...pids].filter(isAlive);
  }

  async nodes(): Promise<NodeInfo[]> {
    return this.topology.nodes.map((spec) => {
      const pid = this.mainPid(spec.name);
      return { spec, running: pid !== undefined && isAlive(pid) };
    });
  }

  async stop(node: string, mode: StopMode): Promise<void> {
    const spec = this.spec(node);
    if (mode === 'hard') {
      // A host death: every process dies and the node's network goes. Without the link going down
      // its kernel would keep answering ARP for the VIP it still has configured. The group says
      // which goes first: silent first (an LB: clients time out, as with a host that lost power)
      // or processes first (a backend: their sockets close, so HAProxy gets a reset and retries
      // elsewhere at once instead of waiting for a timeout).
      const silentFirst = groupOf(spec).diesSilently ?? false;
      if (silentFirst) await shMaybe`ip link set ${vethName(node)} down`;
      for (const pid of await this.pids(node)) signal(pid, 'SIGKILL');
      await this.killAll(node);
      if (!silentFirst) await shMaybe`ip link set ${vethName(node)} down`;
      return;
    }
    const pid = this.mainPid(node);
    if (pid && isAlive(pid)) signal(pid, 'SIGTERM');
    try {
      // Bounded by what a graceful stop does: an LB's drain (~15 s at most), a primary's planned
      // switch (pause, catch-up, failover, demotion: ~5 s, up to ~15 s when the node is slow).
      await waitFor(`${node} to stop`, async () => ((await this.pids(node)).length === 0 ? true : undefined), 25_000);
    } finally {
      await this.killAll(node);
    }
  }

  async restore(node: string, credentials: Credentials): Promise<void> {
    const spec = this.spec(node);
    await this.killAll(node);
    const ns = nsName(node);
    // A node killed hard still has the VIP configured: drop it before the link comes back up.
    await shMaybe`ip -n ${ns} addr del ${this.topology.vip}/${prefixLength(this.topology)} dev eth0`;
    await sh`ip link set ${vethName(node)} up`;
    await this.start(spec, credentials);
  }

  async exec(node: string, argv: string[]): Promise<ExecResult> {
    this.spec(node);
    const r = await shMaybe`nsenter ${inNode(node, argv)}`;
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? 1 };
  }

  async hasLocalAddress(node: string, address: string): Promise<boolean | undefined> {
    this.spec(node);
    // The node's main process lives in its namespace: its /proc/PID/net is the node's network.
    const pid = this.mainPid(node);
    const trie = pid ? readProc(`/proc/${pid}/net/fib_trie`) : undefined;
    return trie === undefined ? undefined : fibTrieHasLocal(trie, address);
  }

  async readRunFile(node: string, name: string): Promise<string | undefined> {
    this.spec(node);
    try {
      return readFileSync(join(runDir(node), name), 'utf8');
    } catch {
      return undefined;
    }
  }

  async writeRunFile(node: string, name: string, text: string): Promise<void> {
    this.spec(node);
    const path = join(runDir(node), name);
    writeFileSync(`${path}.new`, text, { mode: 0o600 });
    renameSync(`${path}.new`, path);
  }

  runtimeApi(node: string, command: string, socket: HaproxySocket = 'worker'): Promise<string> {
    this.spec(node);
    return unixRequest(join(runDir(node), HAPROXY_SOCKETS[socket]), command);
  }

  /** The same copy as at creation, into the directory the node has bind-mounted at /etc/DIR. */
  async deliverConfig(node: string, dir: string, from: string): Promise<void> {
    if (!groupOf(this.spec(node)).configDirs.includes(dir)) throw new HakitError(`${node} has no config folder ${dir}`);
    copyConfig(from, dir, netnsEtc(node));
  }

  partition(cut: Cut, on: boolean): Promise<void> {
    return cutBetween(this, cut, on);
  }

  async logs(node: string): Promise<string> {
    this.spec(node);
    return readProc(join(nodeDir(node), 'node.log')) ?? '';
  }

  /** The data the nodes keep across `down` (one line per node's directory). */
  async keptData(): Promise<string[]> {
    return this.topology.nodes.filter((n) => existsSync(dataDir(n.name))).map((n) => `data directory ${dataDir(n.name)}`);
  }

  async down(progress: Progress, { volumes = false }: DownOptions = {}): Promise<void> {
    const names = await this.knownNodes();
    await progress.step('Stop every node', async () => {
      for (const name of names) await this.killAll(name);
    });
    await progress.step('Remove namespaces, links and files', async () => {
      for (const name of names) {
        await shMaybe`ip netns del ${nsName(name)}`;
        await shMaybe`ip link del ${vethName(name)}`;
        rmSync(netnsEtc(name), { recursive: true, force: true });
      }
      await shMaybe`ip link del ${BRIDGE}`;
      while ((await iptables('-D', ...FORWARD_RULE)) === 0);
      rmSync(join(stateDir, 'nodes'), { recursive: true, force: true });
      rmSync(appDir, { recursive: true, force: true });
      if (existsSync(NODE_RUN) && readdirSync(NODE_RUN).length === 0) rmdirSync(NODE_RUN);
      forgetFeatures();
    });
    const kept = await this.keptData();
    if (volumes)
      await progress.step("Remove the data nodes' data (--volumes)", async () => rmSync(dataRoot, { recursive: true, force: true }));
    else if (kept.length) progress.info(`Kept the data nodes' data (${dataRoot}); \`hakit down --volumes\` removes it`);
  }

  /** SIGKILL every process of the node. */
  private async killAll(node: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const pids = await this.pids(node);
      if (pids.length === 0) return;
      for (const p of pids) signal(p, 'SIGKILL');
      await sleep(20);
    }
    throw new HakitError(`could not kill every process of ${node}`);
  }

  private spec(node: string): NodeSpec {
    return requireNode(this.topology, node);
  }
}

/**
 * A config folder copied root-owned (keepalived refuses scripts its script_user could modify),
 * file by file into the existing directory: the node has that directory bind-mounted, so a new
 * directory renamed over it would stay unseen there.
 */
function copyConfig(from: string, dir: string, etc: string): void {
  cpSync(join(from, dir), join(etc, dir), { recursive: true, force: true, filter: (src) => !src.endsWith('.ts') });
}

/** A root-owned copy under the node's /etc; its directory only root may enter (a key may be in it). */
function writeNodeFile(etc: string, f: NodeFile): void {
  const path = join(etc, f.path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  writeFileSync(path, f.content, { mode: f.mode });
  chmodSync(path, f.mode); // writeFileSync keeps the mode of an existing file
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, …]. */
function procStat(pid: number): string[] | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Alive and not a zombie: where nothing reaps orphans (some containers' PID 1), zombies stay. */
function isAlive(pid: number): boolean {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function groupMembers(pgrp: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => procStat(pid)?.[2] === String(pgrp));
}

async function iptables(...args: string[]): Promise<number> {
  const r = await shMaybe`iptables -w ${args}`;
  return r.exitCode ?? 1;
}
