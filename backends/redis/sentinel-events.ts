// The Sentinel events a backend listens to (promotion.ts), and what their messages say. No client
// here: the node group imports the channel list for the Sentinel ACL (acl.ts).
export const promotionChannels = [
  '+failover-state-send-slaveof-noone',
  '+switch-master',
  '-failover-abort-not-elected',
  '-failover-abort-slave-timeout',
  '-failover-abort-no-good-slave',
] as const;

export type Address = { host: string; port: number };

/** `slave 10.0.0.2:6379 10.0.0.2 6379 @ hakit 10.0.0.1 6379` → the chosen replica and the old primary. */
export function parsePromotion(message: string, masterName: string): { from: Address; to: Address } | undefined {
  const p = message.split(' ');
  if (p.length < 8 || p[4] !== '@' || p[5] !== masterName) return undefined;
  const to = { host: p[2]!, port: Number(p[3]) };
  const from = { host: p[6]!, port: Number(p[7]) };
  return Number.isInteger(to.port) && Number.isInteger(from.port) ? { from, to } : undefined;
}
