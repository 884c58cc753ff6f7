// The load balancers: HAProxy and keepalived side by side, started by keepalived/lb-entrypoint,
// configured by haproxy/ and keepalived/ (one file each for both LBs).
import { HakitError } from '../../errors.js';
import { lbProfileEnv } from '../../stack/profiles.js';
import { lbs } from '../../stack/topology.js';
import { waitFor } from '../../sh.js';
import type { NodeGroup } from '../group.js';
import { holdsVip, lbState } from './status.js';

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
  launch: (node, { topology, credentials, profileEnv }) => ({
    argv: ['/etc/keepalived/lb-entrypoint'],
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
  async readStates(rt, nodes) {
    const states = await Promise.all(nodes.map(async (n) => [n.spec.name, await lbState(rt, n.spec.name, n.running)] as const));
    return new Map(states);
  },
  parts: ['haproxy'],
  async killPart(rt, node) {
    // Only HAProxy dies; keepalived stays up and must notice on its own.
    if (rt.killHaproxy) return rt.killHaproxy(node);
    const r = await rt.exec(node, ['sh', '-c', 'kill -KILL "$(cat /run/hakit/haproxy.pid)"']);
    if (r.exitCode !== 0) throw new HakitError(`could not kill HAProxy on ${node}: ${r.stderr.trim() || 'is the node running?'}`);
  },
  // keepalived alone is not a whole LB: lb-entrypoint writes 1 to the track file when HAProxy exits.
  isWhole: async (rt, node) => (await rt.readRunFile(node, 'haproxy-down'))?.trim() === '0',
  // A container keeps the environment it was created with: new credentials (creds --rotate) need
  // a new LB container.
  needsRecreate: (env, credentials) => !env.includes(`STATS_PASSWORD=${credentials.password}`),
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
