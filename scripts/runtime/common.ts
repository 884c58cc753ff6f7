// What every runtime does the same way, written once.
import { ExitCode, HakitError } from '../errors.js';
import { findNode, type NodeSpec, type Topology } from '../topology.js';

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
