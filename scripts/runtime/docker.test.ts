// compose.yaml as compose itself reads it (`docker compose config` / `docker-compose config`):
// valid, the same address plan as scripts/stack/topology.ts, hardened as documented. Needs compose
// but no engine.
import type Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { HakitError } from '../errors.js';
import { shMaybe } from '../sh.js';
import { failUnderCi, skipOutsideCi } from '../testing/prerequisites.js';
import { chatNodes, defaultTopology, lbs, shortenerNodes, weatherNodes, withFeatures } from '../stack/topology.js';
import { composeFile, detectCompose } from './docker-engine.js';
import { appAclEnv } from '../groups/redis/client-env.js';
import { groupOf } from '../groups/index.js';
import type { LaunchContext } from '../groups/group.js';
import { composeEnv, DockerRuntime, isComposeTopology, profileEnvOf } from './docker.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { profiles, unsupportedOn } from '../stack/profiles.js';

const composeCmd = await detectCompose();
const redisSecrets = {
  REDIS_ADMIN_PASSWORD: 'admin-pw',
  REDIS_APP_PASSWORD: 'app-pw',
  REDIS_REPLICA_PASSWORD: 'replica-pw',
  REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
  ...appAclEnv(),
};
const missing = composeCmd ? undefined : 'missing: docker compose or docker-compose';

async function config(env: Record<string, string>) {
  // PATH etc. kept, STATS_* only as given: the test must not inherit a developer's password.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(STATS|REDIS)_/.test(k))) as Record<string, string>;
  return shMaybe({ env: { ...base, ...env } })`${composeCmd!} -f ${composeFile} -p hakit config`;
}

/** Service name → its lines in compose's normalised YAML (services are at indent 2). */
function services(yaml: string): Map<string, string> {
  const out = new Map<string, string>();
  let inServices = false;
  let current: string | undefined;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = line.startsWith('services:');
      current = undefined;
      continue;
    }
    const m = inServices ? /^ {2}([\w-]+):\s*$/.exec(line) : null;
    if (m) {
      current = m[1]!;
      out.set(current, '');
    } else if (current) {
      out.set(current, out.get(current)! + line + '\n');
    }
  }
  return out;
}

describe.skipIf(skipOutsideCi(missing))('compose.yaml', () => {
  let yaml = '';
  beforeAll(async () => {
    failUnderCi(missing);
    const r = await config({ STATS_PASSWORD: 's3cret', TLS_PEM: 'test-pem', ...redisSecrets });
    expect(r.stderr).not.toMatch(/error|invalid/i);
    expect(r.exitCode).toBe(0);
    yaml = r.stdout;
  });

  it('refuses to start without a stats password, and says why', async () => {
    const r = await config({ TLS_PEM: 'test-pem', ...redisSecrets });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/STATS_PASSWORD/);
  });

  it("refuses to start without the data nodes' passwords, and says why", async () => {
    const r = await config({ STATS_PASSWORD: 's3cret', TLS_PEM: 'test-pem', ...redisSecrets, REDIS_APP_PASSWORD: '' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/REDIS_APP_PASSWORD/);
  });

  it('refuses to start without the server certificate, and says why', async () => {
    const r = await config({ STATS_PASSWORD: 's3cret', ...redisSecrets });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/TLS_PEM/);
  });

  it('gives the backends the app user of the data nodes, never the admin', () => {
    for (const [name, body] of services(yaml)) {
      if (!name.startsWith('backend')) continue;
      expect(body, name).toMatch(/REDIS_PASSWORD: app-pw\n/);
      expect(body, name).not.toContain('admin-pw');
    }
  });

  it("hands a profile's environment to both LBs and to nothing else", async () => {
    const r = await config({
      STATS_PASSWORD: 's3cret',
      TLS_PEM: 'test-pem',
      ...redisSecrets,
      ...profileEnvOf(defaultTopology, profiles.keepalive),
    });
    for (const [name, body] of services(r.stdout)) expect(/HTTP_MODE: keep-alive\n/.test(body), name).toBe(name.startsWith('lb'));
  });

  it('has the address plan of scripts/stack/topology.ts', () => {
    const svc = services(yaml);
    const all = [...defaultTopology.nodes, ...weatherNodes, ...chatNodes, ...shortenerNodes];
    expect([...svc.keys()].sort()).toEqual(all.map((n) => n.name).sort());
    for (const n of all) {
      expect(svc.get(n.name), n.name).toMatch(new RegExp(`ipv4_address: ${n.address.replace(/\./g, '\\.')}\\n`));
      expect(svc.get(n.name), n.name).toMatch(new RegExp(`hostname: ${n.name}\\n`));
    }
    // Each LB accepts VRRP only from the other (lb-entrypoint's filter).
    const [a, b] = lbs(defaultTopology);
    expect(svc.get(a!.name)).toMatch(new RegExp(`VRRP_PEER: ${b!.address.replace(/\./g, '\\.')}\n`));
    expect(svc.get(b!.name)).toMatch(new RegExp(`VRRP_PEER: ${a!.address.replace(/\./g, '\\.')}\n`));
    expect(yaml).toContain(`subnet: ${defaultTopology.subnet}`);
    expect(yaml).toContain(`gateway: ${defaultTopology.hostAddress}`);
  });

  it('grants network capabilities to the load balancers only, and hardens every node', () => {
    const lbNames = new Set(lbs(defaultTopology).map((n) => n.name));
    for (const [name, body] of services(yaml)) {
      expect(body, name).toMatch(/cap_drop:\n\s+- ALL\n/);
      expect(body, name).toMatch(/no-new-privileges:true/);
      expect(body, name).toMatch(/read_only: true/);
      expect(body, name).toMatch(/restart: ['"]?no['"]?\n/);
      expect(body, name).toMatch(/healthcheck:/);
      expect(/NET_ADMIN/.test(body), name).toBe(lbNames.has(name));
      if (lbNames.has(name)) {
        expect(body).toMatch(/NET_RAW/);
        // keepalived's vrrp_rt_priority needs it; without it keepalived runs at normal priority.
        expect(body).toMatch(/SYS_NICE/);
        expect(body).toMatch(/net\.ipv4\.ip_nonlocal_bind: ['"]?1/);
        expect(body).toMatch(/STATS_PASSWORD: s3cret/);
        expect(body).toMatch(/TLS_PEM: test-pem/);
        // HTTPS and the stats page's TLS port published beside :80 and :8404.
        expect(body).toMatch(/127\.0\.0\.1:\d+:443\b|target: 443\b/);
        expect(body).toMatch(/127\.0\.0\.1:\d+:8443\b|target: 8443\b/);
        // Published for hosts where the VIP is not routable (v1 prints short, v2 long syntax),
        // on loopback only.
        expect(body).toMatch(/127\.0\.0\.1:\d+:80\b|host_ip: 127\.0\.0\.1/);
        expect(body).not.toMatch(/0\.0\.0\.0/);
      }
    }
  });
});

describe.skipIf(skipOutsideCi(missing))('compose.yaml: each LB reads its configs from a host folder hakit can update (reload)', () => {
  it('mounts HAKIT_<NODE>_CONFIG/haproxy and /keepalived read-only, per LB', async () => {
    const r = await config({
      STATS_PASSWORD: 's3cret',
      TLS_PEM: 'test-pem',
      ...redisSecrets,
      HAKIT_LB1_CONFIG: '/srv/one',
      HAKIT_LB2_CONFIG: '/srv/two',
    });
    expect(r.exitCode).toBe(0);
    const svc = services(r.stdout);
    for (const [lb, dir] of [
      ['lb1', '/srv/one'],
      ['lb2', '/srv/two'],
    ] as const) {
      for (const d of ['haproxy', 'keepalived']) {
        // v1 prints the short syntax, v2 the long one.
        const short = `${dir}/${d}:/etc/${d}:ro`;
        const long = new RegExp(`source: ${dir}/${d}\\n\\s+target: /etc/${d}\\n\\s+read_only: true`);
        const body = svc.get(lb)!;
        expect(body.includes(short) || long.test(body), `${lb} ${d}`).toBe(true);
      }
    }
    for (const b of ['backend1', 'backend2']) expect(svc.get(b)).not.toMatch(/\/etc\/haproxy/);
  });
});

describe('DockerRuntime hard stop', () => {
  const runtimeWith = (wait: (opts: { abortSignal: AbortSignal }) => Promise<unknown>) => {
    const calls: string[] = [];
    const container = {
      inspect: async () => ({ State: { Running: true } }),
      kill: async () => void calls.push('kill'),
      wait: async (opts: { condition: string; abortSignal: AbortSignal }) => {
        calls.push(`wait ${opts.condition}`);
        return wait(opts);
      },
    };
    const docker = { listContainers: async () => [{ Id: 'c1' }], getContainer: () => container };
    return { rt: new DockerRuntime(defaultTopology, docker as unknown as Docker), calls };
  };

  it('kills, then waits on the engine for the container to stop', async () => {
    const { rt, calls } = runtimeWith(async () => ({ StatusCode: 137 }));
    await rt.stop('lb1', 'hard');
    expect(calls).toEqual(['kill', 'wait not-running']);
  });

  it('gives up after 2 s with a HakitError when the container does not stop', async () => {
    const { rt } = runtimeWith(
      ({ abortSignal }) => new Promise((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    await expect(rt.stop('lb1', 'hard')).rejects.toThrow(HakitError);
  });
});

describe('profiles on Docker', () => {
  const doc = parse(readFileSync(composeFile, 'utf8'), { merge: true, maxAliasCount: -1 }) as {
    'x-lb-profile-env': Record<string, null>;
    services: Record<string, { environment: Record<string, unknown> }>;
  };
  const envOnly = Object.values(profiles).filter((p) => !unsupportedOn(p, 'docker'));

  it.each(envOnly)('$name: compose.yaml passes every variable of the profile to the nodes of its group', (p) => {
    for (const node of defaultTopology.nodes) {
      const listed = Object.keys(doc.services[node.name]!.environment);
      for (const name of Object.keys(groupOf(node).profileEnv?.(p, defaultTopology) ?? {}))
        expect(listed, `${node.name} ${name}`).toContain(name);
    }
  });

  it('lists the profile variables without values, so that none is set unless hakit sets it', () => {
    expect(Object.values(doc['x-lb-profile-env']).every((v) => v === null)).toBe(true);
    expect(profileEnvOf(defaultTopology, profiles.tuned)).toEqual({});
    expect(profileEnvOf(defaultTopology, profiles.keepalive)).toEqual({ HTTP_MODE: 'keep-alive' });
  });

  it('refuses the peer profiles, which need packages the lb image does not carry', async () => {
    expect(unsupportedOn(profiles.ucarp, 'docker')).toMatch(/netns/);
    const rt = new DockerRuntime(defaultTopology, {} as unknown as Docker);
    await expect(
      rt.up({ progress: undefined as never, credentials: { user: 'u', password: 'p' }, profile: profiles.pacemaker }),
    ).rejects.toThrow(/netns runtime/);
  });
});

describe('opt-in features on Docker', () => {
  const creds = { user: 'u', password: 'p', secrets: redisSecrets };

  it('compose gets the profiles of the features on, and none for the default stack', () => {
    expect(composeEnv(defaultTopology, creds, 'unused').COMPOSE_PROFILES).toBe('');
    expect(composeEnv(withFeatures(defaultTopology, ['weather', 'shortener']), creds, 'unused').COMPOSE_PROFILES).toBe('weather,shortener');
  });

  // cluster-entrypoint exits at once without CLUSTER_APP_ACL: `up --with weather` then timed out on Docker.
  it("compose's values carry the ACLs the nodes' entrypoints require, as netns launches them", () => {
    const topology = withFeatures(defaultTopology, ['weather']);
    const env = composeEnv(topology, creds, 'unused');
    const cluster1 = topology.nodes.find((n) => n.name === 'cluster1')!;
    const ctx: LaunchContext = {
      topology,
      credentials: creds,
      profileEnv: {},
      appDir: '/app',
      dataDir: '/data',
      serverPem: () => '',
      clientEnv: () => ({}),
    };
    const launched = groupOf(cluster1).launch(cluster1, ctx).env;
    for (const name of ['REDIS_APP_ACL', 'SENTINEL_APP_ACL', 'CLUSTER_APP_ACL']) expect(env[name], name).toMatch(/\S/);
    expect(env.CLUSTER_APP_ACL).toBe(launched.CLUSTER_APP_ACL);
  });

  it("compose's values carry what the backends need to reach each group (NodeGroup.clientEnv)", () => {
    expect(composeEnv(defaultTopology, creds, 'unused').REDIS_SENTINELS).toMatch(/^10\.213\.0\.31:26379,/);
  });

  it('runs the default topology with any features, and refuses another address plan', () => {
    expect(isComposeTopology(defaultTopology)).toBe(true);
    expect(isComposeTopology(withFeatures(defaultTopology, ['weather', 'chat', 'shortener']))).toBe(true);
    const moved = structuredClone(defaultTopology);
    moved.nodes[0]!.address = '10.213.0.99';
    expect(isComposeTopology(moved)).toBe(false);
    expect(isComposeTopology({ ...defaultTopology, vip: '10.213.0.9' })).toBe(false);
  });
});
