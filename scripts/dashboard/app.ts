// The dashboard's HTTP side, built by a function so tests drive it with app.request() and a fake
// Runtime: the page, a server-sent event stream of what the monitor sees, a JSON snapshot, and
// kill / restore actions behind the Host, Origin and token checks of guard.ts.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { killModes, killNode, restoreNode, type KillMode } from '../stack/actions.js';
import { ExitCode, HakitError } from '../errors.js';
import type { ProbeRecord } from '../observe/probe.js';
import type { Runtime } from '../runtime/runtime.js';
import { findNode } from '../stack/topology.js';
import { cutFault, cuttable, faultOfCut, faultOfKill } from '../faults/catalogue.js';
import { dataNodeCut } from '../faults/targets.js';
import type { DashboardMonitor, Snapshot, TimelineEntry } from './monitor.js';
import { actionGuard, hostGuard } from './guard.js';
import { dashboardPage, dashboardScripts } from './page.js';
import type { EventPayloads } from './wire.js';

/** What a failover chart module gets; it returns a self-contained SVG document. */
export interface ChartInput {
  probes: ProbeRecord[];
  timeline: TimelineEntry[];
  snapshots: Snapshot[];
  nowMs: number;
}
export type ChartRenderer = (input: ChartInput) => string | Promise<string>;

export interface DashboardActions {
  kill(rt: Runtime, node: string, mode: KillMode): Promise<void>;
  restore(rt: Runtime, node: string): Promise<boolean>;
  /** Cuts a data node off from the other data nodes and the backends (on), or heals that cut. */
  cut(rt: Runtime, node: string, on: boolean): Promise<void>;
}

/** The catalogue's cut-off fault (R5) and its heal, aimed at the clicked node (it need not be the primary). */
async function cutNode(rt: Runtime, node: string, on: boolean): Promise<void> {
  const f = cutFault(findNode(rt.topology, node)!.role)!;
  const targets = dataNodeCut(rt.topology, node);
  await (on ? f.inject(rt, targets) : f.heal(rt, targets));
}

export interface DashboardAppOptions {
  monitor: DashboardMonitor;
  token: string;
  /** Host header values this server answers to (e.g. 127.0.0.1:8400); a function, as the port may be known only after listen. */
  hosts: () => readonly string[];
  /** Injectable for tests; default killNode / restoreNode. */
  actions?: DashboardActions;
  /** The demo's failover chart, when available: served as /chart.svg and shown on the page. */
  chart?: ChartRenderer;
  /** Heartbeat on the event stream, so a closed browser is noticed. */
  heartbeatMs?: number;
}

export function createDashboardApp(opts: DashboardAppOptions): Hono {
  const { monitor, token } = opts;
  const rt = monitor.rt;
  const actions = opts.actions ?? { kill: killNode, restore: restoreNode, cut: cutNode };
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  // Read now: a package without the page's scripts fails at start, not at the first page view.
  const scripts = dashboardScripts();
  let busy: string | undefined;

  const app = new Hono();
  app.use('*', hostGuard(opts.hosts));
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
  });
  app.use('/api/nodes/*', actionGuard(opts.hosts, token));

  app.get('/', (c) => {
    const { html, nonce } = dashboardPage({ token, topology: rt.topology, runtime: rt.name, chart: Boolean(opts.chart) });
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    );
    return c.html(html);
  });

  for (const [path, script] of scripts) app.get(path, (c) => c.body(script, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));

  app.get('/api/state', (c) =>
    c.json({
      snapshot: monitor.snapshot() ?? null,
      timeline: monitor.timeline(),
      probes: monitor.recentProbes(),
      ticker: monitor.tickerState(),
    }),
  );

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      // Typed by what the page's script reads (wire.ts): the monitor's events must fit it.
      const send = <K extends keyof EventPayloads>(event: K, data: EventPayloads[K]) =>
        stream.writeSSE({ event, data: JSON.stringify(data) }).catch(() => undefined);
      // A new viewer first gets what is known, then every event as it happens.
      await send('hello', {
        snapshot: monitor.snapshot() ?? null,
        timeline: monitor.timeline(),
        probes: monitor.recentProbes(),
        ticker: monitor.tickerState(),
      });
      const unsubscribe = monitor.subscribe((e) => void send(e.type, e.data));
      let closed = false;
      await new Promise<void>((resolve) => {
        const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => undefined), heartbeatMs);
        stream.onAbort(() => {
          clearInterval(heartbeat);
          closed = true;
          resolve();
        });
        if (closed) resolve();
      });
      unsubscribe();
    }),
  );

  const run = async (what: string, node: string, marker: 'fault' | 'restore', body: () => Promise<string>) => {
    if (busy) return { status: 409 as const, body: { error: `busy: ${busy} is still running` } };
    busy = what;
    const startedAt = Date.now();
    monitor.note('action', `${what} …`, node);
    try {
      const message = await body();
      monitor.note('action', message, node);
      // For the chart: where the action began (a hard kill takes effect at once).
      monitor.note('marker', what, node, marker, startedAt);
      // Deliberately not awaited: the answer goes now, the viewers get the new state by event.
      void monitor.pollNow();
      return { status: 200 as const, body: { ok: true, message } };
    } catch (err) {
      const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      monitor.note('action', `${what} failed: ${message}`, node);
      return { status: (err instanceof HakitError && err.exitCode === ExitCode.usage ? 400 : 500) as 400 | 500, body: { error: message } };
    } finally {
      busy = undefined;
    }
  };

  app.post('/api/nodes/:node/kill', async (c) => {
    const node = c.req.param('node');
    const mode = (c.req.query('mode') ?? 'hard') as KillMode;
    if (!findNode(rt.topology, node)) return c.json({ error: `no node named "${node}"` }, 404);
    if (!killModes.includes(mode)) return c.json({ error: `mode must be one of ${killModes.join(', ')}` }, 400);
    // On the chart the click is named as the catalogue's fault it is (R1: the primary killed hard).
    const spec = findNode(rt.topology, node)!;
    const id = faultOfKill(spec.role, monitor.snapshot()?.nodes.find((n) => n.name === node)?.state, mode);
    const r = await run(`${id ? `${id} ` : ''}kill ${node} (${mode})`, node, 'fault', async () => {
      await actions.kill(rt, node, mode);
      return `${node} killed (${mode})`;
    });
    return c.json(r.body, r.status);
  });

  app.post('/api/nodes/:node/restore', async (c) => {
    const node = c.req.param('node');
    if (!findNode(rt.topology, node)) return c.json({ error: `no node named "${node}"` }, 404);
    const r = await run(`restore ${node}`, node, 'restore', async () =>
      (await actions.restore(rt, node)) ? `${node} restored` : `${node} was already running: nothing to do`,
    );
    return c.json(r.body, r.status);
  });

  // A data node cut off (R5 when it is the primary) and healed: marked on the chart as a fault and a restore.
  for (const [action, on] of [
    ['cut', true],
    ['heal', false],
  ] as const) {
    app.post(`/api/nodes/:node/${action}`, async (c) => {
      const node = c.req.param('node');
      const spec = findNode(rt.topology, node);
      if (!spec) return c.json({ error: `no node named "${node}"` }, 404);
      if (!cuttable(spec.role)) return c.json({ error: `${node} is not a data node: only those can be cut off` }, 400);
      const id = on ? faultOfCut(spec.role, monitor.snapshot()?.nodes.find((n) => n.name === node)?.state) : undefined;
      const r = await run(`${id ? `${id} ` : ''}${on ? 'cut off' : 'heal'} ${node}`, node, on ? 'fault' : 'restore', async () => {
        await actions.cut(rt, node, on);
        return on ? `${node} cut off from the other data nodes and the backends` : `${node}'s cut healed`;
      });
      return c.json(r.body, r.status);
    });
  }

  app.get('/chart.svg', async (c) => {
    if (!opts.chart) return c.json({ error: 'no failover chart in this build' }, 404);
    const svg = await opts.chart({
      probes: monitor.recentProbes(),
      timeline: monitor.timeline(),
      snapshots: monitor.recentSnapshots(),
      nowMs: Date.now(),
    });
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
  });

  app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));
  return app;
}
