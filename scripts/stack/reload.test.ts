import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lbGroup } from '../groups/lb/index.js';
import { silentProgress } from '../progress.js';
import { FakeRuntime } from '../testing/fake-runtime.js';
import { masterLast, reloadStack } from './reload.js';

const from = mkdtempSync(join(tmpdir(), 'hkreload-'));
const ok = () => vi.spyOn(lbGroup, 'checkConfig').mockResolvedValue([]);

describe('reloadStack', () => {
  it('orders the VIP holder last', async () => {
    const rt = new FakeRuntime();
    const { getStatus } = await import('../observe/status.js');
    expect(masterLast(await getStatus(rt), ['lb1', 'lb2'])).toEqual(['lb2', 'lb1']);
  });

  it('checks, then delivers and reloads one LB at a time, the VIP holder last; the VIP stays', async () => {
    const check = ok();
    const rt = new FakeRuntime();
    const r = await reloadStack(rt, { from, progress: silentProgress });
    expect(check).toHaveBeenCalledOnce();
    // Every config folder of the LB group (peers/: the bench's other VIP managers), LB by LB.
    const dirs = (lb: string) => ['haproxy', 'keepalived', 'peers'].map((d) => `${lb} ${d} ${from}`);
    expect(rt.delivered).toEqual([...dirs('lb2'), ...dirs('lb1')]);
    expect(r.reloaded.map((n) => n.node)).toEqual(['lb2', 'lb1']);
    expect(r.vipBefore).toEqual(['lb1']);
    expect(r.vipAfter).toEqual(['lb1']);
    check.mockRestore();
  });

  it('--check only checks', async () => {
    const check = ok();
    const rt = new FakeRuntime();
    const r = await reloadStack(rt, { from, checkOnly: true, progress: silentProgress });
    expect(r.checkOnly).toBe(true);
    expect(r.checked).toEqual(['lb1', 'lb2']);
    expect(rt.delivered).toEqual([]);
    expect(rt.execs).toEqual([]);
    check.mockRestore();
  });

  it('refuses a config that fails its check, says why, and changes nothing', async () => {
    const check = vi.spyOn(lbGroup, 'checkConfig').mockResolvedValue(['haproxy -c for lb1 (exit 1):\n    [ALERT] unknown keyword']);
    const rt = new FakeRuntime();
    const workers = [...rt.haproxyMasters.values()].map((m) => m.worker);
    await expect(reloadStack(rt, { from, progress: silentProgress })).rejects.toThrow(
      /refused; nothing was changed:[\s\S]*unknown keyword/,
    );
    expect(rt.delivered).toEqual([]);
    expect([...rt.haproxyMasters.values()].map((m) => m.worker)).toEqual(workers);
    check.mockRestore();
  });

  it('a node that is down gets the config for its next start, and no reload', async () => {
    const check = ok();
    const rt = new FakeRuntime();
    await rt.stop('lb2', 'hard');
    const r = await reloadStack(rt, { from, progress: silentProgress });
    expect(r.notRunning).toEqual(['lb2']);
    expect(r.reloaded.map((n) => n.node)).toEqual(['lb1']);
    expect(rt.delivered).toContain(`lb2 haproxy ${from}`);
    check.mockRestore();
  });

  it('says so when the runtime cannot deliver files to running nodes', async () => {
    const check = ok();
    const rt = new FakeRuntime();
    Object.defineProperty(rt, 'deliverConfig', { value: undefined });
    await expect(reloadStack(rt, { from, progress: silentProgress })).rejects.toThrow(/cannot put a changed config on its running nodes/);
    check.mockRestore();
  });
});
