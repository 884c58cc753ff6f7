// CLUSTER NODES as data: who is primary of which slots, who replicates whom, who is failing.
// The kit's status, its `hakit cluster`, the faults' targets and the tests' loopback cluster all
// read the cluster through this one parser.

export interface ClusterNodeLine {
  id: string;
  /** host:port the node announces (cluster-announce-ip, its client port). */
  address: string;
  host: string;
  port: number;
  flags: string[];
  /** The primary it replicates ('-' for a primary). */
  masterId?: string;
  /** Its slot ranges, [start, end] inclusive (primaries only). */
  slots: Array<[number, number]>;
  linkState: 'connected' | 'disconnected';
  myself: boolean;
  primary: boolean;
  /** Marked failing: PFAIL (this node's own suspicion) or FAIL (agreed). */
  failing: boolean;
}

export const slotCount = (slots: Array<[number, number]>) => slots.reduce((n, [a, b]) => n + b - a + 1, 0);

/** One line: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot> …`. */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const out: ClusterNodeLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [id, addr, flagText, master, , , , link, ...slotFields] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    const address = addr.split('@')[0]!;
    const i = address.lastIndexOf(':');
    const flags = flagText.split(',');
    const slots: Array<[number, number]> = [];
    for (const s of slotFields) {
      if (s.startsWith('[')) continue; // a slot being migrated or imported
      const [a, b] = s.split('-').map(Number);
      if (Number.isInteger(a)) slots.push([a!, Number.isInteger(b) ? b! : a!]);
    }
    out.push({
      id,
      address,
      host: address.slice(0, i),
      port: Number(address.slice(i + 1)),
      flags,
      ...(master !== '-' ? { masterId: master } : {}),
      slots,
      linkState: link === 'connected' ? 'connected' : 'disconnected',
      myself: flags.includes('myself'),
      primary: flags.includes('master'),
      failing: flags.includes('fail') || flags.includes('fail?'),
    });
  }
  return out;
}

/** CLUSTER INFO's fields (cluster_state, cluster_slots_ok, cluster_known_nodes, …). */
export function parseClusterInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim().split(':'))
      .filter((kv): kv is [string, string] => kv.length === 2),
  );
}
