// The status table for humans; colours only on a terminal.
import Table from 'cli-table3';
import type { NodeStatus, StackStatus } from './status.js';

/** A data node's extra facts in a few words: "sentinel: redis1 · lag 0 B". */
export function describeDetail(d: NodeStatus['detail']): string {
  if (!d) return '';
  const parts = [];
  if (d.sentinel !== undefined)
    parts.push(`sentinel: ${d.sentinel}${d.sentinelsKnown !== undefined ? ` (knows ${d.sentinelsKnown})` : ''}`);
  if (d.lagBytes !== undefined) parts.push(`lag ${d.lagBytes} B`);
  if (d.visitsToday !== undefined) parts.push(`visits today ${d.visitsToday}`);
  return parts.join(' · ');
}

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
