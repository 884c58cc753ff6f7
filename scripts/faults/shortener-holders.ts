// Who holds the shortener's roles now, read from the live stack: the Postgres primary (Patroni's,
// as `status` shows it), the log node leading the links stream (a create waits for its Raft
// election when it dies), and the backend holding the master role (its `/api/links/status`).
// docs/architecture.md#the-url-shortener.
import { onePrimary } from '../observe/status.js';
import type { Runtime } from '../runtime/runtime.js';
import { waitFor } from '../sh.js';
import { backends, type Topology } from '../stack/topology.js';
import { getJson, ofRole, ports } from '../groups/shortener/nodes.js';

export interface ShortenerHolders {
  pgPrimary: string;
  logLeader: string;
  linksMaster: string;
}

interface Jsz {
  meta_cluster?: { leader?: string };
  account_details?: Array<{ stream_detail?: Array<{ name: string; cluster?: { leader?: string } }> }>;
}

/** The backend's name for a cache node's backend and back: cacheN serves backendN. */
export const cacheOfBackend = (backend: string) => backend.replace(/^backend/, 'cache');

/** The LINKS stream's leader as any log node reports it; the meta leader if none says. */
export async function linksLeader(t: Topology): Promise<string | undefined> {
  let meta: string | undefined;
  for (const n of ofRole(t, 'nats')) {
    const r = await getJson<Jsz>(`http://${n.address}:${ports.natsMonitor}/jsz?accounts=true&streams=true`);
    const leader = r?.body.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === 'LINKS')?.cluster?.leader;
    if (leader) return leader;
    meta ??= r?.body.meta_cluster?.leader;
  }
  return meta;
}

/** The master role's holder as the backends that answer report it (they must agree; a dead one says nothing). */
export async function linksMaster(t: Topology): Promise<string | undefined> {
  const seen = await Promise.all(
    backends(t).map(
      async (b) => (await getJson<{ master?: string | null }>(`http://${b.address}:${t.ports.backend}/api/links/status`, {}, 2000))?.body,
    ),
  );
  const masters = seen.filter((s) => s !== undefined).map((s) => s.master);
  const one = masters[0];
  return one && masters.every((m) => m === one) ? one : undefined;
}

/** Every holder, each waited for up to 10 s (a role that is moving has none for a moment). */
export async function readShortenerHolders(rt: Runtime): Promise<ShortenerHolders> {
  const t = rt.topology;
  const pgPrimary = onePrimary(rt, 'postgres', 'Postgres');
  const logLeader = waitFor('a leader of the links stream', () => linksLeader(t), 10_000, 200);
  const master = waitFor('one master of the shortener, as both backends see it', () => linksMaster(t), 10_000, 200);
  const [p, l, m] = await Promise.all([pgPrimary, logLeader, master]);
  return { pgPrimary: p, logLeader: l, linksMaster: m };
}

/** A backend's replica as its `/api/links/status` reports it (undefined: no answer). */
export async function replicaState(t: Topology, backend: string): Promise<{ caughtUpMs?: number; rebuilds: number } | undefined> {
  const b = backends(t).find((n) => n.name === backend);
  if (!b) return undefined;
  return (
    await getJson<{ replica?: { caughtUpMs?: number; rebuilds: number } }>(
      `http://${b.address}:${t.ports.backend}/api/links/status`,
      {},
      2000,
    )
  )?.body.replica;
}
