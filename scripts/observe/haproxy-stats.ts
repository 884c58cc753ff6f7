// Reads HAProxy's `show stat` CSV (runtime API) into typed rows.
import { parse } from 'csv-parse/sync';

export interface ServerStat {
  proxy: string;
  server: string;
  /** HAProxy's status: UP, DOWN, MAINT, DRAIN, "UP 1/2" (going down), "DOWN 1/2" (coming up)… */
  status: string;
  checkStatus: string;
  checkCode: string;
  /** Seconds since the last status change. */
  lastChangeS: number;
  retries: number;
  redispatches: number;
  requests: number;
  /** The server's current address, ip:port (a DNS-found server's changes with its task). */
  addr: string;
}

/**
 * Parses `show stat`. HAProxy quotes a field that holds a comma or a quote (a failed check's
 * reason phrase, e.g. `"Draining, back soon"` from a draining backend's 503), so this takes a real
 * CSV parser: split(',') would shift every later column, addr among them. (`show stat json` is
 * the other robust form, but its answer is ~20 times larger, and the pollers ask several times a
 * second.)
 */
export function parseShowStat(csv: string): ServerStat[] {
  if (!csv.startsWith('# ')) throw new Error('not a `show stat` CSV answer');
  const rows = parse(csv.slice(2), {
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as Array<Record<string, string | undefined>>;
  const num = (v: string | undefined) => (v ? Number(v) || 0 : 0);
  return rows.map((f) => ({
    proxy: f.pxname ?? '',
    server: f.svname ?? '',
    status: f.status ?? '',
    checkStatus: f.check_status ?? '',
    checkCode: f.check_code ?? '',
    lastChangeS: num(f.lastchg),
    retries: num(f.wretr),
    redispatches: num(f.wredis),
    requests: num(f.stot),
    addr: f.addr ?? '',
  }));
}

export type BackendState = 'UP' | 'DOWN' | 'DRAIN';

/** A backend's state as HAProxy sees it; DRAIN when the server is alive but says it is draining (503). */
export function backendState(s: ServerStat): BackendState {
  if (s.status.startsWith('UP')) return 'UP';
  if (s.status.startsWith('DRAIN') || s.status.startsWith('NOLB') || s.checkCode === '503') return 'DRAIN';
  return 'DOWN';
}
