// Credentials never enter the repository, and the hardening rules in haproxy.cfg agree with the
// topology. Reads the files git tracks (the tree a clean clone gets).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentials } from './credentials.js';
import { packageRoot } from '../paths.js';
import { defaultTopology } from './topology.js';

function trackedTexts(): Array<[string, string]> {
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '-z'], { cwd: packageRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    return [];
  }
  const out: Array<[string, string]> = [];
  for (const f of files) {
    const path = join(packageRoot, f);
    try {
      if (!statSync(path).isFile() || statSync(path).size > 2_000_000) continue;
      const text = readFileSync(path, 'utf8');
      if (!text.includes('\0')) out.push([f, text]);
    } catch {
      // deleted in the working tree
    }
  }
  return out;
}

describe('no credentials in the repository', () => {
  const files = trackedTexts();

  it('reads the tracked files', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.map(([f]) => f)).toContain('haproxy/haproxy.cfg');
  });

  it('no credentials file, and no literal stats password', () => {
    for (const [f, text] of files) {
      expect(f).not.toMatch(/credentials\.json$/);
      // `stats auth USER:PASSWORD` only ever with values from the environment
      for (const m of text.matchAll(/^\s*stats auth\s+(\S+)/gm)) expect(m[1], f).toMatch(/^"?\$\{STATS_USER\}:\$\{STATS_PASSWORD\}"?$/);
      expect(text, f).not.toMatch(/"password"\s*:\s*"[A-Za-z0-9_-]{24}"/);
    }
  });

  it('no private key (the local CA and the server certificate are made by `up`, in the state directory)', () => {
    for (const [f, text] of files) expect(text, f).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  });

  it('the password generated on this machine appears in no tracked file', () => {
    const creds = loadCredentials();
    if (!creds) return; // nothing generated here yet: nothing that could leak
    expect(creds.password.length).toBeGreaterThanOrEqual(20);
    expect(files.filter(([, text]) => text.includes(creds.password)).map(([f]) => f)).toEqual([]);
  });
});

describe('haproxy.cfg hardening agrees with the topology', () => {
  const cfg = readFileSync(join(packageRoot, 'haproxy', 'haproxy.cfg'), 'utf8');

  it("exempts exactly the kit's host address from the per-source limits", () => {
    // The default is the single-host topology's; Swarm sets KIT_HOST to the plan's client address.
    expect([...cfg.matchAll(/^\s*acl kit_host src "\$\{KIT_HOST-(\S+)\}"$/gm)].map((m) => m[1])).toEqual([defaultTopology.hostAddress]);
    expect(cfg).toMatch(/^\s*tcp-request connection track-sc0 src unless kit_host$/m);
  });

  it('limits every other source: connections and request rate give 429', () => {
    expect(cfg).toMatch(/^\s*stick-table type ip .*store conn_cur,http_req_rate\(10s\)/m);
    expect(cfg).toMatch(/^\s*http-request deny deny_status 429 if too_many_conns \|\| too_fast$/m);
    expect(cfg).toMatch(/^\s*timeout http-request \d+s/m);
  });
});
