// A stranger on the kit's network that speaks VRRP: its own namespace on the kit's bridge, with a
// keepalived of the kit's router id at priority 254, unicast to both LBs, claiming another
// address. What a misconfigured neighbour (or an attacker) on a shared LAN looks like.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE } from '../runtime/netns.js';
import { sh, shMaybe, waitFor } from '../sh.js';
import { lbs, prefixLength, type Topology } from '../stack/topology.js';

const NS = 'hkstranger';
const VETH = 'hk-stranger';

export interface Stranger {
  /** The address it claims, which it holds once it believes itself MASTER. */
  claimed: string;
  holdsClaim(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startStranger(t: Topology, address: string, claimed: string): Promise<Stranger> {
  const dir = mkdtempSync(join(tmpdir(), 'hkstranger-'));
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(
    conf,
    `global_defs {
    router_id stranger
    vrrp_version 3
}
vrrp_instance STRANGER {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 254
    advert_int 0.05
    unicast_src_ip ${address}
    unicast_peer {
${lbs(t)
  .map((n) => `        ${n.address}`)
  .join('\n')}
    }
    virtual_ipaddress {
        ${claimed}/${prefixLength(t)} dev eth0
    }
}
`,
  );
  await shMaybe`ip netns del ${NS}`;
  await sh`ip netns add ${NS}`;
  await sh`ip link add ${VETH} type veth peer name eth0 netns ${NS}`;
  await sh`ip link set ${VETH} master ${BRIDGE} up`;
  await sh`ip -n ${NS} link set lo up`;
  await sh`ip -n ${NS} addr add ${address}/${prefixLength(t)} dev eth0`;
  await sh`ip -n ${NS} link set eth0 up`;
  const child = spawn(
    'ip',
    ['netns', 'exec', NS, 'keepalived', '--vrrp', '-n', '-l', '-D', '-f', conf, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')],
    { stdio: 'ignore' },
  );
  const holdsClaim = async () => (await shMaybe`ip -n ${NS} -o -4 addr show dev eth0`).stdout.includes(` ${claimed}/`);
  return {
    claimed,
    holdsClaim,
    async stop() {
      // Silently, as a neighbour that goes away: every process of its namespace SIGKILLed.
      const pids = (await shMaybe`ip netns pids ${NS}`).stdout.split('\n').filter(Boolean);
      for (const pid of pids) await shMaybe`kill -KILL ${pid}`;
      child.kill('SIGKILL');
      await waitFor(
        'the stranger to exit',
        async () => (child.exitCode !== null || child.signalCode !== null ? true : undefined),
        5_000,
        20,
      ).catch(() => undefined);
      await shMaybe`ip netns del ${NS}`;
      await shMaybe`ip link del ${VETH}`;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
