// lb-entrypoint's VIP guard (LB_ROLE=vip-guard), run for real in a private network and mount
// namespace (a veth pair and TEST-NET addresses, nothing of the kit's): a VIP nobody holds the
// lock for goes, a VIP under a live holder stays, and a holder's SIGKILL takes its VIP with it
// within 0.5 s. The holder stands in for keepalived: it takes the lock the way start_keepalived
// does and adds the VIP (docs/architecture.md#a-dead-keepalived-leaves-no-vip).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { missingPrerequisites, skipOutsideCi, failUnderCi } from './prerequisites.js';

const missing = await missingPrerequisites(['ip', 'unshare', 'flock']);

const script = String.raw`
set -u
# /run is this mount namespace's own: the entrypoint's /run/hakit never touches the host's.
mount -t tmpfs hk /run && mkdir /run/hakit || exit 1
ip link set lo up && ip link add hkg0 type veth peer name hkg1 && ip link set hkg0 up && ip link set hkg1 up || exit 1
ip addr add 192.0.2.2/24 dev hkg0
export VIP=192.0.2.10 VIP_PREFIX=24 LB_INTERFACE=hkg0
now() { date +%s%N; }
has() { ip -o -4 addr show dev hkg0 | grep -q ' 192.0.2.10/'; }
yn() { if has; then echo "$1=yes"; else echo "$1=no"; fi; }
LB_ROLE=vip-guard sh "$1" 2>/dev/null &
g=$!
sleep 0.3
ip addr add 192.0.2.10/24 dev hkg0; sleep 0.4; yn unlocked_kept
{ flock -x 9; ip addr add 192.0.2.10/24 dev hkg0; exec sleep 60; } 9>>/run/hakit/keepalived.lock &
k=$!
sleep 0.8; yn held_kept
kill -9 $k; t0=$(now)
while has && [ $(( $(now) - t0 )) -lt 3000000000 ]; do sleep 0.005; done
echo "removed_after_ms=$(( ($(now) - t0) / 1000000 ))"; yn dead_kept
kill -TERM $g; t0=$(now); wait $g; echo "guard_exit=$?"; echo "guard_stop_ms=$(( ($(now) - t0) / 1000000 ))"
`;

describe.skipIf(skipOutsideCi(missing))('the VIP guard (lb-entrypoint, LB_ROLE=vip-guard)', () => {
  it('removes a VIP no keepalived holds, keeps a held one, and removes it within 0.5 s of the holder dying', () => {
    failUnderCi(missing);
    const r = spawnSync(
      'unshare',
      [
        '--net',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'vip-guard-test',
        join(packageRoot, 'keepalived', 'lb-entrypoint'),
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const out = Object.fromEntries(r.stdout.split('\n').flatMap((l) => (l.includes('=') ? [l.split('=') as [string, string]] : [])));
    expect(r.status, r.stderr).toBe(0);
    expect(out.unlocked_kept).toBe('no');
    expect(out.held_kept).toBe('yes');
    expect(out.dead_kept).toBe('no');
    expect(Number(out.removed_after_ms)).toBeLessThan(500);
    expect(out.guard_exit).toBe('0');
    expect(Number(out.guard_stop_ms)).toBeLessThan(1000);
  });
});
