// What every runtime does the same way, written once.
import { connect } from 'node:net';
import { ExitCode, HakitError } from '../errors.js';
import { findNode, type NodeSpec, type Topology } from '../stack/topology.js';
import type { Runtime } from './runtime.js';

/** The node's spec, or a usage error that lists the valid names. */
export function requireNode(t: Topology, node: string): NodeSpec {
  const spec = findNode(t, node);
  if (!spec) throw new HakitError(`no node named "${node}"`, ExitCode.usage, `nodes: ${t.nodes.map((n) => n.name).join(', ')}`);
  return spec;
}

/** The HAProxy runtime socket inside every load balancer node (haproxy.cfg `stats socket`). */
export const HAPROXY_SOCKET = '/run/hakit/haproxy.sock';
/** Every node's run directory: pid files, the track file, keepalived's transitions log. */
export const NODE_RUN = '/run/hakit';

/** F7: an nftables table, local to a node's network namespace, that drops VRRP to and from a peer. */
export const PARTITION_TABLE = 'hakit_partition';
export const partitionRules = (peerAddress: string): string =>
  [
    `add table inet ${PARTITION_TABLE}`,
    `add chain inet ${PARTITION_TABLE} input { type filter hook input priority 0; policy accept; }`,
    `add chain inet ${PARTITION_TABLE} output { type filter hook output priority 0; policy accept; }`,
    `add rule inet ${PARTITION_TABLE} input ip saddr ${peerAddress} ip protocol vrrp drop`,
    `add rule inet ${PARTITION_TABLE} output ip daddr ${peerAddress} ip protocol vrrp drop`,
  ].join('; ');

/**
 * Cuts (on) or heals (off) VRRP between load balancers a and b, both ways, with nft inside each
 * node: written over `exec`, so every runtime whose LB nodes have nft shares it.
 */
export async function cutVrrp(rt: Pick<Runtime, 'exec' | 'topology'>, a: string, b: string, on: boolean): Promise<void> {
  const [sa, sb] = [requireNode(rt.topology, a), requireNode(rt.topology, b)];
  for (const [self, peer] of [
    [sa, sb],
    [sb, sa],
  ] as const) {
    // Heal first (the whole job when on=false), so cutting twice leaves one set of rules.
    await rt.exec(self.name, ['nft', `delete table inet ${PARTITION_TABLE}`]);
    if (!on) continue;
    const r = await rt.exec(self.name, ['nft', partitionRules(peer.address)]);
    if (r.exitCode !== 0)
      throw new HakitError(
        `could not cut VRRP on ${self.name}: ${r.stderr.trim()}`,
        ExitCode.failure,
        'is nft (nftables) installed in the node?',
      );
  }
}

/**
 * HAProxy's runtime API from inside the node, where the kit cannot reach the socket directly:
 * socat (in the LB image) carries one request; the command travels as an argument ($1), so
 * nothing in it is parsed by a shell.
 */
export async function runtimeApiByExec(rt: Pick<Runtime, 'exec'>, node: string, command: string): Promise<string> {
  const script = `printf '%s\\n' "$1" | socat -t 2 - UNIX-CONNECT:${HAPROXY_SOCKET}`;
  const r = await rt.exec(node, ['sh', '-c', script, 'sh', command]);
  if (r.exitCode !== 0) throw new HakitError(`HAProxy runtime API on ${node}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return r.stdout;
}

/** A file of the node's /run/hakit read from inside the node; undefined when absent. */
export async function readRunFileByExec(rt: Pick<Runtime, 'exec'>, node: string, name: string): Promise<string | undefined> {
  const r = await rt.exec(node, ['cat', `${NODE_RUN}/${name}`]);
  return r.exitCode === 0 ? r.stdout : undefined;
}

/** One request/answer on a unix socket (HAProxy's runtime API closes after answering). */
export function unixRequest(path: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let data = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer from ${path} within ${timeoutMs} ms`)));
    sock.on('connect', () => sock.end(command.endsWith('\n') ? command : command + '\n'));
    sock.on('data', (chunk) => (data += chunk.toString()));
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
}
