import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shMaybe } from '../sh.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../testing/prerequisites.js';
import { NODE_RUN } from '../runtime/common.js';
import { SWARM_CONFIG_ROOT } from '../runtime/swarm.js';
import { buildStack, deepMerge, INHERITED_KEYS, stackFileText } from './stack-file.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed YAML is walked freely in assertions
type Yaml = Record<string, any>;

describe('deepMerge', () => {
  it('merges maps key by key, b winning', () => {
    expect(deepMerge({ a: 1, m: { x: 1, y: 2, deep: { p: 1 } } }, { b: 2, m: { y: 3, deep: { q: 2 } } })).toEqual({
      a: 1,
      b: 2,
      m: { x: 1, y: 3, deep: { p: 1, q: 2 } },
    });
  });

  it('replaces lists rather than concatenating them', () => {
    expect(deepMerge({ l: [1, 2, 3] }, { l: [4] })).toEqual({ l: [4] });
    expect(deepMerge([1, 2], [3])).toEqual([3]);
  });

  it('replaces a map by a scalar or list and the other way round', () => {
    expect(deepMerge({ k: { x: 1 } }, { k: 's' })).toEqual({ k: 's' });
    expect(deepMerge({ k: 's' }, { k: { x: 1 } })).toEqual({ k: { x: 1 } });
    expect(deepMerge({ k: { x: 1 } }, { k: [1] })).toEqual({ k: [1] });
    expect(deepMerge({ k: { x: 1 } }, { k: null })).toEqual({ k: null });
  });

  it('keeps a where b is undefined', () => {
    expect(deepMerge({ x: 1 }, undefined)).toEqual({ x: 1 });
    expect(deepMerge(5, undefined)).toBe(5);
    expect(deepMerge({ k: { x: 1 } }, { k: undefined })).toEqual({ k: { x: 1 } });
  });

  it('does not modify its arguments', () => {
    const a = { m: { x: 1 } };
    const b = { m: { y: 2 } };
    deepMerge(a, b);
    expect(a).toEqual({ m: { x: 1 } });
    expect(b).toEqual({ m: { y: 2 } });
  });
});

describe('buildStack on small files', () => {
  const compose = `
x-frag: &frag
  image: kit/app:1
  build: { context: . }
  sysctls: { net.ipv4.ip_nonlocal_bind: 1 }
  tmpfs: [/tmp]
  restart: "no"
  hostname: app
  security_opt: [no-new-privileges:true]
  cap_drop: [ALL]
  cap_add: [NET_ADMIN, KILL]
  read_only: true
  stop_grace_period: 15s
  healthcheck:
    test: ["CMD", "true"]
    interval: 2s
    retries: 3
services:
  app:
    <<: *frag
`;
  const swarm = `
version: "3.8"
services:
  web:
    x-hakit-from: x-frag
    cap_add: [KILL]
    healthcheck:
      interval: 9s
    deploy: { mode: global }
  plain:
    image: other/thing:2
networks:
  n: { driver: overlay }
`;

  it('inherits only the allowed keys and lets the service win', () => {
    const stack = buildStack(compose, swarm) as Yaml;
    const web = stack.services.web as Yaml;
    for (const k of ['build', 'sysctls', 'tmpfs', 'restart', 'hostname', 'security_opt', 'x-hakit-from'])
      expect(web, k).not.toHaveProperty(k);
    expect(web.image).toBe('kit/app:1');
    expect(web.cap_drop).toEqual(['ALL']);
    expect(web.read_only).toBe(true);
    expect(web.stop_grace_period).toBe('15s');
    // The service's own list replaces the fragment's; its own map keys win, the rest are kept.
    expect(web.cap_add).toEqual(['KILL']);
    expect(web.healthcheck).toEqual({ test: ['CMD', 'true'], interval: '9s', retries: 3 });
    expect(web.deploy).toEqual({ mode: 'global' });
    for (const k of Object.keys(web)) expect([...INHERITED_KEYS, 'deploy'] as string[]).toContain(k);
  });

  it('keeps a service without x-hakit-from as written, and the top-level keys', () => {
    const stack = buildStack(compose, swarm) as Yaml;
    expect(stack.services.plain).toEqual({ image: 'other/thing:2' });
    expect(stack.version).toBe('3.8');
    expect(stack.networks).toEqual({ n: { driver: 'overlay' } });
    expect(Object.keys(stack.services)).toEqual(['web', 'plain']);
  });

  it('throws on an x-hakit-from that compose.yaml does not define', () => {
    expect(() => buildStack(compose, 'services:\n  web:\n    x-hakit-from: x-nothing\n')).toThrow(/web starts from x-nothing/);
    // A scalar at that key is not a fragment either.
    expect(() => buildStack(`x-scalar: 3\n${compose}`, 'services:\n  web:\n    x-hakit-from: x-scalar\n')).toThrow(/x-scalar/);
  });

  it('applies the image mapper to inherited and own images', () => {
    const stack = buildStack(compose, swarm, (n) => `reg:5000/${n}`) as Yaml;
    expect(stack.services.web.image).toBe('reg:5000/kit/app:1');
    expect(stack.services.plain.image).toBe('reg:5000/other/thing:2');
  });
});

describe('the real stack file', () => {
  const text = stackFileText();
  const stack = parse(text) as Yaml;
  const services = stack.services as Record<string, Yaml>;

  it('has the backend, haproxy, keepalived and vip-guard services', () => {
    expect(Object.keys(services).sort()).toEqual(['backend', 'haproxy', 'keepalived', 'vip-guard']);
    expect(text.startsWith('# Generated by hakit')).toBe(true);
  });

  it('runs keepalived on the host network with only its capabilities', () => {
    const k = services.keepalived!;
    expect(k.networks).toEqual(['host']);
    // SYS_NICE: keepalived's VRRP process runs under realtime scheduling (vrrp_rt_priority).
    expect(k.cap_add).toEqual(['NET_ADMIN', 'NET_RAW', 'SETUID', 'SETGID', 'CHOWN', 'SYS_NICE']);
    expect(k.cap_drop).toEqual(['ALL']);
    expect(stack.networks.host).toMatchObject({ external: true, name: 'host' });
  });

  it('runs the VIP guard on every LB node, on the host network, with NET_ADMIN only, sharing /run/hakit with keepalived', () => {
    const g = services['vip-guard']!;
    const k = services.keepalived!;
    expect(g.environment.LB_ROLE).toBe('vip-guard');
    expect(g.networks).toEqual(['host']);
    expect(g.cap_drop).toEqual(['ALL']);
    expect(g.cap_add).toEqual(['NET_ADMIN']);
    expect(g.deploy.mode).toBe('global');
    expect(g.deploy.placement).toEqual(k.deploy.placement);
    expect(g.volumes).toContain('run:/run/hakit');
    expect(k.volumes).toContain('run:/run/hakit');
    for (const v of ['VIP', 'VIP_PREFIX', 'LB_INTERFACE']) expect(g.environment[v]).toBe(k.environment[v]);
    expect(JSON.stringify(g.healthcheck.test)).not.toContain('keepalived.pid');
  });

  it('has HAProxy and keepalived read their config folders from the node-local volume they share (hakit reload delivers there), and keep a rotated stats user', () => {
    for (const name of ['haproxy', 'keepalived']) {
      expect(services[name]!.environment.LB_CONFIG_ROOT, name).toBe(SWARM_CONFIG_ROOT);
      expect(services[name]!.volumes, name).toContain(`run:${NODE_RUN}`);
    }
    expect(SWARM_CONFIG_ROOT.startsWith(`${NODE_RUN}/`)).toBe(true);
    // The guard runs the image's own entrypoint and reads no config folder.
    expect(services['vip-guard']!.environment.LB_CONFIG_ROOT).toBeUndefined();
    expect(services.haproxy!.environment.KEEP_STATS_USERS).toBe('1');
  });

  it('gives the LB tasks a start period and a lenient timeout, so Swarm does not kill a starting or busy LB', () => {
    for (const name of ['haproxy', 'keepalived']) {
      expect(services[name]!.healthcheck.start_period, name).toBe('20s');
      expect(services[name]!.healthcheck.timeout, name).toBe('5s');
      // The rest still comes from compose.yaml's x-lb.
      expect(services[name]!.healthcheck.retries, name).toBeDefined();
    }
  });

  it('gives haproxy no NET_ADMIN and publishes 80, 443, 8404 and 8443 in host mode', () => {
    const h = services.haproxy!;
    expect(h.cap_add).not.toContain('NET_ADMIN');
    expect(h.cap_add).not.toContain('NET_RAW');
    expect(h.cap_drop).toEqual(['ALL']);
    const ports = h.ports as Yaml[];
    expect(ports.map((p) => p.published).sort((a, b) => a - b)).toEqual([80, 443, 8404, 8443]);
    for (const p of ports) {
      expect(p.mode).toBe('host');
      expect(p.target).toBe(p.published);
    }
  });

  it('finds backends by DNS round robin', () => {
    expect(services.backend!.deploy.endpoint_mode).toBe('dnsrr');
    expect(services.haproxy!.environment.BACKEND_DNS).toBe('tasks.backend');
  });

  it('inherits the image, health check and hardening from compose.yaml', () => {
    expect(services.backend!.image).toBe('hakit/backend:latest');
    expect(services.haproxy!.image).toBe('hakit/lb:latest');
    expect(services.keepalived!.image).toBe('hakit/lb:latest');
    for (const [name, s] of Object.entries(services)) {
      expect(s.read_only).toBe(true);
      // The guard has nothing to hand over: it stops at once.
      expect(s.stop_grace_period).toBe(name === 'vip-guard' ? '2s' : '15s');
      expect(s.healthcheck.test).toBeDefined();
      expect(s.healthcheck.interval).toBeDefined();
    }
    // haproxy's own test replaces the fragment's (which also checks keepalived, not in its container).
    expect(JSON.stringify(services.haproxy!.healthcheck.test)).not.toContain('keepalived');
  });

  it('has none of the single-host keys', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const k of ['build', 'sysctls', 'depends_on', 'restart', 'x-hakit-from', 'hostname', 'security_opt'])
        expect(s, `${name}.${k}`).not.toHaveProperty(k);
    }
  });

  it('carries no password, only ${STATS_PASSWORD}', () => {
    expect(services.haproxy!.environment.STATS_PASSWORD).toBe('${STATS_PASSWORD}');
    const lines = text.split('\n').filter((l) => /password/i.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.trim()).toBe('STATS_PASSWORD: ${STATS_PASSWORD}');
  });

  it('gives haproxy its certificate as a root-only secret named by its content, not in the environment', () => {
    const h = services.haproxy!;
    const [secret] = h.secrets as Yaml[];
    expect(secret).toMatchObject({ source: 'tls', uid: '0', gid: '0', mode: 0o400 });
    expect(h.environment.TLS_CRT).toBe(`/run/secrets/${String(secret!.target)}`);
    expect(h.environment).not.toHaveProperty('TLS_PEM');
    expect(stack.secrets.tls).toEqual({ name: '${TLS_SECRET}', file: '${TLS_PEM_FILE}' });
    expect(services.keepalived).not.toHaveProperty('secrets');
  });

  it('maps the images through a registry', () => {
    const mapped = parse(stackFileText((n) => `reg.example:5000/${n}`)) as Yaml;
    for (const s of Object.values(mapped.services as Record<string, Yaml>))
      expect(s.image).toMatch(/^reg\.example:5000\/hakit\/(lb|backend):latest$/);
  });
});

// docker compose (v2 plugin) if this machine has it, else docker-compose (v1).
const composeCmd = (await shMaybe`docker compose version`).exitCode === 0 ? ['docker', 'compose'] : ['docker-compose'];
const missing = await missingPrerequisites([composeCmd[0]!], false);

describe.skipIf(skipOutsideCi(missing))('docker-compose accepts the stack file', () => {
  let dir = '';
  beforeAll(() => {
    failUnderCi(missing);
    dir = mkdtempSync(join(tmpdir(), 'hkstack-'));
    writeFileSync(join(dir, 'server.pem'), 'not read by config -q\n');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = {
    BACKENDS: '2',
    KIT_HOST: '10.214.0.1',
    STATS_USER: 'a',
    STATS_PASSWORD: 'b',
    VIP: '10.214.0.10',
    VIP_PREFIX: '24',
    LB1_IP: '10.214.0.11',
    LB2_IP: '10.214.0.12',
    LB_INTERFACE: 'eth0',
    TLS_SECRET: 'hakit_tls_check',
    TLS_PEM_FILE: 'server.pem',
  };
  const check = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const [cmd, ...args] = composeCmd;
    return spawnSync(cmd!, [...args, '-f', file, 'config', '-q'], {
      cwd: dir,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
  };

  it('config -q exits 0', () => {
    const r = check('stack.yaml', stackFileText());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('config -q rejects a broken one (the check can fail)', () => {
    const text = stackFileText();
    expect(text).toContain('endpoint_mode: dnsrr');
    const r = check('broken.yaml', text.replace('endpoint_mode: dnsrr', 'endpoint_mood: dnsrr'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/endpoint_mood/);
  });
});
