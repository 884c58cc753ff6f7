import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxy, checkKeepalived } from './config-check.js';
import { packageRoot } from '../../paths.js';
import { failUnderCi, missingPrerequisites, skipOutsideCi } from '../../testing/prerequisites.js';
import { defaultTopology, lbs } from '../../stack/topology.js';

const missing = await missingPrerequisites(['haproxy', 'keepalived', 'ip', 'nsenter', 'unshare']);

/** A copy of a config folder with one edit, to prove the checks can fail. */
function brokenCopy(folder: string, file: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hkbroken-'));
  cpSync(join(packageRoot, folder), dir, { recursive: true });
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

describe.skipIf(skipOutsideCi(missing))('configs pass the real validators', () => {
  beforeAll(() => failUnderCi(missing));

  it('haproxy -c accepts haproxy.cfg', async () => {
    const r = await checkHaproxy();
    expect(r.output).toMatch(/Configuration file is valid/);
    expect(r.ok).toBe(true);
  });

  it('haproxy -c rejects a broken config', async () => {
    const r = await checkHaproxy(brokenCopy('haproxy', 'haproxy.cfg', 'balance roundrobin', 'balance no-such-algorithm'));
    expect(r.ok).toBe(false);
  });

  it.each(['lb1', 'lb2'])('keepalived -t accepts keepalived.conf for %s', async (id) => {
    const r = await checkKeepalived(id);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('keepalived -t output catches a value keepalived would ignore', async () => {
    const r = await checkKeepalived('lb1', brokenCopy('keepalived', 'keepalived.conf', '$ADVERT_INT=0.02', '$ADVERT_INT=0.005'));
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/advert/i);
  });
});

describe('configs agree with the topology', () => {
  const conf = readFileSync(join(packageRoot, 'keepalived', 'keepalived.conf'), 'utf8');
  const def = (name: string) => conf.match(new RegExp(`^\\$${name}=(\\S+)$`, 'm'))?.[1];

  it("keepalived.conf has the topology's VIP and LB addresses", () => {
    const [lb1, lb2] = lbs(defaultTopology);
    expect(def('VIP')).toBe(defaultTopology.vip);
    expect(def('LB1_IP')).toBe(lb1?.address);
    expect(def('LB2_IP')).toBe(lb2?.address);
    expect(conf).toMatch(new RegExp(`^@lb1 \\$PRIORITY=${lb1?.priority}$`, 'm'));
    expect(conf).toMatch(new RegExp(`^@lb2 \\$PRIORITY=${lb2?.priority}$`, 'm'));
  });

  it("haproxy.cfg serves the topology's ports and backends", () => {
    const cfg = readFileSync(join(packageRoot, 'haproxy', 'haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(new RegExp(`bind :${defaultTopology.ports.http}\\b`));
    expect(cfg).toMatch(new RegExp(`bind :${defaultTopology.ports.stats}\\b`));
    // HTTPS beside plain HTTP, HTTP/2 by ALPN, stats over HTTPS too (docs/architecture.md#https-at-the-edge).
    expect(cfg).toMatch(/^\s*bind :443 ssl crt "\$\{TLS_CRT-[^}]+\}" alpn h2,http\/1\.1$/m);
    expect(cfg).toMatch(/^\s*bind :8443 ssl crt "\$\{TLS_CRT-[^}]+\}" alpn h2,http\/1\.1$/m);
    expect(cfg).toMatch(/^\s*ssl-default-bind-options ssl-min-ver TLSv1\.2\b/m);
    expect(cfg).not.toMatch(/Strict-Transport-Security/i);
    for (const b of defaultTopology.nodes.filter((n) => n.role === 'backend')) {
      expect(cfg).toContain(`server ${b.name} ${b.name}:${defaultTopology.ports.backend}`);
    }
  });
});
