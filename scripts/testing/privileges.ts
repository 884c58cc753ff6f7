// Who the node's processes run as, read from /proc inside the node through the runtime's exec,
// so the same check works for a network namespace and for a container.
import type { Runtime } from '../runtime/runtime.js';

export interface ProcFacts {
  pid: number;
  comm: string;
  /** Real, effective, saved and filesystem uid. */
  uids: number[];
  noNewPrivs: boolean;
  /** Effective capabilities (hex mask). */
  capEff: bigint;
}

/** Parses /proc/PID/status text. */
export function parseProcStatus(pid: number, text: string): ProcFacts | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const comm = field('Name');
  const uid = field('Uid');
  if (comm === undefined || uid === undefined) return undefined;
  return {
    pid,
    comm,
    uids: uid.split(/\s+/).map(Number),
    noNewPrivs: field('NoNewPrivs') === '1',
    capEff: BigInt(`0x${field('CapEff') ?? '0'}`),
  };
}

const SEP = '@@hakit-proc@@';

/** Splits the output of the listing scripts below into one status text per process. */
export function parseProcDump(out: string): ProcFacts[] {
  const facts: ProcFacts[] = [];
  for (const part of out.split(`${SEP} `).slice(1)) {
    const nl = part.indexOf('\n');
    const f = parseProcStatus(Number(part.slice(0, nl)), part.slice(nl + 1));
    if (f) facts.push(f);
  }
  return facts;
}

// Every process in the same network namespace as this shell (a container sees only its own,
// a netns node shares the host's /proc), except the listing shell's own helpers.
const LIST_NODE_PROCS = [
  'me=$(readlink /proc/self/ns/net); self=$$',
  'for d in /proc/[0-9]*; do',
  '  p=${d#/proc/}; [ "$p" = "$self" ] && continue',
  '  [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$me" ] || continue',
  '  s=$(cat "$d/status" 2>/dev/null) || continue',
  `  printf '${SEP} %s\\n%s\\n' "$p" "$s"`,
  'done',
].join('\n');

/** Processes running in the node, with their uids, no-new-privs flag and capabilities. */
export async function nodeProcesses(rt: Runtime, node: string): Promise<ProcFacts[]> {
  const r = await rt.exec(node, ['sh', '-c', LIST_NODE_PROCS]);
  if (r.exitCode !== 0) throw new Error(`listing processes of ${node} failed: ${r.stderr.trim()}`);
  // The listing's own short-lived helpers (readlink, cat) run as root in the node: not node processes.
  return parseProcDump(r.stdout).filter((p) => !['readlink', 'cat', 'sh'].includes(p.comm) || p.pid === 1);
}

/**
 * The scripts keepalived runs (check and notify scripts) as seen during `watchMs`: keepalived's
 * VRRP process forks one per run, drops to its script_user and execs the script. Children still
 * named "keepalived" have not exec'ed yet (and may not have dropped privileges yet), so only
 * exec'ed ones are reported.
 */
export async function keepalivedScriptRuns(rt: Runtime, lb: string, watchMs = 3000): Promise<ProcFacts[]> {
  const rounds = Math.ceil(watchMs / 10);
  const script = [
    'v=$(cat /run/hakit/vrrp.pid) || exit 1',
    `i=0; while [ $i -lt ${rounds} ]; do i=$((i+1))`,
    '  for c in $(cat /proc/$v/task/$v/children 2>/dev/null); do',
    '    s=$(cat /proc/$c/status 2>/dev/null) || continue',
    `    printf '${SEP} %s\\n%s\\n' "$c" "$s"`,
    '  done',
    '  sleep 0.01',
    'done',
  ].join('\n');
  const r = await rt.exec(lb, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`watching keepalived's scripts on ${lb} failed: ${r.stderr.trim()}`);
  const seen = new Map<string, ProcFacts>();
  for (const p of parseProcDump(r.stdout)) if (p.comm !== 'keepalived') seen.set(`${p.pid} ${p.comm}`, p);
  return [...seen.values()];
}

/** A user's uid inside the node (`id -u NAME`). */
export async function uidOf(rt: Runtime, node: string, user: string): Promise<number | undefined> {
  const r = await rt.exec(node, ['id', '-u', user]);
  return r.exitCode === 0 ? Number(r.stdout.trim()) : undefined;
}
