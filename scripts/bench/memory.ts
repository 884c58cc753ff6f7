// Resident memory of each component, read from /proc inside each node: every process that shares
// the node's network namespace (so it works the same in a namespace and in a container).
import type { Runtime } from '../runtime/runtime.js';

export type Component = 'haproxy' | 'keepalived' | 'backend';

// Prints "NAME RSS_KB" for every process in this network namespace except the shell itself.
// Only builtins inside the loop (no fork), so the listing does not see its own helpers.
const LIST = [
  'me=$(readlink /proc/self/ns/net)',
  'for d in /proc/[0-9]*; do',
  '  [ "${d#/proc/}" = "$$" ] && continue',
  '  [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$me" ] || continue',
  '  n= r=',
  '  { while read -r k v _; do case $k in Name:) n=$v;; VmRSS:) r=$v;; esac; done < "$d/status"; } 2>/dev/null',
  '  [ -n "$r" ] && echo "$n $r"',
  'done',
  'true',
].join('\n');

const componentOf = (name: string): Component | undefined =>
  name === 'haproxy' ? 'haproxy' : name.startsWith('keepalived') ? 'keepalived' : name === 'node' ? 'backend' : undefined;

/** Sums the RSS (KiB) of each component's processes in one node's listing. */
export function parseRss(listing: string): Partial<Record<Component, number>> {
  const out: Partial<Record<Component, number>> = {};
  for (const line of listing.split('\n')) {
    const [name, kb] = line.trim().split(/\s+/);
    const c = name ? componentOf(name) : undefined;
    if (!c || !kb || !/^\d+$/.test(kb)) continue;
    out[c] = (out[c] ?? 0) + Number(kb);
  }
  return out;
}

/** MiB per component: the largest over the nodes that run it (both LBs, both backends). */
export async function componentMemory(rt: Runtime): Promise<Partial<Record<Component, number>>> {
  const out: Partial<Record<Component, number>> = {};
  for (const node of rt.topology.nodes) {
    const r = await rt.exec(node.name, ['sh', '-c', LIST]);
    if (r.exitCode !== 0) continue;
    for (const [c, kb] of Object.entries(parseRss(r.stdout)) as Array<[Component, number]>) {
      out[c] = Math.max(out[c] ?? 0, Math.round((kb / 1024) * 10) / 10);
    }
  }
  return out;
}
