import { describe, expect, it } from 'vitest';
import { redisGroup } from './index.js';
import { parseRole, parseSentinelMaster } from './status.js';

describe("a data node's state", () => {
  it('reads ROLE for a primary and a replica', () => {
    expect(parseRole(['master', 1234, [['10.0.0.2', '6379', '1234']]])).toEqual({ role: 'master', offset: 1234 });
    expect(parseRole(['slave', '10.0.0.1', 6379, 'connected', 1200])).toEqual({ role: 'slave', offset: 1200, linkUp: true });
    expect(parseRole(['slave', '10.0.0.1', 6379, 'connect', -1])).toMatchObject({ linkUp: false });
    expect(parseRole(undefined)).toEqual({});
  });

  it("reads SENTINEL MASTER's primary address and the Sentinels it knows", () => {
    const reply = ['name', 'hakit', 'ip', '10.213.0.32', 'port', '6379', 'num-slaves', '2', 'num-other-sentinels', '2', 'quorum', '2'];
    expect(parseSentinelMaster(reply)).toEqual({ sentinelSays: '10.213.0.32', sentinelsKnown: 3, replicasKnown: 2 });
    expect(parseSentinelMaster(null)).toEqual({});
  });

  it('is healthy with one primary, replicas, and Sentinels that agree, know each other and watch every replica', () => {
    const node = (name: string, state: string, sentinelsKnown = 3, replicasKnown = 2) => ({
      name,
      state,
      detail: { sentinel: 'redis1', sentinelsKnown, replicasKnown },
    });
    expect(redisGroup.healthy([node('redis1', 'PRIMARY'), node('redis2', 'REPLICA'), node('redis3', 'REPLICA')])).toBe(true);
    // A Sentinel that has not met the others yet could not agree that the primary is down.
    expect(redisGroup.healthy([node('redis1', 'PRIMARY'), node('redis2', 'REPLICA', 1), node('redis3', 'REPLICA')])).toBe(false);
    // A Sentinel that does not watch a replica yet could find none to promote.
    expect(redisGroup.healthy([node('redis1', 'PRIMARY'), node('redis2', 'REPLICA', 3, 1), node('redis3', 'REPLICA')])).toBe(false);
    expect(redisGroup.healthy([node('redis1', 'PRIMARY'), node('redis2', 'SYNCING'), node('redis3', 'REPLICA')])).toBe(false);
    expect(redisGroup.healthy([node('redis1', 'PRIMARY'), node('redis2', 'PRIMARY'), node('redis3', 'REPLICA')])).toBe(false);
  });
});
