// `hakit up --config FILE` through the built CLI: a bad topology file is refused before anything
// else happens: exit 2 (not 3 for "not root", which the preflight would give), every problem listed,
// nothing created (not even credentials in the state directory).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { defaultTopology } from './topology.js';

const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hkupcfg-'));
chmodSync(dir, 0o755);

function runAsNobody(args: string[], stateDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, '--runtime', 'netns', ...args],
      { env: { ...process.env, NO_COLOR: '1', HAKIT_STATE_DIR: stateDir } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('hakit up --config', () => {
  it('reports every problem of a bad file at once, exits 2, starts nothing', async () => {
    const bad = structuredClone(defaultTopology);
    bad.vip = '192.168.7.10';
    bad.nodes[1]!.name = 'lb1';
    bad.nodes[1]!.priority = 101;
    bad.ports.stats = 0;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad), { mode: 0o644 });
    const state = join(dir, 'state');
    const r = await runAsNobody(['up', '--config', file], state);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing was started/);
    for (const m of [/vip: 192\.168\.7\.10 is outside the subnet/, /"lb1" is used twice/, /equal priorities/, /port stats: 0/])
      expect(r.stderr).toMatch(m);
    expect(r.stderr).not.toMatch(/needs root/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(state, 'credentials.json'))).toBe(false);
  });

  it('an unreadable or unparsable file is exit 2 too', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'nodes: [', { mode: 0o644 });
    expect((await runAsNobody(['up', '--config', broken], join(dir, 's2'))).code).toBe(2);
    expect((await runAsNobody(['up', '--config', join(dir, 'absent.json')], join(dir, 's3'))).code).toBe(2);
  });

  it('a good file passes the check and reaches the preflight (here: not root, exit 3)', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify(defaultTopology), { mode: 0o644 });
    const r = await runAsNobody(['up', '--config', file], join(dir, 's4'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs root/);
  });
});
