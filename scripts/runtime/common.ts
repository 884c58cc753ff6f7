// What every runtime does the same way, written once.
import { connect } from 'node:net';
import { ExitCode, HakitError } from '../errors.js';
import { findNode, type NodeSpec, type Topology } from '../stack/topology.js';
import type { Cut, HaproxySocket, Runtime } from './runtime.js';

/** The node's spec, or a usage error that lists the valid names. */
export function requireNode(t: Topology, node: string): NodeSpec {
  const spec = findNode(t, node);
  if (!spec) throw new HakitError(`no node named "${node}"`, ExitCode.usage, `nodes: ${t.nodes.map((n) => n.name).join(', ')}`);
  return spec;
}

/** Every node's run directory: pid files, the track file, keepalived's transitions log. */
export const NODE_RUN = '/run/hakit';
/**
 * HAProxy's sockets inside every load balancer node, by name in /run/hakit: the worker's runtime
 * API (haproxy.cfg `stats socket`) and the master CLI (lb-entrypoint's `-S`).
 */
export const HAPROXY_SOCKETS: Record<HaproxySocket, string> = { worker: 'haproxy.sock', master: 'master.sock' };
export const haproxySocketPath = (socket: HaproxySocket = 'worker') => `${NODE_RUN}/${HAPROXY_SOCKETS[socket]}`;

/**
 * Network cuts live in one nftables table per node, local to its network namespace: one pair of
 * base chains (input, output) per peer address and protocol, so cutting one peer and healing
 * another never touch each other. A restore keeps them: a cut is the network's, not the process's.
 */
export const PARTITION_TABLE = 'hakit_partition';

const chainSuffix = (peer: string, only: Cut['only']) => `${peer.replace(/\./g, '_')}${only ? `_${only}` : ''}`;

/** The nft batch that cuts (on) or heals (off) one node's traffic with the given peers. */
export function cutRules(peers: string[], on: boolean, only?: Cut['only']): string {
  const match = only === 'vrrp' ? ' ip protocol vrrp' : '';
  const lines = [`add table inet ${PARTITION_TABLE}`];
  for (const peer of peers) {
    for (const [hook, dir] of [
      ['input', 'saddr'],
      ['output', 'daddr'],
    ] as const) {
      const chain = `${hook}_${chainSuffix(peer, only)}`;
      // `add` is a no-op on an existing chain: flushing or deleting it next never fails.
      lines.push(`add chain inet ${PARTITION_TABLE} ${chain} { type filter hook ${hook} priority 0; policy accept; }`);
      if (on)
        lines.push(
          `flush chain inet ${PARTITION_TABLE} ${chain}`,
          `add rule inet ${PARTITION_TABLE} ${chain} ip ${dir} ${peer}${match} drop`,
        );
      else lines.push(`delete chain inet ${PARTITION_TABLE} ${chain}`);
    }
  }
  return lines.join('\n');
}

/** The two sides of a cut as nodes: every name known, no node on both sides. */
export function cutSides(t: Topology, cut: Cut): [NodeSpec[], NodeSpec[]] {
  const side = (names: string[]) => names.map((n) => requireNode(t, n));
  const [a, b] = [side(cut.a), side(cut.b)];
  const overlap = a.filter((n) => b.includes(n)).map((n) => n.name);
  if (overlap.length) throw new HakitError(`a node cannot be cut from itself: ${overlap.join(', ')}`, ExitCode.usage);
  return [a, b];
}

/**
 * Cuts (on) or heals (off) the traffic between the nodes of `cut.a` and those of `cut.b`, both
 * ways, with nft inside each node of side `a`: its input and output hooks see every packet
 * exchanged with side `b`, so only side `a` needs nft (a data node cut off from the backends: the
 * backends' image has none). Written over `exec`, so every runtime whose nodes have nft shares it.
 */
export async function cutBetween(rt: Pick<Runtime, 'exec' | 'topology'>, cut: Cut, on: boolean): Promise<void> {
  const [a, b] = cutSides(rt.topology, cut);
  for (const self of a) {
    const r = await rt.exec(self.name, [
      'nft',
      cutRules(
        b.map((p) => p.address),
        on,
        cut.only,
      ),
    ]);
    if (r.exitCode !== 0)
      throw new HakitError(
        `could not ${on ? 'cut' : 'heal'} the network on ${self.name}: ${r.stderr.trim()}`,
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
export async function runtimeApiByExec(rt: Pick<Runtime, 'exec'>, node: string, command: string, socket?: HaproxySocket): Promise<string> {
  const script = `printf '%s\\n' "$1" | socat -t 2 - UNIX-CONNECT:${haproxySocketPath(socket)}`;
  const r = await rt.exec(node, ['sh', '-c', script, 'sh', command]);
  if (r.exitCode !== 0) throw new HakitError(`HAProxy runtime API on ${node}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return r.stdout;
}

/** A file of the node's /run/hakit read from inside the node; undefined when absent. */
export async function readRunFileByExec(rt: Pick<Runtime, 'exec'>, node: string, name: string): Promise<string | undefined> {
  const r = await rt.exec(node, ['cat', `${NODE_RUN}/${name}`]);
  return r.exitCode === 0 ? r.stdout : undefined;
}

/**
 * A file of the node's /run/hakit written from inside the node: the text travels as an argument
 * ($1), so nothing in it is parsed by a shell; 0600, then renamed into place.
 */
export async function writeRunFileByExec(rt: Pick<Runtime, 'exec'>, node: string, name: string, text: string): Promise<void> {
  if (!/^[\w.-]+$/.test(name)) throw new HakitError(`not a file name for /run/hakit: ${name}`);
  const path = `${NODE_RUN}/${name}`;
  const r = await rt.exec(node, ['sh', '-c', `umask 077 && printf '%s' "$1" > ${path}.new && mv ${path}.new ${path}`, 'sh', text]);
  if (r.exitCode !== 0) throw new HakitError(`could not write ${path} on ${node}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
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

/**
 * Whether /proc/net/fib_trie (of a process in the node's network namespace) lists `address` as a
 * local (host) address: a leaf line "|-- ADDRESS" followed by a "/32 host LOCAL" line. It stays
 * listed while the link is down, as `ip addr` shows it.
 */
export function fibTrieHasLocal(fibTrie: string, address: string): boolean {
  let leaf: string | undefined;
  for (const line of fibTrie.split('\n')) {
    const m = /\|-- (\S+)\s*$/.exec(line);
    if (m) leaf = m[1];
    else if (leaf === address && /\/32 host LOCAL/.test(line)) return true;
    else if (/\+--/.test(line)) leaf = undefined;
  }
  return false;
}
