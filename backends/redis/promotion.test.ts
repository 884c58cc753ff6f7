import { describe, expect, it } from 'vitest';
import { PromotionFollower } from './promotion.js';
import { parsePromotion } from './sentinel-events.js';

const settings = { sentinels: [], masterName: 'hakit', commandTimeoutMs: 150, waitMs: 100, failoverDetection: true };
const promotion = 'slave 10.213.0.32:6379 10.213.0.32 6379 @ hakit 10.213.0.31 6379';

describe('following a promotion', () => {
  it('reads the chosen replica and the old primary from the event', () => {
    expect(parsePromotion(promotion, 'hakit')).toEqual({
      from: { host: '10.213.0.31', port: 6379 },
      to: { host: '10.213.0.32', port: 6379 },
    });
    expect(parsePromotion(promotion, 'other')).toBeUndefined();
    expect(parsePromotion('garbage', 'hakit')).toBeUndefined();
  });

  it('maps the old primary to the promoted replica until +switch-master or an abort', () => {
    const f = new PromotionFollower(settings);
    expect(f.natMap('10.213.0.31:6379')).toBeNull();
    f.onEvent('+failover-state-send-slaveof-noone', promotion);
    expect(f.natMap('10.213.0.31:6379')).toEqual({ host: '10.213.0.32', port: 6379 });
    expect(f.natMap('10.213.0.33:6379')).toBeNull();
    f.onEvent('+switch-master', 'other 1.1.1.1 1 2.2.2.2 2');
    expect(f.natMap('10.213.0.31:6379')).not.toBeNull();
    f.onEvent('+switch-master', 'hakit 10.213.0.31 6379 10.213.0.32 6379');
    expect(f.natMap('10.213.0.31:6379')).toBeNull();
    f.onEvent('+failover-state-send-slaveof-noone', promotion);
    f.onEvent('-failover-abort-slave-timeout', 'master hakit 10.213.0.31 6379');
    expect(f.natMap('10.213.0.31:6379')).toBeNull();
    f.close();
  });

  it('ends a redirect nobody confirmed after its bound', async () => {
    const f = new PromotionFollower(settings, 30);
    f.onEvent('+failover-state-send-slaveof-noone', promotion);
    expect(f.natMap('10.213.0.31:6379')).not.toBeNull();
    await new Promise((r) => setTimeout(r, 60));
    expect(f.natMap('10.213.0.31:6379')).toBeNull();
  });
});
