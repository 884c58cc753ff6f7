// The chaos soak's output: the --json document and the summary table for humans.
import Table from 'cli-table3';
import type { ChaosResult } from './run.js';

/** The --json document: the result's fields, in a fixed order (chaosJson). */
export type ChaosJson = ChaosResult;

export function chaosJson(r: ChaosResult): ChaosJson {
  return {
    seed: r.seed,
    runtime: r.runtime,
    durationMs: r.durationMs,
    faults: r.faults.map((f) => ({
      atMs: f.atMs,
      kind: f.kind,
      mode: f.mode,
      target: f.target,
      requests: f.requests,
      failed: f.failed,
      blackoutMs: f.blackoutMs,
      recoveredMs: f.recoveredMs,
      splitBrainMs: f.splitBrainMs,
      afterHealBlackoutMs: f.afterHealBlackoutMs,
    })),
    violations: r.violations,
    requests: r.requests,
    failed: r.failed,
    operations: r.operations,
  };
}

export function formatChaosSummary(r: ChaosResult, colour = false): string {
  const style = colour ? {} : { head: [], border: [] };
  const byKind = new Table({
    head: ['fault', 'count', 'failed', 'max blackout', 'max to served', 'split brain', 'max gap after heal'],
    style,
  });
  const kinds = [...new Set(r.faults.map((f) => `${f.mode} ${f.kind}`))].sort();
  for (const k of kinds) {
    const fs = r.faults.filter((f) => `${f.mode} ${f.kind}` === k);
    const rec = fs.map((f) => f.recoveredMs).filter((x) => x !== null);
    const healed = fs.map((f) => f.afterHealBlackoutMs).filter((x) => x !== null);
    byKind.push([
      k,
      fs.length,
      fs.reduce((s, f) => s + f.failed, 0),
      `${Math.max(...fs.map((f) => f.blackoutMs))} ms`,
      rec.length ? `${Math.max(...rec)} ms` : '—',
      `${fs.filter((f) => f.splitBrainMs > 0).length}/${fs.length}`,
      healed.length ? `${Math.max(...healed)} ms` : '—',
    ]);
  }
  const lines = [
    `chaos on ${r.runtime}, seed ${r.seed}: ${r.faults.length} faults in ${(r.durationMs / 1000).toFixed(1)} s, ${r.requests} requests, ${r.failed} failed`,
    byKind.toString(),
    `operations (${r.operations.acknowledged + r.operations.failed + r.operations.unknown}): ${r.operations.acknowledged} acknowledged, ${r.operations.failed} failed, ${r.operations.unknown} unknown (timed out); lost ${r.operations.lost}, doubled ${r.operations.doubled}, reordered ${r.operations.reordered}`,
  ];
  if (r.violations.length === 0) {
    lines.push('0 invariant violations');
  } else {
    const v = new Table({ head: ['at', 'invariant', 'detail'], style, wordWrap: true, colWidths: [10, 22, 70] });
    for (const x of r.violations) v.push([`${(x.atMs / 1000).toFixed(1)} s`, x.invariant, x.detail]);
    lines.push(`${r.violations.length} invariant violation${r.violations.length > 1 ? 's' : ''}:`, v.toString());
  }
  return lines.join('\n');
}
