// `hakit cluster [--json]` and `hakit cluster fill --cities N`.
import type { Command } from 'commander';
import Table from 'cli-table3';
import { ExitCode, HakitError } from '../../errors.js';
import { readShards, shardOfKey, type Shard } from '../../groups/cluster/admin.js';
import { checkCluster } from '../../groups/cluster/formation.js';
import { getStatus } from '../../observe/status.js';
import { probeOnce } from '../../observe/probe.js';
import type { Runtime } from '../../runtime/runtime.js';
import { urls } from '../../stack/topology.js';
import { weatherKeys } from '../../../backends/weather/keys.js';
import { dayOfMs } from '../../../backends/weather/observation.js';
import { shippedCities } from '../../weather/cities.js';
import { upRuntime } from '../common.js';

async function clusterRuntime(cmd: Command): Promise<Runtime> {
  const rt = await upRuntime(cmd);
  if (!rt.topology.nodes.some((n) => n.role === 'cluster'))
    throw new HakitError('this stack has no Redis Cluster', ExitCode.usage, 'start one with `hakit up --with weather`');
  return rt;
}

export interface ShardView {
  primary: string;
  replicas: string[];
  slots: number;
  keys: number;
  memoryMiB: number;
}

/** Each shard as status reads it (keys and memory from its primary). */
export async function shardViews(rt: Runtime): Promise<ShardView[]> {
  const [shards, status] = await Promise.all([readShards(rt), getStatus(rt)]);
  const byName = new Map(status.nodes.map((n) => [n.name, n]));
  return shards.map((s) => {
    const d = byName.get(s.primary)?.detail ?? {};
    return {
      primary: s.primary,
      replicas: s.replicas,
      slots: s.slots.reduce((n, [a, b]) => n + b - a + 1, 0),
      keys: Number(d.keys ?? 0),
      memoryMiB: Number(d.memoryMiB ?? 0),
    };
  });
}

export async function showCluster(opts: { json?: boolean }, cmd: Command): Promise<void> {
  const rt = await clusterRuntime(cmd);
  const [shards, check] = await Promise.all([shardViews(rt), checkCluster(rt)]);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ shards, check }) + '\n');
    return;
  }
  const t = new Table({ head: ['primary', 'replicas', 'slots', 'keys', 'memory'], style: { head: [], border: [] } });
  for (const s of shards) t.push([s.primary, s.replicas.join(', '), s.slots, s.keys, `${s.memoryMiB} MiB`]);
  process.stdout.write(
    `${t.toString()}\nredis-cli --cluster check: ${check.ok ? 'clean, all 16384 slots covered' : check.problems.join('; ')}\n`,
  );
  if (!check.ok) process.exitCode = ExitCode.failure;
}

export interface Spread {
  primary: string;
  keys: number;
  /** Off the even share (a third with three primaries), %. */
  deviationPct: number;
}

/** How keys fall on the shards' primaries, each against an even share. */
export function spreadOf(keys: string[], shards: Shard[]): Spread[] {
  const even = keys.length / Math.max(1, shards.length);
  return shards.map((s) => {
    const n = keys.filter((k) => shardOfKey([s], k)).length;
    return { primary: s.primary, keys: n, deviationPct: Math.round((n / even - 1) * 1000) / 10 };
  });
}

export async function fillCluster(opts: { cities: number; concurrency: number; json?: boolean }, cmd: Command): Promise<void> {
  const rt = await clusterRuntime(cmd.parent!);
  const cities = shippedCities().slice(0, opts.cities);
  const base = urls(rt.topology).vip;
  const date = dayOfMs(Date.now());
  const states: Record<string, number> = {};
  let next = 0;
  let done = 0;
  const started = Date.now();
  const progress = setInterval(() => process.stderr.write(`  ${done} of ${cities.length} cities …\n`), 5000);
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < cities.length) {
          const c = cities[next++]!;
          const r = await probeOnce(`${base}api/weather/${encodeURIComponent(c.name)}?date=${date}`, 10_000, false, rt.topology);
          const state = r.cache ?? (r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? 'error'));
          states[state] = (states[state] ?? 0) + 1;
          done++;
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const spread = spreadOf(
    cities.map((c) => weatherKeys.entry(c.name, date)),
    await readShards(rt),
  );
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ cities: cities.length, date, seconds, answers: states, spread }) + '\n');
    return;
  }
  process.stdout.write(
    `Loaded ${cities.length} cities for ${date} in ${seconds} s: ${Object.entries(states)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}\n`,
  );
  for (const s of spread)
    process.stdout.write(
      `  ${s.primary.padEnd(10)} ${String(s.keys).padStart(6)} keys  ${s.deviationPct >= 0 ? '+' : ''}${s.deviationPct} % off a third\n`,
    );
  const failed = Object.entries(states).filter(([k]) => !['HIT', 'MISS', 'STALE'].includes(k));
  if (failed.length) process.exitCode = ExitCode.failure;
}
