// @ts-check
// Words for a node's state that `hakit status` and the dashboard's page both print: one module,
// plain JavaScript checked by TypeScript, so the browser loads it as it is (/describe.js, beside
// /dashboard.js) and the Node code imports it (compiled with allowJs). It uses neither the DOM nor
// Node: nothing here may import anything.

/**
 * A node's extra facts, as its group reads them: a Redis data node's Sentinel belief, the other
 * Sentinels it knows, a replica's lag and the primary's count today (groups/redis); a backend's
 * part in the shortener, its position in the links stream, its clicks pending and the master's
 * Postgres totals (groups/backend); a log node's meta leader and messages (groups/nats); a
 * backend's Redis: its position and links (groups/cache).
 * @typedef {{ sentinel?: string | number, sentinelsKnown?: string | number, lagBytes?: string | number, visitsToday?: string | number,
 *   shortener?: string | number, position?: string | number, behind?: string | number, pending?: string | number,
 *   linksInPostgres?: string | number, clicksInPostgres?: string | number, leader?: string | number, messages?: string | number,
 *   links?: string | number }} NodeDetail
 */

/**
 * A node's facts in a few words: "sentinel: redis1 (knows 3) · lag 0 B", "master · position 42 ·
 * 3 clicks pending · Postgres: 40 links, 1200 clicks".
 * @param {NodeDetail | undefined} d
 * @returns {string}
 */
export function describeDetail(d) {
  if (!d) return '';
  const parts = [];
  if (d.sentinel !== undefined)
    parts.push(`sentinel: ${d.sentinel}${d.sentinelsKnown !== undefined ? ` (knows ${d.sentinelsKnown})` : ''}`);
  if (d.lagBytes !== undefined) parts.push(`lag ${d.lagBytes} B`);
  if (d.visitsToday !== undefined) parts.push(`visits today ${d.visitsToday}`);
  if (d.shortener !== undefined) parts.push(String(d.shortener));
  if (d.leader !== undefined) parts.push(`leader: ${d.leader}`);
  if (d.position !== undefined) parts.push(`position ${d.position}${d.behind ? ` (${d.behind} behind)` : ''}`);
  if (d.links !== undefined) parts.push(`${d.links} links`);
  if (d.messages !== undefined) parts.push(`${d.messages} messages`);
  if (d.pending !== undefined) parts.push(`${d.pending} clicks pending`);
  if (d.linksInPostgres !== undefined) parts.push(`Postgres: ${d.linksInPostgres} links, ${d.clicksInPostgres ?? 0} clicks`);
  return parts.join(' · ');
}
