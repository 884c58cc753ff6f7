// `hakit dashboard`: serves the live view until Ctrl-C.
import type { Command } from 'commander';
import { dashboardChart } from '../../dashboard/chart.js';
import { defaultDashboardPort, startDashboard } from '../../dashboard/server.js';
import { ExitCode } from '../../errors.js';
import { upRuntime } from '../common.js';

export async function dashboard(opts: { port?: number; json?: boolean }, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const dash = await startDashboard({ rt, port: opts.port ?? defaultDashboardPort, chart: dashboardChart(rt.topology) });
  if (opts.json) console.log(JSON.stringify({ url: dash.url, port: dash.port, pid: process.pid }));
  else console.log(`hakit dashboard: ${dash.url}  (open it in a browser; Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    const stop = () => void dash.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.exitCode = ExitCode.ok;
}
