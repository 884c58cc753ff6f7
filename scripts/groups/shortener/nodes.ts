// The URL shortener's nodes (hakit up --with shortener) and what the backends need to reach them.
// Placement and why: docs/architecture.md#placement. Addresses from the team's plan: .61–.79.
import { cacheAclRules } from '../../../backends/shortener/cache.js';
import type { Credentials } from '../../runtime/runtime.js';
import type { NodeSpec, Role, Topology } from '../../stack/topology.js';

export { shortenerNodes } from '../../stack/topology.js';

export const ports = { nats: 4222, natsCluster: 6222, natsMonitor: 8222, etcd: 2379, etcdPeer: 2380, pg: 5432, patroni: 8008, cache: 6379 };

export const ofRole = (t: Topology, role: Role): NodeSpec[] => t.nodes.filter((n) => n.role === role);

/** The backend a cache node serves: cacheN → backendN. */
export const backendOfCache = (cache: string) => cache.replace(/^cache/, 'backend');

export const etcdEndpoints = (t: Topology) => ofRole(t, 'etcd').map((n) => `${n.address}:${ports.etcd}`);

/** Every backend's environment for the shortener (none without its nodes or credentials). */
export function shortenerClientEnv(t: Topology, credentials: Credentials): Record<string, string> {
  const s = credentials.secrets ?? {};
  const nats = ofRole(t, 'nats');
  if (nats.length === 0 || !s.NATS_APP_PASSWORD) return {};
  return {
    SHORTENER_NATS: nats.map((n) => `${n.address}:${ports.nats}`).join(','),
    SHORTENER_NATS_PASSWORD: s.NATS_APP_PASSWORD,
    SHORTENER_PG_HOSTS: ofRole(t, 'postgres')
      .map((n) => `${n.address}:${ports.pg}`)
      .join(','),
    SHORTENER_PG_PASSWORD: s.PG_APP_PASSWORD ?? '',
    SHORTENER_ETCD: etcdEndpoints(t).join(','),
    SHORTENER_ETCD_PASSWORD: s.ETCD_APP_PASSWORD ?? '',
    SHORTENER_REDIS: ofRole(t, 'cache')
      .map((n) => `${backendOfCache(n.name)}=${n.address}:${ports.cache}`)
      .join(','),
    SHORTENER_REDIS_PASSWORD: s.CACHE_APP_PASSWORD ?? '',
    SHORTENER_BASE_URL: `http://${t.vip}/`,
  };
}

export const cacheAclEnv = () => ({ CACHE_APP_ACL: cacheAclRules });

/** GET a node's HTTP endpoint as JSON, bounded (undefined: no answer). */
export async function getJson<T>(url: string, init: RequestInit = {}, timeoutMs = 800): Promise<{ status: number; body: T } | undefined> {
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, body: (await r.json()) as T };
  } catch {
    return undefined;
  }
}

/** Every problem with a count of nodes that must be exactly `n` (0 is fine: the feature is off). */
export const exactly = (nodes: NodeSpec[], n: number, what: string): string[] =>
  nodes.length === 0 || nodes.length === n ? [] : [`expected ${n} ${what}, found ${nodes.length}`];

/** What a backend's `/api/links/status` says, as far as status and the dashboard show it. */
interface LinksStatus {
  isMaster?: boolean;
  replica?: { position?: number; behind?: number; links?: number | null; error?: string };
  pending?: number | null;
  postgres?: { links: number; clicks: number } | null;
}

/**
 * A backend's shortener facts for status and the dashboard: master or replica, its position in
 * the links stream (and how far behind), its clicks not yet in Postgres, and on the master the
 * totals Postgres holds. Undefined when the backend does not answer within half a second.
 */
export async function linksDetail(address: string, port: number): Promise<Record<string, string | number> | undefined> {
  const s = (await getJson<LinksStatus>(`http://${address}:${port}/api/links/status`, {}, 500))?.body;
  if (!s) return undefined;
  const d: Record<string, string | number> = { shortener: s.isMaster ? 'master' : 'replica' };
  if (s.replica?.position !== undefined) d.position = s.replica.position;
  if (s.replica?.behind) d.behind = s.replica.behind;
  if (typeof s.pending === 'number') d.pending = s.pending;
  if (s.postgres) Object.assign(d, { linksInPostgres: s.postgres.links, clicksInPostgres: s.postgres.clicks });
  return d;
}
