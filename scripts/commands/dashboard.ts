// `hakit dashboard`: the live view of the tier in a browser, with kill and restore buttons.
import { InvalidArgumentError, type Command } from 'commander';
import { dashboardChart } from '../dashboard/chart.js';
import { defaultDashboardPort, startDashboard } from '../dashboard/server.js';
import { ExitCode, runMain } from '../errors.js';
import { upRuntime } from './common.js';

const parsePort = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a port number from 1 to 65535');
  return n;
};

export function registerDashboardCommands(program: Command): void {
  program
    .command('dashboard')
    .description('serve a live dashboard on 127.0.0.1: VIP holder, VRRP states, backend health, requests, timeline, kill/restore buttons')
    .option('--port <port>', 'port on 127.0.0.1', parsePort, defaultDashboardPort)
    .option('--json', 'print {"url": …} as one JSON line once listening (for scripts)')
    .action((opts: { port: number; json?: boolean }, cmd: Command) =>
      runMain(async () => {
        const rt = await upRuntime(cmd);
        const dash = await startDashboard({ rt, port: opts.port, chart: dashboardChart(rt.topology) });
        if (opts.json) console.log(JSON.stringify({ url: dash.url, port: dash.port, pid: process.pid }));
        else console.log(`hakit dashboard: ${dash.url}  (open it in a browser; Ctrl-C stops it)`);
        await new Promise<void>((resolve) => {
          const stop = () => void dash.close().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.exitCode = ExitCode.ok;
      }),
    );
}
