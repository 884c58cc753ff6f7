import { describe, expect, it } from 'vitest';
import { parseProcDump, parseProcStatus } from './privileges.js';

const status = (name: string, uid: string, nnp = '0', cap = '0000000000000000') =>
  `Name:\t${name}\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t${uid}\nGid:\t${uid}\nNoNewPrivs:\t${nnp}\nCapEff:\t${cap}\n`;

describe('process facts from /proc', () => {
  it('reads name, uids, no-new-privs and effective capabilities', () => {
    const f = parseProcStatus(42, status('node', '65534\t65534\t65534\t65534', '1'));
    expect(f).toEqual({ pid: 42, comm: 'node', uids: [65534, 65534, 65534, 65534], noNewPrivs: true, capEff: 0n });
    expect(parseProcStatus(1, status('keepalived', '0\t0\t0\t0', '0', '000001ffffffffff'))?.capEff).toBe(0x1ffffffffffn);
  });

  it('ignores text that is not a status file', () => {
    expect(parseProcStatus(1, 'nothing here')).toBeUndefined();
  });

  it('splits a dump of several processes', () => {
    const out = `@@hakit-proc@@ 10\n${status('haproxy', '101\t101\t101\t101')}@@hakit-proc@@ 11\n${status('check-haproxy', '998\t998\t998\t998')}`;
    expect(parseProcDump(out).map((p) => [p.pid, p.comm, p.uids[0]])).toEqual([
      [10, 'haproxy', 101],
      [11, 'check-haproxy', 998],
    ]);
  });
});
