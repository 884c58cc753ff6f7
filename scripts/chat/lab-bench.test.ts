// The chat's fault × workload figures on the loopback cluster (no LB: two backends, each client on
// one of them), for the note and the README: H1 (a reshard under load), H2 (a fourth shard added,
// then removed), C1 (a primary's SIGKILL) and a backend's crash (its sockets reset, its clients
// resume on the other backend), each under 100 rooms × 2 clients at 50 messages/s, RUNS times.
// Not part of the test run (it takes minutes): `HAKIT_CHAT_BENCH=5 npx vitest run scripts/chat/lab-bench.test.ts`
// inside a slot; prints one line per run and a summary table, and fails if any run lost, doubled
// or reordered a message. The same faults through the VIP on a real stack are the tour's
// (`hakit demo --only H1,H2 --workload chat`).
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatClients } from '../../backends/chat/clients.js';
import { registerChatRoutes } from '../../backends/chat/routes.js';
import { ChatService, defaultChatSettings } from '../../backends/chat/service.js';
import { planMove, Resharder, type AdminAccess } from '../groups/cluster/reshard.js';
import { ShardOps } from '../groups/cluster/shards.js';
import { ClusterLab } from '../testing/cluster-lab.js';
import { until } from '../testing/redis-lab.js';
import type { ChatCost } from './checker.js';
import { ChatLoad } from './workload.js';

const runs = Number(process.env.HAKIT_CHAT_BENCH ?? 0);

interface Backend {
  name: string;
  url: string;
  chat: ChatService;
  server: ServerType;
  sockets: Set<Socket>;
}

const row = (id: string, run: number, c: ChatCost, extra = '') =>
  `${id} run ${run}: sent ${c.totals.sent}, delivered ${c.totals.delivered}, lost ${c.totals.lost}, duplicated ${c.totals.duplicated}, reordered ${c.totals.reordered}, ` +
  `p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms, max ${c.latencyMs.max} ms, reconnects ${c.reconnects}, resume max ${c.resumeMs.max} ms, unsettled ${c.unsettled}${extra}`;

describe.skipIf(!runs)('chat fault × workload on the loopback cluster', () => {
  let lab: ClusterLab;
  const backends: Backend[] = [];
  const results = new Map<string, ChatCost[]>();
  let access: AdminAccess;

  const start = async (name: string): Promise<Backend> => {
    // Generous timeouts: a loaded machine with 200 sockets joining at once (200 ms made joins time out and retry).
    const clients = createChatClients(lab.clientSettings({ commandTimeoutMs: 1000 }));
    for (const c of [clients.primary, clients.subscriber]) c.on('error', () => undefined);
    await until('the cluster client to be ready', async () => clients.primary.status === 'ready');
    const chat = new ChatService(
      clients,
      name,
      { ...defaultChatSettings, store: { ...defaultChatSettings.store, commandTimeoutMs: 1000 } },
      () => undefined,
    );
    const app = new Hono();
    registerChatRoutes(app, chat);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    const sockets = new Set<Socket>();
    (server as Server).on('connection', (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    (server as Server).on('upgrade', (req, socket, head) => {
      if (!chat.upgrade(req, socket, head)) socket.destroy();
    });
    await new Promise((r) => server.once('listening', r));
    return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, chat, server, sockets };
  };

  /** A crash: every socket reset, no close frame, the cluster clients dropped. */
  const crash = async (b: Backend) => {
    for (const s of b.sockets) s.resetAndDestroy();
    b.chat.close();
    b.server.close();
    b.chat.clients.primary.disconnect();
    b.chat.clients.subscriber.disconnect();
  };

  const load = (tag: string) => {
    const up = backends.filter((b) => b.server.listening);
    return new ChatLoad({
      base: up[0]!.url,
      baseFor: (_r, c) => {
        const live = backends.filter((b) => b.server.listening);
        return live[c % live.length]!.url;
      },
      rooms: 100,
      clientsPerRoom: 2,
      ratePerSecond: 50,
      roomPrefix: `${tag}${Date.now().toString(36)}`,
      maxDurationMs: 120_000,
    });
  };

  const measure = async (id: string, run: number, fault: () => Promise<string | void>) => {
    const l = load(id.toLowerCase());
    await l.waitJoined(60_000);
    await new Promise((r) => setTimeout(r, 3000));
    const extra = (await fault()) ?? '';
    await new Promise((r) => setTimeout(r, 3000));
    const o = await l.stop(30_000);
    results.set(id, [...(results.get(id) ?? []), o.cost]);
    console.log(row(id, run, o.cost, extra));
    for (const r of o.cost.rooms.filter((x) => x.problems.length)) console.log(`  ${r.room}: ${r.problems.slice(0, 5).join('; ')}`);
    expect([o.cost.totals.lost, o.cost.totals.duplicated, o.cost.totals.reordered]).toEqual([0, 0, 0]);
  };

  beforeAll(async () => {
    lab = await ClusterLab.start({ spares: 2 });
    const admins = new Map<number, Redis>();
    access = {
      user: lab.users.admin.user,
      password: lab.users.admin.password,
      connect: (_h, port) => {
        let r = admins.get(port);
        if (!r) admins.set(port, (r = lab.admin([...lab.nodes, ...lab.spares].find((x) => x.port === port)!)));
        return r;
      },
    };
    backends.push(await start('backend1'), await start('backend2'));
  }, 120_000);

  afterAll(async () => {
    const stat = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? `${s[0]} / ${s[Math.floor((s.length - 1) / 2)]} / ${s.at(-1)}` : '–';
    };
    console.log('\nfault × chat (min / median / max over runs)');
    for (const [id, cs] of results) {
      console.log(
        `${id}: runs ${cs.length}; sent ${stat(cs.map((c) => c.totals.sent))}; lost ${stat(cs.map((c) => c.totals.lost))}; duplicated ${stat(cs.map((c) => c.totals.duplicated))}; reordered ${stat(cs.map((c) => c.totals.reordered))}; ` +
          `p50 ${stat(cs.map((c) => c.latencyMs.p50))} ms; p99 ${stat(cs.map((c) => c.latencyMs.p99))} ms; reconnects ${stat(cs.map((c) => c.reconnects))}; resume max ${stat(cs.map((c) => c.resumeMs.max))} ms`,
      );
    }
    for (const b of backends) await crash(b).catch(() => undefined);
    await lab?.stop();
  });

  it(`H1: 1000 slots move from one primary to another under the chat (${runs} runs)`, async () => {
    for (let run = 1; run <= runs; run++) {
      await measure('H1', run, async () => {
        const r = new Resharder(access, lab.nodes[0]!.address);
        const { view } = await r.readView();
        const ps = view.filter((l) => l.primary && l.slots.length).sort((a, b) => b.slots.length - a.slots.length);
        const res = await r.run(planMove(view, ps[0]!.id, ps[1]!.id, 1000));
        return `; moved ${res.moved} slots, ${res.keys} keys in ${res.elapsedMs} ms`;
      });
    }
  }, 900_000);

  it(`H2: a fourth shard joins (rebalance to 4096 slots each), then leaves, under the chat (${runs} runs)`, async () => {
    const [p, rp] = lab.spares.map((n, i) => ({ name: `spare${i + 1}`, ...n.address }));
    const ops = new ShardOps(
      access,
      lab.nodes.map((n) => ({ name: n.name, ...n.address })),
    );
    for (let run = 1; run <= runs; run++) {
      await measure('H2', run, async () => {
        const a = await ops.add(p!, rp!);
        const r = await ops.remove(p!, rp!);
        return `; added ${a.moved} slots (${a.keys} keys) in ${a.elapsedMs} ms, removed ${r.moved} (${r.keys} keys) in ${r.elapsedMs} ms`;
      });
    }
  }, 1_800_000);

  it(`C1: a primary dies hard under the chat (${runs} runs)`, async () => {
    for (let run = 1; run <= runs; run++) {
      await measure('C1', run, async () => {
        const ps = (await lab.view()).filter((l) => l.primary && l.slots.length);
        const victim = lab.nodeAt(ps[run % ps.length]!);
        const t = Date.now();
        await victim.kill();
        await until(
          'a replica promoted',
          async () => (await lab.view()).filter((l) => l.primary && l.slots.length && !l.failing).length === 3,
          30_000,
        );
        const promoted = Date.now() - t;
        victim.start();
        await lab.waitHealthy(60_000);
        return `; promoted after ${promoted} ms`;
      });
    }
  }, 900_000);

  it(`F4 (loopback): a backend crashes with connected clients, which resume on the other (${runs} runs)`, async () => {
    for (let run = 1; run <= runs; run++) {
      await measure('F4', run, async () => {
        const victim = backends.find((b) => b.server.listening)!;
        await crash(victim);
        backends.splice(backends.indexOf(victim), 1);
        backends.push(await start(victim.name));
      });
    }
  }, 900_000);
});
