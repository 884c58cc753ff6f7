// The shortener's servers on loopback for tests, started by the kit's own entrypoints
// (shortener/*-entrypoint), so the tests check the nodes' real configs: three nats-servers with
// JetStream, three etcd members with authentication on, one or two Patroni-managed Postgres 15,
// and a Redis per backend. Ports are free ones; everything lives in a temp dir and is killed by
// stop(), or by the exit hook if a test crashed first. Run inside a slot (root: the entrypoints
// drop to each package's user).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { cacheAclRules } from '../../backends/shortener/cache.js';
import type { ShortenerSettings } from '../../backends/shortener/settings.js';
import { freePort, until } from './redis-lab.js';

const loopback = '127.0.0.1';
const dir = join(packageRoot, 'shortener');
const live = new Set<ChildProcess>();
/** The Postgres data directories of the nodes started: their postmasters are not in the node's group. */
const pgdatas = new Set<string>();
process.once('exit', () => {
  for (const c of live) killGroup(c);
  for (const d of pgdatas) signalPostmaster(d);
});

function killGroup(c: ChildProcess): void {
  try {
    if (c.pid) process.kill(-c.pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** True once the process has exited (a zombie waiting for its reaper counts as gone). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** SIGKILLs the postmaster of this data directory, if one runs; its pid, or undefined. */
function signalPostmaster(pgdata: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // A stale file may name a pid reused since: only a process of this data directory is killed.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pgdata)) return undefined;
    process.kill(pid, 'SIGKILL');
    return pid;
  } catch {
    return undefined; // no Postgres here, or gone
  }
}

/** Kills the data directory's postmaster and waits (≤ 5 s) for it to go. */
async function killPostmaster(pgdata: string): Promise<void> {
  const pid = signalPostmaster(pgdata);
  if (pid !== undefined) await until(`postgres ${pid} to exit`, async () => gone(pid), 5000).catch(() => undefined);
}

const pgdataOf = (n: LabNode) => join(n.env.DATA_DIR!, 'pgdata');

const secret = () => randomBytes(12).toString('hex');

export interface LabNode {
  name: string;
  env: Record<string, string>;
  entrypoint: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

export interface ShortenerLabOptions {
  /** Postgres nodes: 1 (a primary) or 2 (primary + standby, failover by Patroni). */
  postgres?: 1 | 2;
}

export class ShortenerLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'hakit-shortener-'));
  readonly nodes = new Map<string, LabNode>();
  readonly secrets = {
    nats: { app: secret(), admin: secret(), route: secret() },
    etcd: { root: secret(), patroni: secret(), app: secret() },
    pg: { superuser: secret(), replication: secret(), rewind: secret(), app: secret(), api: secret() },
    cache: { admin: secret(), app: secret() },
  };
  natsPorts: number[] = [];
  natsMonitor: number[] = [];
  etcdPorts: number[] = [];
  pgPorts: number[] = [];
  apiPorts: number[] = [];
  cachePorts = new Map<string, number>();

  static async start(o: ShortenerLabOptions = {}): Promise<ShortenerLab> {
    const lab = new ShortenerLab();
    chmodSync(lab.dir, 0o755);
    try {
      await lab.boot(o);
      return lab;
    } catch (err) {
      await lab.stop();
      throw err;
    }
  }

  private add(name: string, entrypoint: string, env: Record<string, string>): LabNode {
    const node: LabNode = { name, entrypoint, env: { NODE_NAME: name, NODE_ADDRESS: loopback, DATA_DIR: join(this.dir, name), ...env } };
    this.nodes.set(name, node);
    return node;
  }

  /** Starts (or starts again) a node's entrypoint; its data directory is kept. */
  launch(name: string): void {
    const n = this.nodes.get(name)!;
    const child = spawn(join(dir, n.entrypoint), [], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...n.env },
    });
    live.add(child);
    pgdatas.add(pgdataOf(n));
    n.child = child;
    n.exited = new Promise((r) => child.once('exit', () => r()));
    void n.exited.then(() => live.delete(child)); // why void: bookkeeping only
  }

  /**
   * A hard death: SIGKILL of the node's whole process group, and of its Postgres, which Patroni
   * starts in a session of its own (so that Postgres outlives a Patroni restart).
   */
  async kill(name: string): Promise<void> {
    const n = this.nodes.get(name)!;
    if (n.child) killGroup(n.child);
    await n.exited;
    await killPostmaster(pgdataOf(n));
  }

  private async boot(o: ShortenerLabOptions): Promise<void> {
    this.natsPorts = await Promise.all([0, 1, 2].map(freePort));
    this.natsMonitor = await Promise.all([0, 1, 2].map(freePort));
    const clusterPorts = await Promise.all([0, 1, 2].map(freePort));
    this.etcdPorts = await Promise.all([0, 1, 2].map(freePort));
    const etcdPeers = await Promise.all([0, 1, 2].map(freePort));
    const pgCount = o.postgres ?? 1;
    this.pgPorts = await Promise.all(Array.from({ length: pgCount }, freePort));
    this.apiPorts = await Promise.all(Array.from({ length: pgCount }, freePort));
    for (const b of ['backend1', 'backend2']) this.cachePorts.set(b, await freePort());

    const peers = clusterPorts.map((p) => `${loopback}:${p}`).join(' ');
    for (let i = 0; i < 3; i++)
      this.add(`nats${i + 1}`, 'nats-entrypoint', {
        PEERS: peers,
        NATS_APP_PASSWORD: this.secrets.nats.app,
        NATS_ADMIN_PASSWORD: this.secrets.nats.admin,
        NATS_ROUTE_PASSWORD: this.secrets.nats.route,
        CLIENT_PORT: String(this.natsPorts[i]),
        CLUSTER_PORT: String(clusterPorts[i]),
        MONITOR_PORT: String(this.natsMonitor[i]),
      });
    const initial = etcdPeers.map((p, i) => `etcd${i + 1}=http://${loopback}:${p}`).join(',');
    for (let i = 0; i < 3; i++)
      this.add(`etcd${i + 1}`, 'etcd-entrypoint', {
        INITIAL_CLUSTER: initial,
        CLIENT_PORT: String(this.etcdPorts[i]),
        PEER_PORT: String(etcdPeers[i]),
        // The entrypoint turns auth on itself (etcd-auth until it is on), as on the kit's nodes.
        ENDPOINTS: this.etcdEndpoints().join(','),
        ETCD_ROOT_PASSWORD: this.secrets.etcd.root,
        ETCD_PATRONI_PASSWORD: this.secrets.etcd.patroni,
        ETCD_APP_PASSWORD: this.secrets.etcd.app,
      });
    for (let i = 0; i < pgCount; i++)
      this.add(`pg${i + 1}`, 'pg-entrypoint', {
        ETCD_HOSTS: this.etcdEndpoints().join(','),
        ETCD_PATRONI_PASSWORD: this.secrets.etcd.patroni,
        PG_SUPERUSER_PASSWORD: this.secrets.pg.superuser,
        PG_REPLICATION_PASSWORD: this.secrets.pg.replication,
        PG_REWIND_PASSWORD: this.secrets.pg.rewind,
        PG_APP_PASSWORD: this.secrets.pg.app,
        PATRONI_API_PASSWORD: this.secrets.pg.api,
        PG_PORT: String(this.pgPorts[i]),
        API_PORT: String(this.apiPorts[i]),
      });
    for (const [b, port] of this.cachePorts)
      this.add(`cache-${b}`, 'cache-entrypoint', {
        CACHE_ADMIN_PASSWORD: this.secrets.cache.admin,
        CACHE_APP_PASSWORD: this.secrets.cache.app,
        CACHE_APP_ACL: cacheAclRules,
        PORT: String(port),
      });

    for (const name of this.nodes.keys()) if (!name.startsWith('pg')) this.launch(name);
    await until('the log nodes to be healthy', () => this.natsHealthy(), 30_000);
    await until('etcd to have a leader', async () => (await this.etcdAuth()) === 0, 30_000);
    this.launch('pg1');
    await until('Postgres pg1 to be primary', () => this.isPrimary(0), 90_000);
    if (pgCount === 2) {
      this.launch('pg2');
      await until('Postgres pg2 to stream from pg1', () => this.isStreaming(1), 90_000);
    }
  }

  etcdEndpoints(): string[] {
    return this.etcdPorts.map((p) => `${loopback}:${p}`);
  }

  private etcdAuth(): Promise<number> {
    return new Promise((resolve) => {
      const c = spawn(join(dir, 'etcd-auth'), [], {
        stdio: 'ignore',
        env: {
          PATH: process.env.PATH ?? '',
          ENDPOINTS: this.etcdEndpoints().join(','),
          ETCD_ROOT_PASSWORD: this.secrets.etcd.root,
          ETCD_PATRONI_PASSWORD: this.secrets.etcd.patroni,
          ETCD_APP_PASSWORD: this.secrets.etcd.app,
        },
      });
      c.once('exit', (code) => resolve(code ?? 1));
    });
  }

  async natsHealthy(): Promise<boolean> {
    const r = await Promise.all(
      this.natsMonitor.map((p) =>
        fetch(`http://${loopback}:${p}/jsz`, { signal: AbortSignal.timeout(1000) })
          .then((res) => res.json() as Promise<{ meta_cluster?: { leader?: string } }>)
          .then((j) => Boolean(j.meta_cluster?.leader))
          .catch(() => false),
      ),
    );
    return r.filter(Boolean).length >= 2;
  }

  /** Patroni's REST API on pg node `i`: 200 on /primary while it leads. */
  async isPrimary(i: number): Promise<boolean> {
    const r = await fetch(`http://${loopback}:${this.apiPorts[i]}/primary`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    return r?.status === 200;
  }

  async isStreaming(i: number): Promise<boolean> {
    const r = await fetch(`http://${loopback}:${this.apiPorts[i]}/patroni`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    if (!r?.ok) return false;
    const j = (await r.json()) as { role?: string; state?: string; replication_state?: string; xlog?: { received_location?: number } };
    return j.role === 'replica' && j.state === 'running' && j.xlog?.received_location !== undefined;
  }

  /** The shortener's settings for one backend of the lab. */
  settings(node: 'backend1' | 'backend2', over: Partial<ShortenerSettings> = {}): ShortenerSettings {
    return {
      node,
      nats: { servers: this.natsPorts.map((p) => `${loopback}:${p}`), user: 'app', password: this.secrets.nats.app },
      postgres: {
        hosts: this.pgPorts.map((port) => ({ host: loopback, port })),
        user: 'shortener',
        password: this.secrets.pg.app,
        database: 'shortener',
      },
      etcd: { endpoints: this.etcdEndpoints(), user: 'app', password: this.secrets.etcd.app },
      redis: new Map([...this.cachePorts].map(([b, port]) => [b, { host: loopback, port }])),
      redisUser: 'app',
      redisPassword: this.secrets.cache.app,
      baseUrl: 'http://short.test/',
      batchSize: 100,
      flushMs: 500,
      leaseTtlS: 2,
      ...over,
    };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((n) => this.kill(n)));
    for (const n of this.nodes.values()) pgdatas.delete(pgdataOf(n));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
