// `hakit chat load`: runs the load through the VIP, then reads the cluster's slot map and says
// where the heavy users' messages are (docs/architecture.md#the-chats-shard-key).
import type { Command } from 'commander';
import Table from 'cli-table3';
import { ExitCode, HakitError } from '../../errors.js';
import { readShards } from '../../groups/cluster/admin.js';
import { assertKitAddress } from '../../observe/probe.js';
import { urls } from '../../stack/topology.js';
import { runHeavyLoad } from '../../chat/heavy.js';
import { slotOwners, spreadOf } from '../../chat/spread.js';
import { upRuntime } from '../common.js';

export interface ChatLoadCliOptions {
  users: number;
  heavy: number;
  rooms: number;
  messages: number;
  rate: number;
  heavyConnections: number;
  maxSeconds: number;
  json?: boolean;
}

export async function chatLoad(opts: ChatLoadCliOptions, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const base = urls(rt.topology).vip.replace(/\/$/, '');
  assertKitAddress(base, rt.topology);
  const probe = await fetch(`${base}/api/chat/rooms`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  if (!probe || probe.status === 503) {
    throw new HakitError('the chat is not available through the VIP', ExitCode.notUp, 'start the stack with `hakit up --with chat`');
  }
  const say = opts.json ? () => undefined : (l: string) => process.stderr.write(`${l}\n`);
  const r = await runHeavyLoad({
    base,
    users: opts.users,
    heavy: opts.heavy,
    rooms: opts.rooms,
    heavyMessages: opts.messages,
    heavyConnections: opts.heavyConnections,
    ratePerSecond: opts.rate,
    maxDurationMs: opts.maxSeconds * 1000,
    log: say,
  });
  const shards = await readShards(rt);
  const owner = slotOwners(shards.map((s) => ({ name: s.primary, slots: s.slots })));
  const primaries = shards.map((s) => s.primary);
  const heavy = spreadOf(r.heavyMessages, owner, primaries);
  const others = spreadOf(r.otherMessages, owner, primaries);
  const { cost } = r.observation;
  const out = {
    users: opts.users,
    heavyUsers: r.heavyNicks,
    rooms: opts.rooms,
    sent: cost.totals.sent,
    sentPerSecond: Math.round(r.observation.sentPerSecond),
    heavy,
    others,
    chat: { ...cost.totals, latencyMs: cost.latencyMs, reconnects: cost.reconnects, unsettled: cost.unsettled },
  };
  if (opts.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const t = new Table({
    head: ['primary', `${r.heavyNicks.join(', ')} (messages)`, 'share', 'blocks', 'other users (messages)', 'share'],
    style: { head: [], border: [] },
  });
  const pct = (n: number, total: number) => `${((100 * n) / Math.max(1, total)).toFixed(1)} %`;
  for (const p of primaries) {
    t.push([
      p,
      heavy.perPrimary[p] ?? 0,
      pct(heavy.perPrimary[p] ?? 0, heavy.total),
      heavy.blocksPerPrimary[p] ?? 0,
      others.perPrimary[p] ?? 0,
      pct(others.perPrimary[p] ?? 0, others.total),
    ]);
  }
  console.log(t.toString());
  console.log(
    `heavy users' spread: within ±${(100 * heavy.deviation).toFixed(1)} % of an equal share over ${primaries.length} primaries (${heavy.total} messages in blocks of 100)`,
  );
  console.log(
    `chat: ${cost.totals.sent} sent (${out.sentPerSecond}/s), ${cost.totals.delivered} delivered, ${cost.totals.lost} lost, ${cost.totals.duplicated} duplicated, ${cost.totals.reordered} reordered; delivery p50 ${cost.latencyMs.p50} ms, p99 ${cost.latencyMs.p99} ms`,
  );
  if (cost.totals.lost || cost.totals.duplicated || cost.totals.reordered) process.exitCode = ExitCode.failure;
}
