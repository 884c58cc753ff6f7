// Forming and checking the cluster with redis-cli's own tools, as an operator would: `--cluster
// create` once on empty nodes (three primaries, two replicas each, on other nodes), `--cluster
// check` after every start and restore. The commands are built here and run wherever redis-cli
// is: inside a node on the kit's runtimes, on this host for the tests' loopback cluster.
// docs/architecture.md#the-cluster-nodes.

export interface ClusterAddress {
  host: string;
  port: number;
}

/** The primaries' count and their replicas each: three shards, each with two replicas. */
export const clusterShape = { primaries: 3, replicasEach: 2 } as const;

const hostPort = (a: ClusterAddress) => `${a.host}:${a.port}`;

/** redis-cli's argv after `redis-cli --no-auth-warning --user admin` (the password in REDISCLI_AUTH). */
export function createArgs(nodes: ClusterAddress[], replicasEach: number = clusterShape.replicasEach): string[] {
  // The first nodes become primaries, each later one a replica of a primary on another host.
  return ['--cluster', 'create', ...nodes.map(hostPort), '--cluster-replicas', String(replicasEach), '--cluster-yes'];
}

export const checkArgs = (node: ClusterAddress): string[] => ['--cluster', 'check', hostPort(node)];

export interface CheckVerdict {
  ok: boolean;
  /** What is wrong, one line each ([ERR] and [WARNING] lines of redis-cli). */
  problems: string[];
}

// redis-cli colours its output even when piped.
const plain = (s: string) => s.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');

/** `--cluster check`'s output: clean when every node agrees, no slot is open and all 16384 are covered. */
export function checkVerdict(output: string, exitCode: number): CheckVerdict {
  const lines = plain(output).split('\n');
  const problems = lines.filter((l) => /\[(ERR|WARNING)\]/.test(l)).map((l) => l.trim());
  const agree = lines.some((l) => l.includes('[OK] All nodes agree about slots configuration.'));
  const covered = lines.some((l) => l.includes('[OK] All 16384 slots covered.'));
  if (!agree && !problems.length) problems.push('the nodes do not agree about the slots');
  if (!covered && !problems.length) problems.push('not every slot is covered');
  return { ok: exitCode === 0 && agree && covered && problems.length === 0, problems };
}
