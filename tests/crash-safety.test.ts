// Crash safety of the kit itself (issue 7, part 6): `up` interrupted, `down` twice, nodes killed
// behind the kit's back. The CLI is run as a user runs it; the truth is read from the machine
// (NetnsRuntime.leftovers lists every namespace, link, file and process of the kit).
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bringUp, waitHealthy } from '../scripts/stack/actions.js';
import { packageRoot } from '../scripts/paths.js';
import { isSuccess, probeSequential } from '../scripts/observe/probe.js';
import { silentProgress } from '../scripts/progress.js';
import { NetnsRuntime } from '../scripts/runtime/netns.js';
import { shMaybe, waitFor } from '../scripts/sh.js';
import { getStatus, masters, type StackStatus } from '../scripts/observe/status.js';
import { claimStack, failUnderCi, integrationPrerequisites, releaseStack, skipOutsideCi } from '../scripts/testing/prerequisites.js';

const missing = await integrationPrerequisites(['ip', 'haproxy', 'keepalived', 'curl', 'nsenter']);
const cli = join(packageRoot, 'dist', 'scripts', 'cli.js');

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, '--runtime', 'netns', ...args],
      { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts `hakit up`, sends `signal` once its progress shows `marker`; resolves with the exit and the output. */
function upUntil(marker: RegExp, signal: NodeJS.Signals): Promise<{ code: number | string; stderr: string; signalled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--runtime', 'netns', 'up'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let signalled = false;
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && marker.test(stderr)) {
        signalled = true;
        child.kill(signal);
      }
    });
    child.stdout.resume();
    child.on('exit', (code, sig) => {
      clearTimeout(bound);
      resolve({ code: code ?? sig ?? 'unknown', stderr, signalled });
    });
  });
}

/** kill -9 of every process in the node's network namespace, as if it crashed: the kit is not asked. */
async function killBehindTheKitsBack(node: string): Promise<number> {
  const pids = (await shMaybe`ip netns pids hakit-${node}`).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

const stateOf = (s: StackStatus, node: string) => s.nodes.find((n) => n.name === node)?.state;

describe.skipIf(skipOutsideCi(missing))('crash safety of the kit (netns)', () => {
  const rt = new NetnsRuntime();

  beforeAll(async () => {
    failUnderCi(missing);
    await claimStack(rt);
  });

  afterAll(async () => {
    await releaseStack(rt);
  });

  it.each([
    ['while it creates the nodes', /^• Node lb2 /m],
    ['while it starts the nodes', /^• Start backend2 /m],
    ['while it waits for the stack to be healthy', /^• Backends UP/m],
  ])('up interrupted by Ctrl-C %s: exit 130 and nothing left behind', async (_when, marker) => {
    const r = await upUntil(marker, 'SIGINT');
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await rt.leftovers()).toEqual([]);
  });

  it('up killed outright (SIGKILL) mid-way: status tells the truth, up refuses, down removes the rest', async () => {
    const r = await upUntil(/^• Start lb1 /m, 'SIGKILL');
    expect(r.code).toBe('SIGKILL');
    expect((await rt.leftovers()).length).toBeGreaterThan(0);
    const status = await runCli(['status', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as StackStatus;
    // Whatever got started before the kill: nothing claims to serve that cannot (no LB ran long enough to be MASTER).
    expect(masters(s)).toEqual([]);
    console.log(`after SIGKILL of up: ${s.nodes.map((n) => `${n.name} ${n.state}`).join(', ')}`);
    // up refuses (the half stack holds the address range or is seen as up) and names the way out.
    const again = await runCli(['up']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/hakit down/);
    const down = await runCli(['down']);
    expect(down.code).toBe(0);
    expect(await rt.leftovers()).toEqual([]);
  });

  it('down twice: both succeed, the second says there is nothing to do', async () => {
    await bringUp(rt, silentProgress);
    const first = await runCli(['down']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/hakit is down/);
    expect(await rt.leftovers()).toEqual([]);
    const second = await runCli(['down']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/nothing to tear down/);
  });

  describe('nodes killed outside the kit (kill -9 of their processes)', () => {
    beforeAll(async () => {
      await claimStack(rt);
      await bringUp(rt, silentProgress);
    });

    it('a backend: status says DOWN, the VIP keeps serving from the other, restore brings it back', async () => {
      expect(await killBehindTheKitsBack('backend1')).toBeGreaterThan(0);
      const status = JSON.parse((await runCli(['status', '--json'])).stdout) as StackStatus;
      expect(stateOf(status, 'backend1')).toBe('DOWN');
      expect(stateOf(status, 'backend2')).toBe('UP');
      const replies = await probeSequential(status.url, 10);
      expect(replies.every(isSuccess)).toBe(true);
      expect(new Set(replies.map((r) => r.backend))).toEqual(new Set(['backend2']));
      const restore = await runCli(['restore', 'backend1']);
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(/backend1: restored/);
      expect(stateOf(await waitHealthy(rt, 15_000), 'backend1')).toBe('UP');
    });

    it('the MASTER load balancer: status says DOWN, the peer takes the VIP, restore brings it back as BACKUP', async () => {
      const [master] = masters(await getStatus(rt));
      const peer = master === 'lb1' ? 'lb2' : 'lb1';
      expect(await killBehindTheKitsBack(master!)).toBeGreaterThan(0);
      await waitFor(`${peer} to take the VIP`, async () => (masters(await getStatus(rt)).join() === peer ? true : undefined), 10_000);
      const status = JSON.parse((await runCli(['status', '--json'])).stdout) as StackStatus;
      expect(stateOf(status, master!)).toBe('DOWN');
      expect(stateOf(status, peer)).toBe('MASTER');
      // Served by the peer (the dead node's kernel may still hold the VIP; gratuitous ARP moved the host).
      const replies = await probeSequential(status.url, 10);
      expect(replies.filter((r) => !isSuccess(r))).toEqual([]);
      expect(new Set(replies.map((r) => r.lb))).toEqual(new Set([peer]));
      const restore = await runCli(['restore', master!]);
      expect(restore.code).toBe(0);
      const healthy = await waitHealthy(rt, 15_000);
      expect(stateOf(healthy, master!)).toBe('BACKUP');
      expect(masters(healthy)).toEqual([peer]);
    });
  });
});
