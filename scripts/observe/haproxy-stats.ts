// Reads HAProxy's `show stat` CSV (runtime API) into typed rows.

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

export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (!header?.startsWith('# ')) throw new Error('not a `show stat` CSV answer');
  const cols = header.slice(2).split(',');
  const at = (name: string) => cols.indexOf(name);
  const num = (v: string | undefined) => (v ? Number(v) || 0 : 0);
  return lines.map((line) => {
    const f = line.split(',');
    return {
      proxy: f[at('pxname')] ?? '',
      server: f[at('svname')] ?? '',
      status: f[at('status')] ?? '',
      checkStatus: f[at('check_status')] ?? '',
      checkCode: f[at('check_code')] ?? '',
      lastChangeS: num(f[at('lastchg')]),
      retries: num(f[at('wretr')]),
      redispatches: num(f[at('wredis')]),
      requests: num(f[at('stot')]),
      addr: f[at('addr')] ?? '',
    };
  });
}

export type BackendState = 'UP' | 'DOWN' | 'DRAIN';

/** A backend's state as HAProxy sees it; DRAIN when the server is alive but says it is draining (503). */
export function backendState(s: ServerStat): BackendState {
  if (s.status.startsWith('UP')) return 'UP';
  if (s.status.startsWith('DRAIN') || s.status.startsWith('NOLB') || s.checkCode === '503') return 'DRAIN';
  return 'DOWN';
}
