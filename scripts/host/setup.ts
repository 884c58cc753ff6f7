// `hakit setup`: installs what the netns runtime needs with apt on Debian/Ubuntu, creates
// keepalived's unprivileged script user, and keeps Debian's own Redis services off. Does nothing
// that is already done.
import { existsSync } from 'node:fs';
import { ExitCode, HakitError } from '../errors.js';
import { netnsTools, osRelease } from '../stack/preflight.js';
import type { Progress } from '../progress.js';
import { commandExists, sh, shMaybe } from '../sh.js';

const aptPackages: Record<(typeof netnsTools)[number] | 'iptables' | 'nft', string> = {
  ip: 'iproute2',
  haproxy: 'haproxy',
  keepalived: 'keepalived',
  curl: 'curl',
  setpriv: 'util-linux',
  // The data nodes.
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
  'redis-cli': 'redis-tools',
  // The local CA and the LBs' server certificate (scripts/stack/tls.ts).
  openssl: 'openssl',
  // Needed where br_netfilter filters bridged traffic (see runtime/netns.ts).
  iptables: 'iptables',
  // The demo's partition (F7) cuts VRRP with nftables inside the LB namespaces.
  nft: 'nftables',
};

/**
 * The URL shortener's servers (hakit up --with shortener): the replicated log, etcd for Patroni
 * and the master role, Patroni and Postgres 15. Installed by setup like the rest, so its tests
 * and nodes find them.
 */
export const shortenerPackages: Record<string, string> = {
  'nats-server': 'nats-server',
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  patroni: 'patroni',
  '/usr/lib/postgresql/15/bin/postgres': 'postgresql-15',
  psql: 'postgresql-client-15',
};

/**
 * Installs with apt the package of every tool that is missing (tool → package). Refuses without
 * root, or on a system without apt, naming what to install.
 */
export async function aptInstallMissing(progress: Progress, tools: Record<string, string>, what: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new HakitError(`${what} installs packages and needs root`, ExitCode.preflight, 'run it with sudo');
  const missing: string[] = [];
  const present = async (tool: string) => (tool.startsWith('/') ? existsSync(tool) : commandExists(tool));
  for (const [tool, pkg] of Object.entries(tools)) if (!(await present(tool)) && !missing.includes(pkg)) missing.push(pkg);
  if (missing.length === 0) {
    progress.info(`✓ ${[...new Set(Object.values(tools))].join(', ')} installed`);
    return;
  }
  if (!/^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(osRelease()) || !(await commandExists('apt-get'))) {
    throw new HakitError(
      `missing packages: ${missing.join(' ')}`,
      ExitCode.preflight,
      'install them with your package manager (hakit setup knows apt only)',
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await progress.step('apt-get update', () => sh({ env })`apt-get update -qq`);
  await progress.step(`apt-get install ${missing.join(' ')}`, () => sh({ env })`apt-get install -y -qq --no-install-recommends ${missing}`);
}

/**
 * The bench's peers (ucarp, Pacemaker/Corosync: scripts/stack/profiles.ts), which run inside its LB
 * nodes only. resource-agents has no command of its own: IPaddr2 is checked by its path.
 */
export const peerPackages: Record<string, string> = {
  ucarp: 'ucarp',
  corosync: 'corosync',
  pacemakerd: 'pacemaker',
  crm_verify: 'pacemaker-cli-utils',
  '/usr/lib/ocf/resource.d/heartbeat/IPaddr2': 'resource-agents',
};

/** The peer tools missing on this host (empty when the bench can run its peer profiles). */
export async function missingPeerTools(): Promise<string[]> {
  const missing: string[] = [];
  for (const tool of Object.keys(peerPackages))
    if (!(tool.startsWith('/') ? existsSync(tool) : await commandExists(tool))) missing.push(tool);
  return missing;
}

/**
 * `hakit setup --peers`: the peers' packages. Debian enables and starts corosync and pacemaker
 * as host services on install; the bench runs its own in each LB node, so the host's are stopped
 * and disabled again (where systemd runs).
 */
export async function setupPeers(progress: Progress): Promise<void> {
  await aptInstallMissing(progress, peerPackages, 'setup --peers');
  const systemd = (await commandExists('systemctl')) && (await shMaybe`systemctl is-system-running`).stdout.trim() !== 'offline';
  if (systemd) {
    await progress.step('Stop and disable the host-wide pacemaker and corosync services (the bench runs its own per node)', () =>
      shMaybe`systemctl disable --now pacemaker corosync`.then(() => undefined),
    );
  }
}

export async function setup(progress: Progress): Promise<void> {
  await aptInstallMissing(progress, { ...aptPackages, ...shortenerPackages }, 'setup');
  if ((await shMaybe`id -u keepalived_script`).exitCode !== 0) {
    await progress.step(
      "Create user keepalived_script (runs keepalived's check scripts)",
      () => sh`useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin keepalived_script`,
    );
  }
  // Debian starts its own redis-server and redis-sentinel on install where systemd runs: the kit
  // starts its data nodes itself, so the host's are stopped and disabled (nothing of theirs listens).
  if (await commandExists('systemctl')) {
    // The same for the shortener's servers: its nodes run their own.
    for (const unit of ['redis-server', 'redis-sentinel', 'nats-server', 'etcd', 'patroni', 'postgresql']) {
      if ((await shMaybe`systemctl is-enabled ${unit}`).stdout.trim() === 'enabled')
        await progress.step(`Stop and disable Debian's own ${unit} service`, () => sh`systemctl disable --now ${unit}`);
    }
  }
}
