import { describe, expect, it } from 'vitest';
import { clusterHealthy, clusterNodeState } from './status.js';

const p = (name: string, slots: number) => ({ name, state: 'PRIMARY', detail: { slots, cluster: 'ok' } });
const r = (name: string, primary: string) => ({ name, state: 'REPLICA', detail: { primary, cluster: 'ok' } });
const nine = [
  p('c1', 5461),
  p('c2', 5462),
  p('c3', 5461),
  r('c4', 'c1'),
  r('c5', 'c1'),
  r('c6', 'c2'),
  r('c7', 'c2'),
  r('c8', 'c3'),
  r('c9', 'c3'),
];

describe('cluster health with the chat’s fourth shard', () => {
  it('calls a blank node that knows no cluster SPARE, not a replica', () => {
    expect(clusterNodeState(true, { role: 'master', slots: 0, knownNodes: 1 })).toBe('SPARE');
    expect(clusterNodeState(true, { role: 'master', slots: 0, knownNodes: 11 })).toBe('REPLICA');
    expect(clusterNodeState(true, { role: 'master', slots: 4096, knownNodes: 11 })).toBe('PRIMARY');
  });

  it('is whole with the spares left out, and with the fourth shard joined', () => {
    const spares = [
      { name: 'c10', state: 'SPARE', detail: { cluster: 'fail' } },
      { name: 'c11', state: 'SPARE', detail: { cluster: 'fail' } },
    ];
    expect(clusterHealthy(nine)).toBe(true);
    expect(clusterHealthy([...nine, ...spares])).toBe(true);
    const four = [p('c1', 4096), p('c2', 4096), p('c3', 4096), ...nine.slice(3), p('c10', 4096), r('c11', 'c10')];
    expect(clusterHealthy(four)).toBe(true);
    // A primary without a replica, a missing slot, a node down: not whole.
    expect(clusterHealthy([...four.slice(0, -1), { name: 'c11', state: 'DOWN' }])).toBe(false);
    expect(clusterHealthy([p('c1', 5461), ...nine.slice(1)])).toBe(true);
    expect(clusterHealthy([p('c1', 5460), ...nine.slice(1)])).toBe(false);
    expect(clusterHealthy([...nine.slice(0, 8), { name: 'c9', state: 'DOWN' }])).toBe(false);
  });
});
