import { describe, expect, it } from 'vitest';
import { drawable } from '../faults/catalogue.js';
import { mulberry32, planFaults } from './plan.js';

const opts = { backends: ['backend1', 'backend2'], count: 200 };

describe('mulberry32', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('planFaults', () => {
  it('gives the same plan for the same seed', () => {
    expect(planFaults(42, opts)).toEqual(planFaults(42, opts));
    expect(planFaults(42, opts)).not.toEqual(planFaults(43, opts));
  });

  it('draws every fault kind, with targets that fit the kind and bounded hold and gap', () => {
    const plan = planFaults(1, opts);
    expect(new Set(plan.map((p) => p.kind))).toEqual(new Set(drawable(['lb', 'backend']).map((f) => f.kind)));
    expect(plan.some((p) => p.kind === 'lb-rejoin')).toBe(false);
    for (const p of plan) {
      if (p.kind === 'partition') expect(p.target).toBe('both-lbs');
      else if (p.kind === 'all-backends') expect(p.target).toBe('both-backends');
      else if (p.kind.startsWith('backend')) expect(p.target).toMatch(/^backend:backend[12]$/);
      else expect(['active-lb', 'backup-lb']).toContain(p.target);
      expect(p.holdMs).toBeGreaterThanOrEqual(400);
      expect(p.holdMs).toBeLessThanOrEqual(1500);
      expect(p.gapMs).toBeGreaterThanOrEqual(200);
      expect(p.gapMs).toBeLessThanOrEqual(1000);
    }
  });

  it('draws only faults that apply to the node groups of the stack', () => {
    const plan = planFaults(1, { ...opts, groups: ['lb'] });
    expect(plan.length).toBe(200);
    expect(plan.filter((p) => p.kind.startsWith('backend') || p.kind === 'all-backends')).toEqual([]);
  });
});

describe('planFaults with the weather feature', () => {
  it("draws C1–C4 with their own target rules, resolved against the cluster's shards when injected", () => {
    const plan = planFaults(3, { ...opts, groups: ['lb', 'backend', 'redis', 'cluster', 'weather'] });
    const targets = new Map(
      plan.filter((p) => p.kind.startsWith('shard-') || p.kind === 'weather-source-hard').map((p) => [p.kind, p.target]),
    );
    expect(Object.fromEntries(targets)).toEqual({
      'shard-primary-hard': 'cluster-primary',
      'shard-replica-hard': 'cluster-replica',
      'shard-primary-partition': 'cluster-primary-cut',
      'weather-source-hard': 'weather-source',
    });
  });
});
