// The load balancers: HAProxy and keepalived side by side, started by keepalived/lb-entrypoint,
// configured by haproxy/ and keepalived/ (one file each for both LBs).
import { ExitCode, HakitError } from '../../errors.js';
import { lbProfileEnv } from '../../stack/profiles.js';
import { lbs } from '../../stack/topology.js';
import { waitFor } from '../../sh.js';
import type { NodeGroup } from '../group.js';
import { join } from 'node:path';
import { commandExists } from '../../sh.js';
import { checkHaproxy, checkKeepalived, type CheckResult } from './config-check.js';
import { reloadLb } from './reload.js';
import { holdsVip, lbState } from './status.js';

/** A failed check as one problem: what ran, and the validator's own complaint. */
function problem(what: string, r: CheckResult): string {
  const said = r.output.split('\n').filter((l) => /\[(ALERT|WARNING)\]|ignoring|error|unknown/i.test(l));
  return `${what} (exit ${r.exitCode}):\n    ${(said.length ? said : r.output.split('\n').filter(Boolean)).slice(0, 6).join('\n    ')}`;
}

export const lbGroup: NodeGroup = {
  name: 'lb',
  title: 'load balancer',
  // peers/: the bench's other VIP managers (ucarp, Pacemaker), run instead of keepalived.
  configDirs: ['haproxy', 'keepalived', 'peers'],
  startRank: 2,
  servingStates: ['MASTER', 'BACKUP'],
  diesSilently: true,
  // Both LBs start as BACKUP with nopreempt, so whoever decides first keeps the VIP: the LB with
  // the highest priority starts first and holds the VIP before the next starts (started below),
  // or the 0.2 ms of priority skew between them is a coin toss.
  startOrder: (nodes) => [...nodes].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)),
  profileEnv: lbProfileEnv,
  launch: (node, { topology, credentials, profileEnv, serverPem }) => ({
    argv: ['/etc/keepalived/lb-entrypoint'],
    // haproxy.cfg's default crt path; HAProxy reads it as root before dropping privileges.
    files: [{ path: 'haproxy/tls/server.pem', content: serverPem(), mode: 0o600 }],
    env: {
      NODE_NAME: node.name,
      // The other LB: lb-entrypoint drops VRRP from anyone else.
      VRRP_PEER: lbs(topology).find((n) => n.name !== node.name)?.address ?? '',
      ...profileEnv,
      STATS_USER: credentials.user,
      STATS_PASSWORD: credentials.password,
    },
  }),
  async started(rt, node, firstOfGroup) {
    if (firstOfGroup)
      await waitFor(`${node.name} to take the VIP`, async () => ((await holdsVip(rt, node.name)) ? true : undefined), 15_000);
  },
  // Exactly one holds the VIP.
  healthy: (nodes) => nodes.filter((n) => n.state === 'MASTER').length === 1,
  async readStates(rt, nodes) {
    const states = await Promise.all(nodes.map(async (n) => [n.spec.name, await lbState(rt, n.spec.name, n.running)] as const));
    return new Map(states);
  },
  parts: ['haproxy'],
  async killPart(rt, node) {
    // Only HAProxy dies — its master (the PID in haproxy.pid) and its workers together, as a crash
    // of the whole program; keepalived stays up and must notice on its own. (A worker alone would
    // take the master with it; a master alone, its workers within milliseconds.)
    if (rt.killHaproxy) return rt.killHaproxy(node);
    // The master first (it cannot react to SIGKILL), then the workers listed before it died; a
    // worker that exited meanwhile (an old one after a reload) is no error.
    const script =
      'm=$(cat /run/hakit/haproxy.pid) && w=$(cat /proc/"$m"/task/*/children 2>/dev/null); kill -KILL "$m" || exit 1; kill -KILL $w 2>/dev/null; exit 0';
    const r = await rt.exec(node, ['sh', '-c', script]);
    if (r.exitCode !== 0) throw new HakitError(`could not kill HAProxy on ${node}: ${r.stderr.trim() || 'is the node running?'}`);
  },
  // keepalived alone is not a whole LB: lb-entrypoint writes 1 to the track file when HAProxy exits.
  isWhole: async (rt, node) => (await rt.readRunFile(node, 'haproxy-down'))?.trim() === '0',
  // A container keeps the environment it was created with: new credentials (creds --rotate) need
  // a new LB container.
  needsRecreate: (env, credentials) => !env.includes(`STATS_PASSWORD=${credentials.password}`),
  // On this host, with the validators the kit's own tests use (keepalived -t's exit code is not
  // to be trusted: docs/architecture.md#checking-the-keepalived-config), once per LB.
  async checkConfig(from, nodes) {
    for (const tool of ['haproxy', 'keepalived', 'unshare', 'nsenter'])
      if (!(await commandExists(tool)))
        throw new HakitError(
          `checking the config needs ${tool} on this host`,
          ExitCode.preflight,
          'hakit setup (it installs haproxy and keepalived)',
        );
    const problems: string[] = [];
    for (const n of nodes) {
      const hp = await checkHaproxy(join(from, 'haproxy'), { NODE_NAME: n.name });
      if (!hp.ok) problems.push(problem(`haproxy -c for ${n.name}`, hp));
      const ka = await checkKeepalived(n.name, join(from, 'keepalived'));
      if (!ka.ok) problems.push(problem(`keepalived -t -i ${n.name}`, ka));
    }
    return problems;
  },
  reload: (rt, node) => reloadLb(rt, node),
  validate(nodes) {
    const errors: string[] = [];
    if (nodes.length !== 2) errors.push(`expected 2 load balancers, found ${nodes.length}`);
    for (const n of nodes) {
      if (!Number.isInteger(n.priority) || n.priority! < 1 || n.priority! > 254)
        errors.push(`${n.name}: priority must be an integer from 1 to 254`);
    }
    if (nodes.length === 2 && nodes[0]!.priority === nodes[1]!.priority)
      errors.push('the load balancers have equal priorities: the first election would depend on addresses');
    return errors;
  },
};
