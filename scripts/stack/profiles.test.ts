import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxy, checkKeepalived } from '../groups/lb/config-check.js';
import { packageRoot } from '../paths.js';
import { keepalivedProfileConf, lbProfileEnv, profiles } from './profiles.js';
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

const missing = await missingPrerequisites(['haproxy', 'keepalived', 'ip', 'nsenter', 'unshare']);

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
