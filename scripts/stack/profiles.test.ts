import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxy, checkKeepalived } from '../groups/lb/config-check.js';
import { packageRoot } from '../paths.js';
import { keepalivedProfileConf, lbProfileEnv, profiles, unsupportedOn, vipManagerOf } from './profiles.js';
import { shMaybe } from '../sh.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../testing/prerequisites.js';

const haproxyCfg = readFileSync(join(packageRoot, 'haproxy', 'haproxy.cfg'), 'utf8');
const keepalivedConf = readFileSync(join(packageRoot, 'keepalived', 'keepalived.conf'), 'utf8');
const INCLUDE = 'include /run/hakit/profile*.conf';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('profiles name real knobs of the configs', () => {
  it.each(Object.values(profiles))('$name: every HAProxy override is a "${NAME-default}" of haproxy.cfg', (p) => {
    for (const name of Object.keys(p.haproxy)) expect(haproxyCfg).toMatch(new RegExp(`\\$\\{${name}(\\[\\*\\])?-`));
  });

  it.each(Object.values(profiles))('$name: every keepalived override is defined before the profile include', (p) => {
    const include = keepalivedConf.indexOf(INCLUDE);
    expect(include).toBeGreaterThan(0);
    for (const name of Object.keys(p.keepalived)) {
      const at = keepalivedConf.search(new RegExp(`^\\$${escape(name)}=`, 'm'));
      expect(at, name).toBeGreaterThan(0);
      expect(at, name).toBeLessThan(include);
    }
  });

  it('tuned changes nothing: the configs as shipped', () => {
    expect(lbProfileEnv(profiles.tuned)).toEqual({});
    expect(lbProfileEnv(undefined)).toEqual({});
  });

  it('textbook: HAProxy variables as they are, keepalived definitions as lines for the include', () => {
    const env = lbProfileEnv(profiles.textbook);
    expect(env.CHECK_INTER).toBe('2s');
    expect(env.KEEPALIVED_PROFILE?.split('\n')).toContain('$ADVERT_INT=1');
    expect(env.KEEPALIVED_PROFILE?.split('\n')).toContain('$NOPREEMPT=');
    expect(keepalivedProfileConf(profiles.textbook)).toBe(env.KEEPALIVED_PROFILE);
  });
});

describe('connection modes and peers are data too', () => {
  const lbPeer = readFileSync(join(packageRoot, 'peers', 'lb-peer'), 'utf8');
  const entrypoint = readFileSync(join(packageRoot, 'keepalived', 'lb-entrypoint'), 'utf8');

  it('keepalive: only the connection mode changes', () => {
    expect(lbProfileEnv(profiles.keepalive)).toEqual({ HTTP_MODE: 'keep-alive' });
    expect(haproxyCfg).toMatch(/\.if streq\("\$\{HTTP_MODE-server-close\}",keep-alive\)\n\s+option http-keep-alive\n\s+http-reuse safe\n/);
  });

  it.each(Object.values(profiles).filter((p) => p.kind === 'peer'))(
    '$name: LB_VIP_MANAGER picks a VIP manager that lb-entrypoint hands over to and lb-peer runs',
    (p) => {
      const env = lbProfileEnv(p);
      expect(env).toEqual({ LB_VIP_MANAGER: p.vipManager });
      expect(vipManagerOf(p)).toBe(p.vipManager);
      expect(entrypoint).toContain('exec /etc/peers/lb-peer');
      expect(lbPeer).toMatch(new RegExp(`^  ${p.vipManager}\\) run_${p.vipManager} ;;$`, 'm'));
      expect(unsupportedOn(p, 'netns')).toBeUndefined();
      expect(unsupportedOn(p, 'docker')).toMatch(/netns/);
    },
  );

  it('the kit and the env-only profiles run keepalived on every runtime', () => {
    for (const p of Object.values(profiles).filter((x) => x.kind !== 'peer')) {
      expect(vipManagerOf(p)).toBe('keepalived');
      expect(lbProfileEnv(p).LB_VIP_MANAGER).toBeUndefined();
      for (const rt of ['netns', 'docker', 'swarm']) expect(unsupportedOn(p, rt)).toBeUndefined();
    }
  });
});

const missing = await missingPrerequisites(['haproxy', 'keepalived', 'ip', 'nsenter', 'unshare']);
// Pacemaker's config checker (pacemaker-cli-utils, in .ci/run): no daemon is started.
const missingPeers = await missingPrerequisites(['crm_verify']);

describe.skipIf(skipOutsideCi(missingPeers))("the peers' own tools accept their configs", () => {
  beforeAll(() => failUnderCi(missingPeers));
  // As lb-peer fills them in.
  const filled = (file: string) =>
    readFileSync(join(packageRoot, 'peers', file), 'utf8')
      .replace('@VIP@', '10.213.0.10')
      .replace('@VIP_PREFIX@', '24')
      .replace('@LB_INTERFACE@', 'eth0')
      .replace('@LB1_IP@', '10.213.0.11')
      .replace('@LB2_IP@', '10.213.0.12');

  it('crm_verify: the CIB (IPaddr2 VIP, cloned HAProxy, colocation, order)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hkcib-'));
    writeFileSync(join(dir, 'cib.xml'), filled('pacemaker-cib.xml'));
    const r = await shMaybe`crm_verify --xml-file ${join(dir, 'cib.xml')}`;
    expect(r.stderr + r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
    writeFileSync(join(dir, 'bad.xml'), filled('pacemaker-cib.xml').replace('with-rsc="haproxy-clone"', 'with-rsc="nothing"'));
    expect((await shMaybe`crm_verify --xml-file ${join(dir, 'bad.xml')}`).exitCode).not.toBe(0);
  });

  it('corosync.conf: knet, unicast between the two LB addresses, a two-node quorum', () => {
    const conf = filled('corosync.conf');
    expect(conf).toMatch(/transport: knet/);
    expect(conf).toMatch(/ring0_addr: 10\.213\.0\.11[\s\S]*ring0_addr: 10\.213\.0\.12/);
    expect(conf).toMatch(/two_node: 1/);
    expect(conf).not.toContain('@');
  });
});

describe.skipIf(skipOutsideCi(missing))('the real binaries accept every profile', () => {
  beforeAll(() => failUnderCi(missing));

  it.each(Object.values(profiles))('haproxy -c with the $name environment', async (p) => {
    const r = await checkHaproxy(undefined, p.haproxy);
    expect(r.output).not.toMatch(/ALERT/);
    expect(r.ok).toBe(true);
  });

  it.each(Object.values(profiles).flatMap((p) => ['lb1', 'lb2'].map((id) => [p.name, id] as const)))(
    'keepalived -t with the %s definitions for %s',
    async (name, id) => {
      const dir = mkdtempSync(join(tmpdir(), 'hkprofile-'));
      cpSync(join(packageRoot, 'keepalived'), dir, { recursive: true });
      writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf.replace(INCLUDE, keepalivedProfileConf(profiles[name])));
      const r = await checkKeepalived(id, dir);
      expect(r.output).toBe('');
      expect(r.ok).toBe(true);
    },
  );

  it('a broken override is caught (the checks can fail)', async () => {
    const r = await checkHaproxy(undefined, { RETRY_ON: 'no-such-event' });
    expect(r.ok).toBe(false);
  });
});
