import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../paths.js';
import { statsUsersConfig } from './stats-users.js';

describe('statsUsersConfig', () => {
  it('writes the userlist haproxy.cfg refers to, values quoted literally', () => {
    const text = statsUsersConfig({ user: 'admin', password: 'a$b-c_D' });
    expect(text).toBe("userlist stats_users\n    user 'admin' insecure-password 'a$b-c_D'\n");
    const cfg = readFileSync(join(packageRoot, 'haproxy', 'haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/http_auth\(stats_users\)/);
  });

  it('refuses a single quote, which would end the quoted value', () => {
    expect(() => statsUsersConfig({ user: 'admin', password: "it's" })).toThrow(/single quote/);
  });

  it('is byte for byte what lb-entrypoint writes from the environment', () => {
    const run = mkdtempSync(join(tmpdir(), 'hkusers-'));
    // Only the entrypoint's write_stats_users, with RUN pointed at a temporary directory.
    const script = readFileSync(join(packageRoot, 'keepalived', 'lb-entrypoint'), 'utf8');
    const fn = script.match(/^write_stats_users\(\) \{[\s\S]*?^\}/m)?.[0];
    expect(fn).toBeDefined();
    execFileSync('sh', ['-c', `${fn}\nwrite_stats_users`], {
      env: { PATH: process.env.PATH, RUN: run, STATS_USER: 'admin', STATS_PASSWORD: 'x9-Y_z' },
    });
    expect(readFileSync(join(run, 'stats-users.cfg'), 'utf8')).toBe(statsUsersConfig({ user: 'admin', password: 'x9-Y_z' }));
  });
});
