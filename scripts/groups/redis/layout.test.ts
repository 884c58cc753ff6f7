// The bench's textbook data tier as the course builds it, checked by starting it: the kit's own
// entrypoint (redis/redis-entrypoint) on three loopback addresses, each with the environment the
// netns runtime gives the node (the group's launch, the textbook profile's), then asking the
// servers what they run: a primary and one replica, one Sentinel with quorum 1 and the default
// timings on the third node, which runs no Redis; no Sentinel beside either Redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../paths.js';
import { backendProfileEnv, profiles } from '../../stack/profiles.js';
import { dataNodes, defaultTopology, type Topology } from '../../stack/topology.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../testing/prerequisites.js';
import { until } from '../../testing/redis-lab.js';
import { askNode, MASTER_NAME, REDIS_PORT, SENTINEL_PORT } from './client.js';
import { redisGroup } from './index.js';
import { redisSecrets } from '../secrets.js';
import { parseParts } from './status.js';

// Root: the entrypoint hands its files to the redis user and drops to it, as in a node.
const missing = await missingPrerequisites(['redis-server', 'redis-sentinel', 'redis-cli', 'setpriv']);

/** The default topology with its data nodes on a loopback /24 of their own (no other test's ports). */
function loopbackTopology(): Topology {
  const net = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`;
  let i = 2;
  return { ...defaultTopology, nodes: defaultTopology.nodes.map((n) => (n.role === 'redis' ? { ...n, address: `${net}.${i++}` } : n)) };
}

const fields = (reply: unknown): Map<string, string> => {
  const m = new Map<string, string>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) m.set(String(reply[i]), String(reply[i + 1]));
  return m;
};

describe.skipIf(skipOutsideCi(missing))('the textbook profile on real servers', () => {
  const topology = loopbackTopology();
  const nodes = dataNodes(topology);
  const dir = mkdtempSync(join(tmpdir(), 'hakit-layout-'));
  const secrets = Object.fromEntries(redisSecrets.map((s) => [s, randomBytes(12).toString('hex')]));
  const admin = secrets.REDIS_ADMIN_PASSWORD!;
  const children: ChildProcess[] = [];
  const runDir = (name: string) => join(dir, name, 'run');

  beforeAll(async () => {
    failUnderCi(missing);
    chmodSync(dir, 0o755); // the redis user reaches each node's data directory below it
    const profileEnv = redisGroup.profileEnv!(profiles.textbook, topology);
    for (const node of nodes) {
      const { argv, env } = redisGroup.launch(node, {
        topology,
        credentials: { user: 'stats', password: 'x', secrets },
        profileEnv,
        appDir: packageRoot,
        dataDir: join(dir, node.name, 'data'),
        serverPem: () => '',
        clientEnv: () => ({}),
      });
      const entrypoint = argv[0]!.replace('/etc/redis', join(packageRoot, 'redis'));
      const child = spawn(entrypoint, argv.slice(1), {
        env: {
          PATH: process.env.PATH,
          ...env,
          RUN_DIR: runDir(node.name),
          CONF_DIR: join(packageRoot, 'redis'),
          LOCAL_ADDRESS: node.address,
        },
        detached: true, // its own process group: the servers it starts die with it
        stdio: 'ignore',
      });
      children.push(child);
    }
    const [, replica, sentinel] = nodes;
    await until(
      "the Sentinel to watch the primary's replica",
      async () =>
        fields(
          await askNode({ host: sentinel!.address, port: SENTINEL_PORT }, admin, (r) => r.call('SENTINEL', 'MASTER', MASTER_NAME)),
        ).get('num-slaves') === '1',
      20_000,
    );
    await until(
      'the replica to be in sync',
      async () =>
        ((await askNode({ host: replica!.address, port: REDIS_PORT }, admin, (r) => r.call('ROLE'))) as unknown[])?.[3] === 'connected',
      20_000,
    );
  }, 60_000);

  afterAll(() => {
    for (const c of children)
      try {
        if (c.pid) process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    rmSync(dir, { recursive: true, force: true });
  });

  it('one Sentinel, on the third node, quorum 1 and the default timings, watching the primary and its one replica', async () => {
    const [primary, , sentinel] = nodes;
    const masters = (await askNode({ host: sentinel!.address, port: SENTINEL_PORT }, admin, (r) =>
      r.call('SENTINEL', 'MASTERS'),
    )) as unknown[];
    expect(masters).toHaveLength(1);
    const m = fields(masters[0]);
    expect(m.get('name')).toBe(MASTER_NAME);
    expect(m.get('ip')).toBe(primary!.address);
    expect(m.get('quorum')).toBe('1');
    expect(m.get('down-after-milliseconds')).toBe('30000');
    expect(m.get('failover-timeout')).toBe('180000');
    expect(m.get('parallel-syncs')).toBe('1');
    expect(m.get('num-slaves')).toBe('1');
    expect(m.get('num-other-sentinels')).toBe('0');
  });

  it('two Redis servers, a primary and its replica, and no Sentinel beside either; no Redis beside the Sentinel', async () => {
    const [primary, replica, sentinel] = nodes;
    const ask = (host: string, port: number) => askNode({ host, port }, admin, (r) => r.call('PING'));
    expect(await ask(primary!.address, REDIS_PORT)).toBe('PONG');
    // Redis's default, not the kit's 1: the promoted replica, alone, still takes writes.
    expect(
      await askNode({ host: primary!.address, port: REDIS_PORT }, admin, (r) => r.call('CONFIG', 'GET', 'min-replicas-to-write')),
    ).toEqual(['min-replicas-to-write', '0']);
    expect(((await askNode({ host: replica!.address, port: REDIS_PORT }, admin, (r) => r.call('ROLE'))) as unknown[]).slice(0, 2)).toEqual([
      'slave',
      primary!.address,
    ]);
    expect(await ask(primary!.address, SENTINEL_PORT)).toBeUndefined();
    expect(await ask(replica!.address, SENTINEL_PORT)).toBeUndefined();
    expect(await ask(sentinel!.address, REDIS_PORT)).toBeUndefined();
    // What status and the health checks read: each node's parts, each alive.
    expect(nodes.map((n) => parseParts(readFileSync(join(runDir(n.name), 'parts'), 'utf8')))).toEqual([
      { redis: true, sentinel: false },
      { redis: true, sentinel: false },
      { redis: false, sentinel: true },
    ]);
    for (const n of nodes) expect(spawnSync(join(packageRoot, 'redis', 'whole'), [runDir(n.name)]).status, n.name).toBe(0);
  });

  it('each Redis without a Sentinel keeps the primary it follows, for a start while no Sentinel answers', async () => {
    const [primary, replica] = nodes;
    const seen = (name: string) => {
      try {
        return readFileSync(join(dir, name, 'data', 'primary-seen'), 'utf8').trim();
      } catch {
        return undefined;
      }
    };
    await until(
      'both to note the primary',
      async () => seen(primary!.name) === primary!.address && seen(replica!.name) === primary!.address,
      10_000,
    );
  });

  it('the backends ask that one Sentinel, without failover detection', () => {
    const env = backendProfileEnv(profiles.textbook, topology);
    expect(env.REDIS_SENTINELS).toBe(`${nodes[2]!.address}:${SENTINEL_PORT}`);
    expect(env.REDIS_FAILOVER_DETECTION).toBe('off');
  });
});
