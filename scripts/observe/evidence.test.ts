import { describe, expect, it } from 'vitest';
import { counterDeltas, serverChanges, startEvidence, type ServerSample } from './evidence.js';
import type { Runtime } from '../runtime/runtime.js';
import { defaultTopology } from '../stack/topology.js';

const s = (atMs: number, lb: string, server: string, status: string, retries = 0, redispatches = 0): ServerSample => ({
  atMs,
  lb,
  server,
  status,
  retries,
  redispatches,
});

describe('serverChanges', () => {
  it('reports each change per LB once, ignoring the "UP 1/2" detail', () => {
    const changes = serverChanges([
      s(0, 'lb1', 'backend1', 'UP'),
      s(0, 'lb2', 'backend1', 'UP'),
      s(100, 'lb1', 'backend1', 'UP 1/2'),
      s(200, 'lb1', 'backend1', 'DOWN'),
      s(210, 'lb2', 'backend1', 'DOWN'),
      s(300, 'lb1', 'backend1', 'DOWN'),
      s(900, 'lb1', 'backend1', 'UP'),
    ]);
    expect(changes).toEqual([
      { atMs: 200, lb: 'lb1', server: 'backend1', from: 'UP', to: 'DOWN' },
      { atMs: 210, lb: 'lb2', server: 'backend1', from: 'UP', to: 'DOWN' },
      { atMs: 900, lb: 'lb1', server: 'backend1', from: 'DOWN', to: 'UP' },
    ]);
  });
});

describe('counterDeltas', () => {
  it('sums increases, and survives a counter reset when HAProxy restarts', () => {
    expect(
      counterDeltas([
        s(0, 'lb1', 'backend1', 'UP', 5, 2),
        s(100, 'lb1', 'backend1', 'UP', 8, 3),
        s(100, 'lb2', 'backend1', 'UP', 1, 1),
        s(200, 'lb1', 'backend1', 'UP', 0, 0), // restarted
        s(300, 'lb1', 'backend1', 'UP', 2, 1),
      ]),
    ).toEqual({ retries: 5, redispatches: 2 });
  });
});

describe('startEvidence', () => {
  it('samples VIP holders and server stats through the runtime, and reads transitions at the end', async () => {
    const csv = '# pxname,svname,status,wretr,wredis\nbe_web,backend1,UP,1,0\nbe_web,BACKEND,UP,1,0\n';
    const fake = {
      topology: defaultTopology,
      nodes: async () => defaultTopology.nodes.map((spec) => ({ spec, running: spec.name !== 'lb2' })),
      exec: async (node: string) => ({
        stdout: node === 'lb1' ? '2: eth0 inet 10.213.0.10/24 scope global eth0' : '',
        stderr: '',
        exitCode: 0,
      }),
      runtimeApi: async () => csv,
      readRunFile: async (node: string) => (node === 'lb1' ? '100 VI_WEB BACKUP 101\n5000 VI_WEB MASTER 101\n' : undefined),
    } as unknown as Runtime;
    const poller = startEvidence(fake, 5);
    await new Promise((r) => setTimeout(r, 40));
    const ev = await poller.stop(1000);
    expect(ev.vip.length).toBeGreaterThan(1);
    expect(ev.vip.every((v) => v.holders.join() === 'lb1')).toBe(true);
    expect(ev.servers.every((x) => x.lb === 'lb1' && x.server === 'backend1' && x.retries === 1)).toBe(true);
    expect(ev.transitions).toEqual([{ atMs: 5000, lb: 'lb1', state: 'MASTER' }]);
  });
});
