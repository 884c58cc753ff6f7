// `hakit cluster reshard`, `add-shard`, `remove-shard`: live, with a progress line per batch of
// slots; Ctrl-C stops between two batches (no slot is left open).
import type { Command } from 'commander';
import { ExitCode, HakitError } from '../../errors.js';
import { nodeAddress, stackAdminAccess } from '../../groups/cluster/access.js';
import { chatShardNodes } from '../../groups/cluster/chat-shard.js';
import { planMove, progressLine, Resharder, type MoveProgress, type ReshardResult } from '../../groups/cluster/reshard.js';
import { ShardOps } from '../../groups/cluster/shards.js';
import type { Runtime } from '../../runtime/runtime.js';
import { upRuntime } from '../common.js';

interface Common {
  json?: boolean;
}

function reporter(json: boolean | undefined) {
  let last = 0;
  return {
    step: (l: string) => !json && process.stderr.write(`${l}\n`),
    progress: (p: MoveProgress) => {
      if (json || (Date.now() - last < 1000 && p.done < p.total)) return;
      last = Date.now();
      process.stderr.write(`  ${progressLine(p)}\n`);
    },
  };
}

/** Ctrl-C: stop between two batches. */
function interruptible() {
  const stop = new AbortController();
  const onInt = () => {
    process.stderr.write('stopping after this batch of slots …\n');
    stop.abort();
  };
  process.once('SIGINT', onInt);
  return { signal: stop.signal, done: () => process.off('SIGINT', onInt) };
}

function finish(what: string, r: ReshardResult, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify({ ...r }));
  else
    console.log(
      `${what}: ${r.moved} slots, ${r.keys} keys in ${(r.elapsedMs / 1000).toFixed(1)} s (longest batch ${r.longestBatchMs} ms)${r.stopped ? ' — stopped early' : ''}`,
    );
  if (r.stopped) process.exitCode = ExitCode.failure;
}

const memberNodes = (rt: Runtime) =>
  rt.topology.nodes.filter((n) => n.role === 'cluster' && !chatShardNodes.includes(n.name)).map((n) => nodeAddress(rt, n.name)!);

export async function reshard(opts: Common & { from: string; to: string; slots: string }, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const access = stackAdminAccess(rt);
  const int = interruptible();
  try {
    const r = new Resharder(access, memberNodes(rt)[0]!);
    const open = await r.finishOpen();
    if (open) reporter(opts.json).step(`finished ${open} slot(s) a previous run left open`);
    const { view } = await r.readView();
    const idOf = (name: string) => {
      const a = nodeAddress(rt, name);
      const line = a && view.find((v) => v.host === a.host && v.port === a.port);
      if (!line) throw new HakitError(`${name} is not a node of the cluster`, ExitCode.usage, 'see `hakit cluster` for its primaries');
      if (!line.primary)
        throw new HakitError(`${name} is a replica, not a primary`, ExitCode.usage, 'see `hakit cluster` for its primaries');
      return line.id;
    };
    const count = Number(opts.slots);
    if (!Number.isInteger(count) || count < 1) throw new HakitError(`--slots ${opts.slots}: expected a whole number ≥ 1`, ExitCode.usage);
    let moves;
    try {
      moves = planMove(view, idOf(opts.from), idOf(opts.to), count);
    } catch (err) {
      if (err instanceof HakitError) throw err;
      throw new HakitError((err as Error).message.replace(/[0-9a-f]{8}(?=\s)/, opts.from), ExitCode.usage);
    }
    const rep = reporter(opts.json);
    rep.step(`moving ${moves.length} slots from ${opts.from} to ${opts.to}`);
    finish('moved', await r.run(moves, { onProgress: rep.progress, signal: int.signal }), opts.json);
  } finally {
    int.done();
    access.close();
  }
}

function shardPair(rt: Runtime) {
  const [p, r] = chatShardNodes.map((n) => nodeAddress(rt, n));
  if (!p || !r)
    throw new HakitError(
      'this stack has no fourth shard to add',
      ExitCode.usage,
      'start the stack with `hakit up --with chat` (cluster10 and cluster11)',
    );
  return [p, r] as const;
}

export async function addShard(opts: Common, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const [p, r] = shardPair(rt);
  const access = stackAdminAccess(rt);
  const int = interruptible();
  const rep = reporter(opts.json);
  try {
    const res = await new ShardOps(access, memberNodes(rt)).add(p, r, { onStep: rep.step, onProgress: rep.progress, signal: int.signal });
    finish(`${p.name} (with ${r.name}) joined`, res, opts.json);
  } finally {
    int.done();
    access.close();
  }
}

export async function removeShard(opts: Common, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const [p, r] = shardPair(rt);
  const access = stackAdminAccess(rt);
  const int = interruptible();
  const rep = reporter(opts.json);
  try {
    const res = await new ShardOps(access, memberNodes(rt)).remove(p, r, {
      onStep: rep.step,
      onProgress: rep.progress,
      signal: int.signal,
    });
    finish(`${p.name} and ${r.name} left`, res, opts.json);
  } finally {
    int.done();
    access.close();
  }
}
