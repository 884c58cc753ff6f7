// The status table for humans; colours only on a terminal.
import Table from 'cli-table3';
import { describeDetail } from '../dashboard/browser/describe.js';
import type { StackStatus } from './status.js';

export function formatStatus(s: StackStatus, colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR): string {
  const withDetail = s.nodes.some((n) => n.detail);
  const table = new Table({
    head: ['node', 'role', 'state', 'address', ...(withDetail ? ['detail'] : [])],
    style: colour ? {} : { head: [], border: [] },
  });
  for (const n of s.nodes) table.push([n.name, n.role, n.state, n.address, ...(withDetail ? [describeDetail(n.detail)] : [])]);
  const features = s.features.length ? `   with: ${s.features.join(', ')}` : '';
  return `runtime: ${s.runtime}   VIP: ${s.vip}${features}\n${table.toString()}`;
}
