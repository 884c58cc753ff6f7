import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../testing/fake-runtime.js';
import { parseShowProc, reloadLb } from './reload.js';

// HAProxy 2.6.12's master CLI, right after a reload: the new worker, the old one finishing.
const showProc = `#<PID>          <type>          <reloads>       <uptime>        <version>
565             master          3 [failed: 1]   0d00h00m41s     2.6.12-1+deb12u4
# workers
1034            worker          0               0d00h00m00s     2.6.12-1+deb12u4
# old workers
610             worker          1               0d00h00m40s     2.6.12-1+deb12u4
# programs

`;

describe('parseShowProc', () => {
  it('reads the master, its reload counts, the worker and the old workers', () => {
    expect(parseShowProc(showProc)).toEqual({ master: 565, reloads: 3, failed: 1, workers: [1034], oldWorkers: [610] });
  });

  it('refuses an answer that is not show proc', () => {
    expect(() => parseShowProc('Unknown command\n')).toThrow(/show proc/);
  });
});

describe('reloadLb', () => {
  it('asks the master to reload and waits for a new worker; an unchanged keepalived is not signalled', async () => {
    const rt = new FakeRuntime();
    const before = rt.haproxyMasters.get('lb1')!.worker;
    const r = await reloadLb(rt, 'lb1');
    expect(r.oldWorker).toBe(before);
    expect(r.newWorker).not.toBe(before);
    expect(r.newWorker).toBe(rt.haproxyMasters.get('lb1')!.worker);
    // A SIGHUP pauses keepalived's adverts longer than the backup waits: the VIP would move.
    expect(rt.execs).toEqual([]);
  });

  it('reloads keepalived (SIGHUP) when its config changed, and records what it runs now', async () => {
    const rt = new FakeRuntime();
    rt.keepalivedConf.set('lb1', 'edited');
    await reloadLb(rt, 'lb1');
    expect(rt.execs).toEqual(['lb1: sh -c kill -HUP "$(cat /run/hakit/keepalived.pid)"']);
    expect(rt.runFiles.get('lb1/keepalived.digest')).toBe('edited  -\n');
  });

  it('fails with the reason when the master refuses the config, and keepalived is left alone', async () => {
    const rt = new FakeRuntime();
    rt.failNextReload = true;
    const worker = rt.haproxyMasters.get('lb2')!.worker;
    await expect(reloadLb(rt, 'lb2')).rejects.toThrow(/refused the new config; its old worker serves on/);
    expect(rt.haproxyMasters.get('lb2')!.worker).toBe(worker);
    expect(rt.execs).toEqual([]);
  });
});
