import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certNames, ensureTls, readServerPem, tlsPaths, wantedNames } from './tls.js';
import { defaultTopology, type Topology } from './topology.js';

const dirs: string[] = [];
const freshDir = () => {
  const d = join(mkdtempSync(join(tmpdir(), 'hktls-')), 'tls');
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(join(d, '..'), { recursive: true, force: true })));

const cert = (file: string) => new X509Certificate(readFileSync(file));
const mode = (file: string) => statSync(file).mode & 0o777;

describe('ensureTls', () => {
  it("creates a CA and a server certificate for the VIP and the LBs' names and addresses, keys 0600", async () => {
    const dir = freshDir();
    const r = await ensureTls(defaultTopology, { dir });
    expect(r.caCreated).toBe(true);
    expect(r.issued).toBeDefined();
    const p = tlsPaths(dir);
    expect(mode(p.caKey)).toBe(0o600);
    expect(mode(p.serverPem)).toBe(0o600);
    expect(mode(p.caCert)).toBe(0o644);
    expect(mode(dir)).toBe(0o700);

    const ca = cert(p.caCert);
    expect(ca.ca).toBe(true);
    const server = cert(p.serverPem);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    const names = certNames(server);
    for (const lb of defaultTopology.nodes.filter((n) => n.role === 'lb')) {
      expect(names).toContain(`DNS:${lb.name}`);
      expect(names).toContain(`IP:${lb.address}`);
    }
    expect(names).toContain(`IP:${defaultTopology.vip}`);
    expect(names).toEqual(wantedNames(defaultTopology));
    // Backends are never reached over TLS from a client: not in the certificate.
    expect(names).not.toContain('DNS:backend1');
    expect(server.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    // HAProxy's file: the certificate and its key, nothing else.
    const pem = readServerPem(dir);
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(1);
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('ec');
  });

  it('reuses both on a later up with the same topology, and tightens a loosened key mode', async () => {
    const dir = freshDir();
    await ensureTls(defaultTopology, { dir });
    const p = tlsPaths(dir);
    const before = [readFileSync(p.caCert, 'utf8'), readFileSync(p.serverPem, 'utf8')];
    chmodSync(p.caKey, 0o644);
    const again = await ensureTls(defaultTopology, { dir });
    expect(again.caCreated).toBe(false);
    expect(again.issued).toBeUndefined();
    expect([readFileSync(p.caCert, 'utf8'), readFileSync(p.serverPem, 'utf8')]).toEqual(before);
    expect(mode(p.caKey)).toBe(0o600);
  });

  it('issues a new server certificate from the same CA when the topology names other addresses', async () => {
    const dir = freshDir();
    await ensureTls(defaultTopology, { dir });
    const p = tlsPaths(dir);
    const ca = readFileSync(p.caCert, 'utf8');
    const moved: Topology = { ...defaultTopology, vip: '10.213.0.100' };
    const r = await ensureTls(moved, { dir });
    expect(r.caCreated).toBe(false);
    expect(r.issued).toMatch(/names/);
    expect(readFileSync(p.caCert, 'utf8')).toBe(ca);
    expect(certNames(cert(p.serverPem))).toContain('IP:10.213.0.100');
    expect(certNames(cert(p.serverPem))).not.toContain(`IP:${defaultTopology.vip}`);
  });

  it('renews a server certificate that nears expiry', async () => {
    const dir = freshDir();
    await ensureTls(defaultTopology, { dir, serverDays: 10 });
    const p = tlsPaths(dir);
    const first = cert(p.serverPem);
    const r = await ensureTls(defaultTopology, { dir });
    expect(r.issued).toMatch(/expires in \d+ days/);
    const second = cert(p.serverPem);
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect(Date.parse(second.validTo) - Date.now()).toBeGreaterThan(300 * 86_400_000);
  });

  it('starts over with a new CA when its key is gone, and the old server certificate goes with it', async () => {
    const dir = freshDir();
    await ensureTls(defaultTopology, { dir });
    const p = tlsPaths(dir);
    const oldCa = cert(p.caCert);
    rmSync(p.caKey);
    const r = await ensureTls(defaultTopology, { dir });
    expect(r.caCreated).toBe(true);
    const newCa = cert(p.caCert);
    expect(newCa.fingerprint256).not.toBe(oldCa.fingerprint256);
    expect(cert(p.serverPem).verify(newCa.publicKey)).toBe(true);
  });

  it('says what to do when no certificate exists yet', () => {
    expect(() => readServerPem(join(freshDir(), 'none'))).toThrow(expect.objectContaining({ hint: expect.stringMatching(/hakit up/) }));
  });
});
