// Wires the dashboard app to a socket on 127.0.0.1 (never another address: it can kill nodes).
// A port in use is a clear error, not a stack trace.
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { ExitCode, HakitError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { createDashboardApp, type ChartRenderer, type DashboardActions } from './app.js';
import { allowedHosts, newToken } from './guard.js';
import { DashboardMonitor, type MonitorOptions } from './monitor.js';

// Not 8405/8406: compose.yaml publishes the LBs' stats pages there.
export const defaultDashboardPort = 8400;
export const dashboardHost = '127.0.0.1';

export interface DashboardOptions {
  rt: Runtime;
  /** 0 picks a free port (tests). */
  port?: number;
  chart?: ChartRenderer;
  actions?: DashboardActions;
  monitor?: Omit<MonitorOptions, 'rt'>;
}

export interface RunningDashboard {
  url: string;
  port: number;
  monitor: DashboardMonitor;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const port = opts.port ?? defaultDashboardPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HakitError(`port ${port} is not a port number`, ExitCode.usage);
  const monitor = new DashboardMonitor({ rt: opts.rt, ...opts.monitor });
  let hosts: string[] = [];
  const app = createDashboardApp({ monitor, token: newToken(), hosts: () => hosts, chart: opts.chart, actions: opts.actions });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new HakitError(
            `port ${port} on ${dashboardHost} is already in use`,
            ExitCode.preflight,
            `choose another with \`hakit dashboard --port N\`, or stop what listens there (ss -ltnp 'sport = :${port}')`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(new HakitError(`not allowed to listen on port ${port}`, ExitCode.preflight, 'choose a port above 1023 with --port'));
      } else reject(err);
    });
    server.listen(port, dashboardHost, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  hosts = allowedHosts(actual);
  return {
    url: `http://${dashboardHost}:${actual}/`,
    port: actual,
    monitor,
    close: () =>
      new Promise<void>((resolve) => {
        monitor.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
