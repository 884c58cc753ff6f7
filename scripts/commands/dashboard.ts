// `hakit dashboard`: the live view of the tier in a browser, with kill and restore buttons. What it
// does is in run/dashboard.ts, loaded when it runs (see lazy.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from './lazy.js';

const parsePort = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a port number from 1 to 65535');
  return n;
};

export function registerDashboardCommands(program: Command): void {
  program
    .command('dashboard')
    .description('serve a live dashboard on 127.0.0.1: VIP holder, VRRP states, backend health, requests, timeline, kill/restore buttons')
    .option('--port <port>', "port on 127.0.0.1 (default: the dashboard's, 8400)", parsePort)
    .option('--json', 'print {"url": …} as one JSON line once listening (for scripts)')
    .action(lazyAction(async () => (await import('./run/dashboard.js')).dashboard));
}
