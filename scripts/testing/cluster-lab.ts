// A real Redis Cluster on loopback for tests: nine nodes (three primaries, two replicas each by
// default), each started by the kit's own node entrypoint (redis/cluster-entrypoint, with
// redis/cluster-node.conf) on a free port, in a temp dir, with generated ACL users, and formed
// and checked with the same redis-cli commands `hakit up` runs (groups/cluster/form.ts). So a
// test here also checks the node's config by starting it. A node can die hard (SIGKILL), freeze
// (SIGSTOP: a primary cut off from everyone) and come back on its kept data. Everything is
// stopped by stop(), and by a process exit hook if a test crashed before it.
//
// Reusable: a feature that keeps state on the cluster (the weather cache, the chat) passes its
// app user's permissions (`appPermissions`) and gets its client settings from `clientSettings()`.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { clusterAppPermissions } from '../../backends/cluster/acl.js';
import type { ClusterSettings } from '../../backends/cluster/settings.js';
import { checkArgs, checkVerdict, clusterShape, createArgs, type CheckVerdict } from '../groups/cluster/form.js';
import { parseClusterInfo, parseClusterNodes, type ClusterNodeLine } from '../groups/cluster/cluster-nodes.js';
import { packageRoot } from '../paths.js';
import { freePort, loopback, until } from './redis-lab.js';

const run = promisify(execFile);

export interface ClusterLabOptions {
  primaries?: number;
  replicasEach?: number;
  /** cluster-node-timeout, ms (the kit's default: 250). */
  nodeTimeoutMs?: number;
  /** The app user's permissions (default: every feature's, backends/cluster/acl.ts). */
  appPermissions?: string[];
  /** Nodes started beside the cluster but not formed into it (the chat's fourth shard joins from these). */
  spares?: number;
}

export interface ClusterLabUser {
  user: string;
  password: string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid) signalGroup(c.pid, 'SIGKILL');
});

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // gone
  }
}

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

/** A client port whose cluster bus port (+10000) is free as well. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p + 10000 > 65535) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(p + 10000, loopback, () => s.close(() => resolve(true)));
    });
    if (bus) return p;
  }
}

export class ClusterNodeProcess {
  private child?: ChildProcess;
  constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  get address() {
    return { host: loopback, port: this.port };
  }

  /** The redis-server's own pid (the entrypoint writes it). */
  private serverPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'run', 'redis.pid'), 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  }

  private exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  running(): boolean {
    return alive(this.serverPid()) && !this.exited();
  }

  start(): void {
    rmSync(join(this.dir, 'run', 'redis.pid'), { force: true });
    const child = spawn('sh', [join(packageRoot, 'redis', 'cluster-entrypoint')], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.env },
    });
    child.stderr?.resume();
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
  }

  /** SIGKILL of the entrypoint and its server (a hard death); resolves once both are gone. */
  async kill(): Promise<void> {
    const pid = this.serverPid();
    if (this.child?.pid) signalGroup(this.child.pid, 'SIGKILL');
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await until(`${this.name} to die`, async () => !alive(pid) && this.exited(), 5000);
  }

  /** SIGSTOP: the node stops answering anyone (clients and its peers), as if cut off. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  /** A signal to the server, if it still runs (a stale pid file names a process long gone). */
  private signal(sig: NodeJS.Signals): void {
    const pid = this.serverPid();
    if (pid && alive(pid)) process.kill(pid, sig);
  }

  /** SIGTERM: a primary hands over to a replica first (the entrypoint's planned hand-over). */
  async terminate(): Promise<void> {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGTERM');
    await until(`${this.name} to stop`, async () => this.exited(), 15_000);
  }
}

export class ClusterLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'hakit-cluster-'));
  readonly users: { admin: ClusterLabUser; app: ClusterLabUser; replica: ClusterLabUser };
  readonly nodes: ClusterNodeProcess[] = [];
  /** Started, blank, not part of the cluster (options.spares). */
  readonly spares: ClusterNodeProcess[] = [];
  readonly nodeTimeoutMs: number;
  private admins = new Map<ClusterNodeProcess, Redis>();

  private constructor(readonly options: ClusterLabOptions) {
    const secret = () => randomBytes(12).toString('hex');
    // The kit's user names: the entrypoint writes them.
    this.users = {
      admin: { user: 'admin', password: secret() },
      app: { user: 'app', password: secret() },
      replica: { user: 'replica', password: secret() },
    };
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 250;
  }

  static async start(o: ClusterLabOptions = {}): Promise<ClusterLab> {
    const lab = new ClusterLab(o);
    try {
      await lab.startNodes();
      await lab.form();
      return lab;
    } catch (err) {
      // The start's own error is the one to see, not a cleanup's.
      await lab.stop().catch(() => undefined);
      throw err;
    }
  }

  private async startNodes(): Promise<void> {
    const primaries = this.options.primaries ?? clusterShape.primaries;
    const count = primaries * (1 + (this.options.replicasEach ?? clusterShape.replicasEach));
    // The redis user runs the servers: it must reach the shared config and its own directories.
    chmodSync(this.dir, 0o755);
    const conf = join(this.dir, 'conf');
    mkdirSync(conf);
    for (const f of ['cluster-node.conf', 'alive']) copyFileSync(join(packageRoot, 'redis', f), join(conf, f));
    chmodSync(join(conf, 'alive'), 0o755);
    const ports: number[] = [];
    for (let i = 0; i < count + (this.options.spares ?? 0); i++) ports.push(await freeClusterPort());
    for (const [i, port] of ports.entries()) {
      const name = `cluster${i + 1}`;
      const dir = join(this.dir, name);
      mkdirSync(join(dir, 'run'), { recursive: true });
      const node = new ClusterNodeProcess(name, port, dir, {
        NODE_NAME: name,
        NODE_ADDRESS: loopback,
        REDIS_PORT: String(port),
        DATA_DIR: join(dir, 'data'),
        RUN_DIR: join(dir, 'run'),
        CONFIG_DIR: conf,
        CLUSTER_NODE_TIMEOUT_MS: String(this.nodeTimeoutMs),
        CLUSTER_ADMIN_PASSWORD: this.users.admin.password,
        CLUSTER_APP_PASSWORD: this.users.app.password,
        CLUSTER_REPLICA_PASSWORD: this.users.replica.password,
        CLUSTER_APP_ACL: (this.options.appPermissions ?? clusterAppPermissions()).join(' '),
      });
      node.start();
      (i < count ? this.nodes : this.spares).push(node);
    }
    for (const n of [...this.nodes, ...this.spares])
      await until(`${n.name} to answer`, async () => (await this.admin(n).ping()) === 'PONG');
  }

  /** redis-cli as the admin user (the password in REDISCLI_AUTH); never rejects. */
  async redisCli(args: string[], timeoutMs = 30_000): Promise<{ stdout: string; exitCode: number }> {
    try {
      const r = await run('redis-cli', ['--no-auth-warning', '--user', 'admin', ...args], {
        env: { ...process.env, REDISCLI_AUTH: this.users.admin.password },
        timeout: timeoutMs,
      });
      return { stdout: r.stdout, exitCode: 0 };
    } catch (err) {
      const e = err as { stdout?: string; code?: number };
      return { stdout: e.stdout ?? '', exitCode: typeof e.code === 'number' ? e.code : 1 };
    }
  }

  private async form(): Promise<void> {
    const r = await this.redisCli(
      createArgs(
        this.nodes.map((n) => n.address),
        this.options.replicasEach ?? clusterShape.replicasEach,
      ),
    );
    if (r.exitCode !== 0) throw new Error(`redis-cli --cluster create failed:\n${r.stdout}`);
    // Nine servers forming while the other unit tests load both cores: 30 s ran out once in CI.
    await this.waitHealthy(60_000);
    await this.prime();
  }

  /**
   * One write on each shard. Redis 7.0 leaves a replica out of CLUSTER SLOTS (what clients learn
   * the topology from) while its replication offset is 0, which it is on a new cluster until the
   * first write or its primary's first replication ping (every 10 s): a client made before either
   * would not know any replica to read from.
   */
  private async prime(): Promise<void> {
    for (const p of (await this.view()).filter((l) => l.primary)) {
      const [start] = p.slots[0]!;
      let i = 0;
      while (calculateSlot(`hakit:prime:${i}`) < start || calculateSlot(`hakit:prime:${i}`) > p.slots[0]![1]) i++;
      const primary = this.admin(this.nodeAt(p));
      await primary.set(`hakit:prime:${i}`, '1');
      await primary.call('WAIT', String(this.options.replicasEach ?? clusterShape.replicasEach), '2000');
    }
  }

  /** `--cluster check` from the first node that runs. */
  async check(): Promise<CheckVerdict> {
    const at = this.nodes.find((n) => n.running()) ?? this.nodes[0]!;
    const r = await this.redisCli(checkArgs(at.address));
    return checkVerdict(r.stdout, r.exitCode);
  }

  /** An admin connection to a node (kept, closed by stop(); reconnects after a restart). */
  admin(n: ClusterNodeProcess): Redis {
    const known = this.admins.get(n);
    if (known) return known;
    const c = new Redis({
      ...n.address,
      username: this.users.admin.user,
      password: this.users.admin.password,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      // Reads on a replica too (READONLY on connect), for checks of what each node holds.
      readOnly: true,
      retryStrategy: () => 100,
    });
    c.on('error', () => undefined);
    this.admins.set(n, c);
    return c;
  }

  /** CLUSTER NODES as seen by `from` (default: the first running node that answers). */
  async view(from?: ClusterNodeProcess): Promise<ClusterNodeLine[]> {
    for (const n of from ? [from] : this.nodes.filter((x) => x.running())) {
      const text = await (this.admin(n).call('CLUSTER', 'NODES') as Promise<string>).catch(() => undefined);
      if (text) return parseClusterNodes(text);
    }
    throw new Error('no cluster node answers');
  }

  nodeAt(line: Pick<ClusterNodeLine, 'port'>): ClusterNodeProcess {
    const n = [...this.nodes, ...this.spares].find((x) => x.port === line.port);
    if (!n) throw new Error(`no lab node on port ${line.port}`);
    return n;
  }

  /** The primary serving `slot`, as the running nodes see it now. */
  async primaryOfSlot(slot: number): Promise<ClusterNodeProcess> {
    const p = (await this.view()).find((l) => l.primary && !l.failing && l.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!p) throw new Error(`no primary serves slot ${slot}`);
    return this.nodeAt(p);
  }

  async replicasOf(primary: ClusterNodeProcess): Promise<ClusterNodeProcess[]> {
    const v = await this.view();
    const id = v.find((l) => l.port === primary.port)?.id;
    return v.filter((l) => l.masterId === id && !l.failing).map((l) => this.nodeAt(l));
  }

  /**
   * Every running node says cluster_state:ok and agrees on the shape: the expected primaries,
   * each with its replicas connected and none failing; then `--cluster check` is clean.
   */
  async waitHealthy(ms = 30_000): Promise<void> {
    const primaries = this.options.primaries ?? clusterShape.primaries;
    const replicasEach = this.options.replicasEach ?? clusterShape.replicasEach;
    await until(
      'the cluster to be whole',
      async () => {
        const running = this.nodes.filter((n) => n.running());
        if (running.length !== this.nodes.length) return false;
        for (const n of running) {
          const info = parseClusterInfo((await this.admin(n).call('CLUSTER', 'INFO')) as string);
          if (info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== this.nodes.length) return false;
          const v = await this.view(n);
          const ps = v.filter((l) => l.primary && l.slots.length > 0);
          if (ps.length !== primaries || v.some((l) => l.failing || l.linkState !== 'connected')) return false;
          if (!ps.every((p) => v.filter((l) => l.masterId === p.id).length === replicasEach)) return false;
        }
        return (await this.check()).ok;
      },
      ms,
    );
  }

  /** The backends' settings for this cluster (the app user, the kit's client). */
  clientSettings(over: Partial<ClusterSettings> = {}): ClusterSettings {
    return {
      nodes: this.nodes.map((n) => n.address),
      user: this.users.app.user,
      password: this.users.app.password,
      nodeTimeoutMs: this.nodeTimeoutMs,
      commandTimeoutMs: 200,
      profile: 'kit',
      ...over,
    };
  }

  async stop(): Promise<void> {
    for (const c of this.admins.values()) c.disconnect();
    const all = [...this.nodes, ...this.spares];
    for (const n of all) n.resume();
    await Promise.all(all.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
