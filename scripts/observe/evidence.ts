// Evidence from the stack while a scenario runs: every ~75 ms, which load balancer holds the VIP
// and what each HAProxy says about its servers (state, retries, redispatches); at the end,
// keepalived's own transitions from the notify log. Merged with the probe into one timeline.
import type { VipSample } from './analysis.js';
import { parseShowStat } from './haproxy-stats.js';
import type { Runtime } from '../runtime/runtime.js';
import { sleep } from '../sh.js';
import { holdsVip } from '../groups/lb/status.js';
import { lbs } from '../stack/topology.js';
import { parseTransitions } from './transitions.js';

export interface ServerSample {
  atMs: number;
  lb: string;
  server: string;
  /** HAProxy's status word: UP, DOWN, DRAIN, MAINT, "UP 1/2"… */
  status: string;
  retries: number;
  redispatches: number;
}

export interface LbTransition {
  atMs: number;
  lb: string;
  state: string;
}

export interface ServerChange {
  atMs: number;
  lb: string;
  server: string;
  from: string;
  to: string;
}

export interface Evidence {
  vip: VipSample[];
  servers: ServerSample[];
  transitions: LbTransition[];
}

export interface EvidencePoller {
  /** Stops polling and returns what was seen, with keepalived transitions since `sinceMs`. */
  stop(sinceMs: number): Promise<Evidence>;
  /** The newest VIP sample (for live progress and wait conditions). */
  latest(): VipSample | undefined;
  /** What each running HAProxy said about its servers in the newest sample. */
  latestServers(): ServerSample[];
}

export function startEvidence(rt: Runtime, everyMs = 75, onSample?: (s: VipSample, servers: ServerSample[]) => void): EvidencePoller {
  const lbNames = lbs(rt.topology).map((n) => n.name);
  const vip: VipSample[] = [];
  const servers: ServerSample[] = [];
  let stopped = false;
  let latestRows: ServerSample[] = [];
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      const running = new Set((await rt.nodes()).filter((n) => n.running).map((n) => n.spec.name));
      const perLb = await Promise.all(
        lbNames.map(async (lb) => {
          if (!running.has(lb)) return { lb, vip: false, stat: undefined };
          const [held, stat] = await Promise.all([
            holdsVip(rt, lb).catch(() => false),
            rt.runtimeApi(lb, 'show stat').catch(() => undefined),
          ]);
          return { lb, vip: held, stat };
        }),
      );
      const atMs = Date.now();
      const sample = { atMs, holders: perLb.filter((p) => p.vip).map((p) => p.lb) };
      vip.push(sample);
      const rows: ServerSample[] = [];
      for (const p of perLb) {
        if (!p.stat) continue;
        try {
          for (const row of parseShowStat(p.stat)) {
            if (row.proxy !== 'be_web' || row.server === 'BACKEND') continue;
            rows.push({ atMs, lb: p.lb, server: row.server, status: row.status, retries: row.retries, redispatches: row.redispatches });
          }
        } catch {
          // an answer that is not CSV (HAProxy stopping): skip this sample
        }
      }
      servers.push(...rows);
      latestRows = rows;
      onSample?.(sample, rows);
      await sleep(Math.max(0, everyMs - (Date.now() - started)));
    }
  })();
  return {
    latest: () => vip.at(-1),
    latestServers: () => latestRows,
    async stop(sinceMs) {
      stopped = true;
      await loop;
      const transitions: LbTransition[] = [];
      for (const lb of lbNames) {
        for (const t of parseTransitions(await rt.readRunFile(lb, 'transitions.log').catch(() => undefined))) {
          if (t.atMs >= sinceMs) transitions.push({ atMs: t.atMs, lb, state: t.state });
        }
      }
      transitions.sort((a, b) => a.atMs - b.atMs);
      return { vip, servers, transitions };
    },
  };
}

/** Server state changes as each HAProxy saw them (the first sample per LB and server is the baseline). */
export function serverChanges(samples: ServerSample[]): ServerChange[] {
  const last = new Map<string, string>();
  const out: ServerChange[] = [];
  for (const s of [...samples].sort((a, b) => a.atMs - b.atMs)) {
    const key = `${s.lb}/${s.server}`;
    const word = s.status.split(' ')[0] ?? s.status;
    const prev = last.get(key);
    if (prev !== undefined && prev !== word) out.push({ atMs: s.atMs, lb: s.lb, server: s.server, from: prev, to: word });
    last.set(key, word);
  }
  return out;
}

/**
 * Retries and redispatches HAProxy made during the samples, summed over LBs and servers. Counters
 * restart at 0 when an HAProxy restarts, so only increases between consecutive samples count.
 */
export function counterDeltas(samples: ServerSample[]): { retries: number; redispatches: number } {
  const last = new Map<string, ServerSample>();
  let retries = 0;
  let redispatches = 0;
  for (const s of [...samples].sort((a, b) => a.atMs - b.atMs)) {
    const key = `${s.lb}/${s.server}`;
    const prev = last.get(key);
    if (prev) {
      retries += Math.max(0, s.retries - prev.retries);
      redispatches += Math.max(0, s.redispatches - prev.redispatches);
    }
    last.set(key, s);
  }
  return { retries, redispatches };
}
