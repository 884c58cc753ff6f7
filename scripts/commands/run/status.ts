// `hakit status`: each node's role, state and address, and the URLs.
import type { Command } from 'commander';
import { hakitCommand } from '../../host/hakit-command.js';
import { getStatus } from '../../observe/status.js';
import { formatStatus } from '../../observe/status-table.js';
import { upRuntime } from '../common.js';

export async function status(opts: { json?: boolean }, cmd: Command): Promise<void> {
  const rt = await upRuntime(cmd);
  const status = await getStatus(rt);
  if (opts.json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  console.log(formatStatus(status));
  console.log(`\n  VIP:    ${status.url}\n  stats:  ${status.statsUrl}  (credentials: ${hakitCommand()} creds)`);
  console.log(`  HTTPS:  ${status.httpsUrl}  ·  ${status.statsHttpsUrl}  (the CA to trust: ${hakitCommand()} creds)`);
}
