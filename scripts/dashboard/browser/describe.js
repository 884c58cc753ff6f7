// @ts-check
// Words for a node's state that `hakit status` and the dashboard's page both print: one module,
// plain JavaScript checked by TypeScript, so the browser loads it as it is (/describe.js, beside
// /dashboard.js) and the Node code imports it (compiled with allowJs). It uses neither the DOM nor
// Node: nothing here may import anything.

/**
 * A data node's extra facts (groups/redis): whom its Sentinel believes is primary and how many
 * other Sentinels it knows, a replica's lag, the primary's count today.
 * @typedef {{ sentinel?: string | number, sentinelsKnown?: string | number, lagBytes?: string | number, visitsToday?: string | number }} NodeDetail
 */

/**
 * A data node's facts in a few words: "sentinel: redis1 (knows 3) · lag 0 B".
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
  return parts.join(' · ');
}
