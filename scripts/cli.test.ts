// Runs the built CLI (npm test builds first) the way a user does.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './paths.js';

const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

function run(args: string[], asNobody = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, argv] = asNobody
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, ...args]]
    : [process.execPath, [cli, ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv as string[], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('hakit CLI', () => {
  it.each(['up', 'down', 'status', 'kill', 'restore', 'logs', 'creds', 'setup'])('%s --help explains itself', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: hakit ${cmd}`));
  });

  it('exits 2 on an unknown command', async () => {
    const r = await run(['fly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'fly'/);
  });

  it('exits 2 on a bad kill mode', async () => {
    const r = await run(['kill', 'lb1', '--mode', 'gently']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/choose one of hard, graceful, haproxy/);
  });

  it('refuses to start without root: one clear line, exit 3, no stack trace', async () => {
    const r = await run(['up'], true);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs root/);
    expect(r.stderr).toMatch(/fix: run it with sudo/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
