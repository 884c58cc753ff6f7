import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentials, saveCredentials } from './credentials.js';
import { silentProgress } from '../progress.js';
import { rotateCredentials, rotationOrder } from './rotate.js';
import type { StackStatus } from '../observe/status.js';
import { statsUsersConfig } from '../groups/lb/stats-users.js';
import { FakeRuntime } from '../testing/fake-runtime.js';

const status = (lb1: string, lb2: string): StackStatus => ({
  runtime: 'netns',
  vip: '',
  url: '',
  statsUrl: '',
  httpsUrl: '',
  statsHttpsUrl: '',
  features: [],
  nodes: [
    { name: 'lb1', role: 'lb', state: lb1 as 'MASTER', address: '' },
    { name: 'lb2', role: 'lb', state: lb2 as 'MASTER', address: '' },
    { name: 'backend1', role: 'backend', state: 'UP', address: '' },
  ],
});

describe('credential rotation', () => {
  it('restarts the BACKUP first and the MASTER last', () => {
    expect(rotationOrder(status('MASTER', 'BACKUP'))).toEqual(['lb2', 'lb1']);
    expect(rotationOrder(status('BACKUP', 'MASTER'))).toEqual(['lb1', 'lb2']);
    expect(rotationOrder(status('DOWN', 'MASTER'))).toEqual(['lb1', 'lb2']);
  });

  it('on a runtime that delivers files in place: a new stats user file and a reload per LB, BACKUP first, no restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hkrot-')), 'credentials.json');
    const rt = new FakeRuntime();
    const workers = new Map([...rt.haproxyMasters].map(([lb, m]) => [lb, m.worker]));
    const creds = await rotateCredentials(rt, silentProgress, file);
    expect(rt.calls).toEqual([]);
    for (const lb of ['lb1', 'lb2']) {
      expect(rt.runFiles.get(`${lb}/stats-users.cfg`)).toBe(statsUsersConfig(creds));
      expect(rt.haproxyMasters.get(lb)!.worker).not.toBe(workers.get(lb));
    }
    // BACKUP first: the order the stats user files were written in (keepalived is not signalled).
    expect([...rt.runFiles.keys()].filter((k) => k.endsWith('/stats-users.cfg'))).toEqual(['lb2/stats-users.cfg', 'lb1/stats-users.cfg']);
    expect(rt.execs).toEqual([]);
  });

  it('elsewhere (no deliverConfig): each LB restarts in turn, BACKUP first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hkrot-')), 'credentials.json');
    const rt = new FakeRuntime();
    Object.defineProperty(rt, 'deliverConfig', { value: undefined });
    await rotateCredentials(rt, silentProgress, file);
    expect(rt.calls).toEqual(['stop lb2 graceful', 'restore lb2', 'stop lb1 graceful', 'restore lb1']);
    expect(rt.runFiles.size).toBe(0);
  });

  it('without a stack, saves a new password (mode 0600) for the next up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hkrot-')), 'credentials.json');
    saveCredentials({ user: 'admin', password: 'old' }, file);
    const creds = await rotateCredentials(undefined, silentProgress, file);
    expect(creds.password).not.toBe('old');
    expect(creds.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(loadCredentials(file)).toEqual(creds);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('old');
  });
});
