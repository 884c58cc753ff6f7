// Runs the built CLI (npm test builds first) the way a user does.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from './paths.js';

const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

function run(
  args: string[],
  asNobody = false,
  nodeOptions: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, argv] = asNobody
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, ...args]]
    : [process.execPath, [...nodeOptions, cli, ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv as string[], { env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
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

// A loader hook logs every module the CLI resolves: registering the commands and printing help
// must not load the heavy dependencies, which only the command that runs may load.
describe('hakit CLI start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hakit-loads-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const r = await next(specifier, context);\n' +
      "  appendFileSync(process.env.HAKIT_LOAD_LOG, r.url + '\\n');\n" +
      '  return r;\n' +
      '}\n',
  );
  writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const heavy = ['dockerode', 'zx', 'hono', '@hono/node-server', 'autocannon', 'cli-table3', 'yaml', 'playwright-core'];
  const packagesLoaded = async (args: string[]): Promise<string[]> => {
    const log = join(dir, `${args.join('_')}.log`);
    const r = await run(args, false, ['--import', join(dir, 'register.mjs')], { HAKIT_LOAD_LOG: log });
    expect(r.code).toBe(0);
    const urls = readFileSync(log, 'utf8').split('\n');
    return [...new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined))];
  };

  it.each(['--help', 'kill --help', 'status --help', 'demo --help', 'bench --help', 'lab up --help'])(
    '`hakit %s` loads commander and none of the heavy dependencies',
    async (args) => {
      const loaded = await packagesLoaded(args.split(' '));
      expect(loaded).toContain('commander');
      expect(loaded.filter((p) => heavy.includes(p))).toEqual([]);
    },
  );

  it('is executable, so that a link to it is a command', () => {
    expect(statSync(cli).mode & 0o111).toBe(0o111);
    expect(readFileSync(cli, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});
