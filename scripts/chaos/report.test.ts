import { describe, expect, it } from 'vitest';
import { chaosJson, formatChaosSummary } from './report.js';
import type { ChaosResult } from './run.js';

const result: ChaosResult = {
  seed: 7,
  runtime: 'netns',
  durationMs: 25_000,
  faults: [
    {
      atMs: 500,
      kind: 'lb-hard',
      mode: 'F1',
      target: 'lb1',
      requests: 200,
      failed: 1,
      blackoutMs: 180,
      recoveredMs: 170,
      splitBrainMs: 0,
      afterHealBlackoutMs: null,
    },
    {
      atMs: 4000,
      kind: 'backend-hard',
      mode: 'F4',
      target: 'backend2',
      requests: 200,
      failed: 0,
      blackoutMs: 40,
      recoveredMs: 3,
      splitBrainMs: 0,
      afterHealBlackoutMs: null,
    },
    {
      atMs: 8000,
      kind: 'lb-hard',
      mode: 'F1',
      target: 'lb2',
      requests: 200,
      failed: 0,
      blackoutMs: 220,
      recoveredMs: 200,
      splitBrainMs: 0,
      afterHealBlackoutMs: null,
    },
    {
      atMs: 12000,
      kind: 'partition',
      mode: 'F7',
      target: 'lb1+lb2',
      requests: 250,
      failed: 0,
      blackoutMs: 30,
      recoveredMs: 2,
      splitBrainMs: 1200,
      afterHealBlackoutMs: 42,
    },
  ],
  violations: [],
  requests: 1600,
  failed: 1,
  operations: { acknowledged: 1599, failed: 1, unknown: 0, lost: 0, doubled: 0, reordered: 0 },
};

describe('chaos report', () => {
  it('has the JSON shape of the issue', () => {
    const j = chaosJson(result);
    expect(Object.keys(j)).toEqual(['seed', 'runtime', 'durationMs', 'faults', 'violations', 'requests', 'failed', 'operations']);
    expect(j.operations).toEqual({ acknowledged: 1599, failed: 1, unknown: 0, lost: 0, doubled: 0, reordered: 0 });
    expect(j.faults[0]).toEqual({
      atMs: 500,
      kind: 'lb-hard',
      mode: 'F1',
      target: 'lb1',
      requests: 200,
      failed: 1,
      blackoutMs: 180,
      recoveredMs: 170,
      splitBrainMs: 0,
      afterHealBlackoutMs: null,
    });
    // Every F7 carries the longest gap after its heal.
    expect(j.faults[3]).toMatchObject({ mode: 'F7', afterHealBlackoutMs: 42 });
  });

  it('summarises per fault kind and lists violations', () => {
    const s = formatChaosSummary(result);
    expect(s).toContain('seed 7: 4 faults in 25.0 s, 1600 requests, 1 failed');
    expect(s).toMatch(/F1 lb-hard\s*│\s*2\s*│\s*1\s*│\s*220 ms\s*│\s*200 ms\s*│\s*0\/2\s*│\s*—/);
    expect(s).toMatch(/F7 partition\s*│\s*1\s*│\s*0\s*│\s*30 ms\s*│\s*2 ms\s*│\s*1\/1\s*│\s*42 ms/);
    expect(s).toContain('0 invariant violations');
    expect(s).toContain('operations (1600): 1599 acknowledged, 1 failed, 0 unknown (timed out); lost 0, doubled 0, reordered 0');
    const bad = formatChaosSummary({ ...result, violations: [{ atMs: 4100, invariant: 'no-failed-request', detail: '1 failed request' }] });
    expect(bad).toContain('1 invariant violation:');
    expect(bad).toContain('no-failed-request');
  });
});
