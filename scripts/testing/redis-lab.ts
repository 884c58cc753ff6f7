// Real redis-server and redis-sentinel processes on loopback for tests: each on a free port, in a
// temp dir, with generated ACL users (the backends' own rules, an admin for the test itself) and
// `user default off`, so a test sees the NOPERM a missing rule would cause on the kit's nodes.
// Everything is stopped by stop(), and by a process exit hook if a test crashed before it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { backendAclRules, sentinelClientAclRules } from '../../backends/redis/acl.js';
import { createDirectClient } from '../../backends/redis/client.js';
import type { VisitSettings } from '../../backends/redis/settings.js';
import { parseTimeZone } from '../../backends/visits/day.js';

export const loopback = '127.0.0.1';
export const masterName = 'hakit';

export interface LabUsers {
  admin: { user: string; password: string };
  backend: { user: string; password: string };
  sentinelClient: { user: string; password: string };
}

export interface RedisProcess {
  name: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL (a hard death) and wait for the exit. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** A free TCP port on loopback (the kernel picks it; a tiny race with other processes remains). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, loopback, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const secret = () => randomBytes(12).toString('hex');

export function generateUsers(): LabUsers {
  return {
    admin: { user: 'hk-admin', password: secret() },
    backend: { user: 'hk-backend', password: secret() },
    sentinelClient: { user: 'hk-sentinel-client', password: secret() },
  };
}

function startProcess(bin: string, name: string, conf: string, port: number): RedisProcess {
  const child = spawn(bin, [conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child)); // why void: bookkeeping only
  return {
    name,
    port,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` every 50 ms until it returns true, at most `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

export interface LabOptions {
  /** Replicas of the primary (0: a lone server). */
  replicas?: number;
  /** Sentinels watching them (0: none), quorum 2 when there are 3 or more. */
  sentinels?: number;
  /** min-replicas-to-write on every data node (0: off). */
  minReplicasToWrite?: number;
  downAfterMs?: number;
}

export class RedisLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'hakit-redis-'));
  readonly users = generateUsers();
  readonly nodes: RedisProcess[] = [];
  readonly sentinels: RedisProcess[] = [];
  private admins = new Map<RedisProcess, Redis>();

  static async start(o: LabOptions = {}): Promise<RedisLab> {
    const lab = new RedisLab();
    try {
      await lab.startNodes(o);
      return lab;
    } catch (err) {
      await lab.stop();
      throw err;
    }
  }

  private async startNodes(o: LabOptions): Promise<void> {
    const count = 1 + (o.replicas ?? 0);
    const ports = await Promise.all(Array.from({ length: count }, freePort));
    for (const [i, port] of ports.entries()) {
      const name = `redis${i + 1}`;
      const conf = join(this.dir, `${name}.conf`);
      const { admin, backend } = this.users;
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${loopback}`,
          `dir ${this.dir}`,
          `dbfilename ${name}.rdb`,
          'save ""',
          'appendonly no',
          'protected-mode yes',
          'user default off',
          `user ${admin.user} on >${admin.password} ~* &* +@all`,
          `user ${backend.user} ${backendAclRules(backend.password).join(' ')}`,
          `masteruser ${admin.user}`,
          `masterauth ${admin.password}`,
          `min-replicas-to-write ${o.minReplicasToWrite ?? 0}`,
          'min-replicas-max-lag 2',
          'repl-diskless-sync yes',
          'repl-diskless-sync-delay 0',
          i > 0 ? `replicaof ${loopback} ${ports[0]}` : '',
        ].join('\n') + '\n',
      );
      this.nodes.push(startProcess('redis-server', name, conf, port));
    }
    for (const n of this.nodes) await until(`${n.name} to answer`, async () => (await this.admin(n).ping()) === 'PONG');
    if (count > 1) await this.waitReplicasOnline(this.nodes[0]!, count - 1);
    await this.startSentinels(o);
  }

  private async startSentinels(o: LabOptions): Promise<void> {
    const n = o.sentinels ?? 0;
    if (!n) return;
    const quorum = n >= 3 ? 2 : 1;
    const ports = await Promise.all(Array.from({ length: n }, freePort));
    const { admin, sentinelClient } = this.users;
    for (const [i, port] of ports.entries()) {
      const name = `sentinel${i + 1}`;
      const conf = join(this.dir, `${name}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${loopback}`,
          `dir ${this.dir}`,
          'protected-mode yes',
          'user default off',
          `user ${admin.user} on >${admin.password} ~* &* +@all`,
          `user ${sentinelClient.user} ${sentinelClientAclRules(sentinelClient.password).join(' ')}`,
          `sentinel sentinel-user ${admin.user}`,
          `sentinel sentinel-pass ${admin.password}`,
          `sentinel monitor ${masterName} ${loopback} ${this.nodes[0]!.port} ${quorum}`,
          `sentinel auth-user ${masterName} ${admin.user}`,
          `sentinel auth-pass ${masterName} ${admin.password}`,
          `sentinel down-after-milliseconds ${masterName} ${o.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 2`,
        ].join('\n') + '\n',
      );
      this.sentinels.push(startProcess('redis-sentinel', name, conf, port));
    }
    // Ready when every Sentinel knows the primary, its replicas and the other Sentinels.
    for (const s of this.sentinels)
      await until(`${s.name} to see the whole set`, async () => {
        const c = this.admin(s);
        const master = (await c.call('SENTINEL', 'MASTER', masterName)) as string[];
        const field = (k: string) => Number(master[master.indexOf(k) + 1]);
        return field('num-slaves') === this.nodes.length - 1 && field('num-other-sentinels') === n - 1;
      });
  }

  /** An admin connection to a node or Sentinel (kept, closed by stop()). */
  admin(p: RedisProcess): Redis {
    const known = this.admins.get(p);
    if (known) return known;
    const c = new Redis({
      host: loopback,
      port: p.port,
      username: this.users.admin.user,
      password: this.users.admin.password,
      maxRetriesPerRequest: 1,
      // A node that was killed and restarted is reached again.
      retryStrategy: () => 100,
    });
    c.on('error', () => undefined);
    this.admins.set(p, c);
    return c;
  }

  async waitReplicasOnline(primary: RedisProcess, replicas: number): Promise<void> {
    const c = this.admin(primary);
    await until(`${replicas} replica(s) online`, async () => {
      const info = await c.info('replication');
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length >= replicas;
    });
  }

  /** The node Sentinels name as primary now. */
  async primaryPort(): Promise<number> {
    const alive = this.sentinels.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    const [, port] = (await this.admin(alive[0]!).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
    return Number(port);
  }

  /** Settings for the backend's client (REDIS_* as the node group would set them). */
  sentinelEndpoints(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: loopback, port: s.port }));
  }

  async stop(): Promise<void> {
    for (const c of this.admins.values()) c.disconnect();
    await Promise.all([...this.sentinels, ...this.nodes].map((p) => p.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The backend's own client (its ACL user, its options) straight to one node, no Sentinel. */
export function backendDirectClient(lab: RedisLab, node: RedisProcess, commandTimeoutMs = 150): Redis {
  const c = createDirectClient(loopback, node.port, { ...lab.users.backend, commandTimeoutMs });
  c.on('error', () => undefined);
  return c;
}

/** Resolves once the client is ready (connected, authenticated, ready check passed). */
export function ready(client: Redis, ms = 5000): Promise<void> {
  return until('the client to be ready', async () => client.status === 'ready', ms);
}

export const testVisitSettings = (over: Partial<VisitSettings> = {}): VisitSettings => ({
  timeZone: parseTimeZone('UTC'),
  retainDays: 30,
  logCap: 1000,
  deadlineMs: 250,
  ...over,
});
