// Validates the kit's HAProxy and keepalived configs with the real binaries, as the nodes see
// them (/etc/haproxy, /etc/keepalived), inside throwaway namespaces so nothing on the host changes.
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statsUsersConfig, STATS_USERS_FILE } from './stats-users.js';
import { packageRoot } from '../../paths.js';
import { shMaybe } from '../../sh.js';
import { ensureTls } from '../../stack/tls.js';
import { defaultTopology } from '../../stack/topology.js';

// A /run of the check's own with an empty /run/hakit, as a node has before its entrypoint writes
// anything: keepalived.conf includes /run/hakit/*.conf patterns, which keepalived reports as
// missing only when the directory itself is absent; whether the host has one (a stack up, or one
// that ran before) must not change what a config check sees.
const privateRun = 'mount -t tmpfs -o mode=0755 hakit-check /run && mkdir /run/hakit';

export interface CheckResult {
  ok: boolean;
  exitCode: number;
  output: string;
}

/** A throwaway CA and server certificate, made once per process: `haproxy -c` loads the `crt` file. */
let checkCert: Promise<string> | undefined;
const throwawayCert = () =>
  (checkCert ??= ensureTls(defaultTopology, { dir: join(mkdtempSync(join(tmpdir(), 'hkcfg-tls-')), 'tls') }).then(
    (r) => r.paths.serverPem,
  ));

/**
 * `haproxy -c` on a config directory mounted at /etc/haproxy (so errorfile paths resolve), with
 * the stats user file the LB entrypoint writes and a throwaway certificate, as the node's HAProxy
 * loads them.
 */
export async function checkHaproxy(dir = join(packageRoot, 'haproxy'), extraEnv: Record<string, string> = {}): Promise<CheckResult> {
  const env = { ...process.env, NODE_NAME: 'lb1', TLS_CRT: await throwawayCert(), ...extraEnv };
  const users = `/run/hakit/${STATS_USERS_FILE}`;
  const script = `mount --bind "$0" /etc/haproxy && ${privateRun} && printf '%s' "$1" > ${users} && exec haproxy -c -f /etc/haproxy/haproxy.cfg -f ${users}`;
  const r = await shMaybe({ env })`unshare --mount sh -c ${script} ${dir} ${statsUsersConfig({ user: 'check', password: 'check' })}`;
  const output = r.stdout + r.stderr;
  // Backends are named by hostname, which only resolve inside the kit's network: that warning is expected.
  const unexpected = output.split('\n').filter((l) => /\[(ALERT|WARNING)\]/.test(l) && !/could not resolve address 'backend\d'/.test(l));
  return {
    ok: r.exitCode === 0 && /Configuration file is valid/.test(output) && unexpected.length === 0,
    exitCode: r.exitCode ?? 1,
    output,
  };
}

/**
 * `keepalived -t` for one config id, in a network namespace that has the configured eth0.
 * keepalived 2.2.7's exit code is unreliable (a valid config with scripts ends in SIGTERM, 143,
 * and bad values are only printed with "- ignoring"), so a config passes only if nothing is printed.
 */
export async function checkKeepalived(configId: string, dir = join(packageRoot, 'keepalived')): Promise<CheckResult> {
  const ns = `hkcfg-${process.pid}-${configId}`;
  const etc = mkdtempSync(join(tmpdir(), 'hkcfg-'));
  try {
    cpSync(dir, join(etc, 'keepalived'), { recursive: true });
    await shMaybe`ip netns add ${ns}`;
    await shMaybe`ip link add ${ns.slice(0, 15)} type veth peer name eth0 netns ${ns}`;
    await shMaybe`ip -n ${ns} link set eth0 up`;
    const script = `mount --bind "$0" /etc/keepalived && ${privateRun} && exec keepalived -t -i "$1" -f /etc/keepalived/keepalived.conf`;
    const r = await shMaybe`nsenter --net=/run/netns/${ns} unshare --mount sh -c ${script} ${join(etc, 'keepalived')} ${configId}`;
    const output = (r.stdout + r.stderr).trim();
    // keepalived -t may end by SIGTERM to itself: zx then reports no exit code but the signal.
    const exitCode = r.exitCode ?? (r.signal === 'SIGTERM' ? 143 : 1);
    return { ok: (exitCode === 0 || exitCode === 143) && output === '', exitCode, output };
  } finally {
    await shMaybe`ip netns del ${ns}`;
    rmSync(etc, { recursive: true, force: true });
  }
}
