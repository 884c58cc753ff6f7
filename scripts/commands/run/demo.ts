// `hakit demo`: the failover tour on the stack (brought up first if needed), its report, its verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { runDemo } from '../../demo/run.js';
import { formatSummary, renderReport, toJson } from '../../demo/report.js';
import { ExitCode, HakitError } from '../../errors.js';
import { findScenario, scenarioIds, type Scenario } from '../../demo/scenarios.js';
import { faultById } from '../../faults/catalogue.js';
import { lbNames } from '../../faults/targets.js';
import { hakitCommand } from '../../host/hakit-command.js';
import { createProgress } from '../../progress.js';
import type { Feature } from '../../stack/features.js';
import { ensureUp, runtimeOf } from '../common.js';
import { parseOption } from '../lazy.js';

export function parseOnly(value: string): Scenario[] {
  const picked: Scenario[] = [];
  for (const id of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sc = findScenario(id);
    if (!sc) throw new InvalidArgumentError(`unknown scenario "${id}" (choose from ${scenarioIds.join(', ')})`);
    if (!picked.includes(sc)) picked.push(sc);
  }
  if (picked.length === 0) throw new InvalidArgumentError(`name at least one scenario (${scenarioIds.join(', ')})`);
  // Always in tour order, so that F6 can follow F1.
  return scenarioIds.map((id) => picked.find((s) => s.id === id)).filter((s): s is Scenario => s !== undefined);
}

/**
 * `--only U1` with no stack up and no `--with`: the stack the tour starts gets the features the
 * named scenarios hit (a stack that is up keeps its own; the scenarios it cannot run say why).
 */
export function neededFeatures(scenarios: readonly Scenario[] | undefined): Feature[] {
  return [...new Set((scenarios ?? []).flatMap((s) => (s.needs ? [s.needs] : [])))].sort();
}

async function withNeededFeatures(cmd: Command, scenarios: Scenario[] | undefined): Promise<void> {
  const needed = neededFeatures(scenarios);
  if (!needed.length || cmd.opts<{ with?: string }>().with !== undefined) return;
  if (await (await runtimeOf(cmd)).isUp()) return;
  cmd.setOptionValue('with', needed.join(','));
}

interface DemoFlags {
  only?: string;
  repeat: number;
  json?: boolean;
  report: string;
  down?: boolean;
  keep?: boolean;
}

export async function demo(opts: DemoFlags, cmd: Command): Promise<void> {
  if (opts.keep && opts.down) throw new HakitError('--keep and --down contradict each other', ExitCode.usage);
  const scenarios = opts.only === undefined ? undefined : parseOption(cmd, 'only', parseOnly);
  const hakit = hakitCommand();
  const progress = createProgress();
  await withNeededFeatures(cmd, scenarios);
  const rt = await runtimeOf(cmd, { announce: true });
  await ensureUp(rt, progress);
  const abort = new AbortController();
  const onSigint = () => {
    abort.abort();
    process.stderr.write(
      `\ninterrupted: the stack is left up, possibly with a node down (\`${hakit} status\`; \`${hakit} restore NODE\` or \`${hakit} down\`)\n`,
    );
    // Deliberately not awaited: a signal handler; it exits once the cut F7 may have left is healed.
    void faultById('F7')
      .heal(rt, lbNames(rt.topology))
      .catch(() => undefined)
      .finally(() => process.exit(ExitCode.interrupted));
  };
  process.once('SIGINT', onSigint);
  const colour = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
  const result = await runDemo(rt, {
    scenarios,
    repeat: opts.repeat,
    write: (line) => process.stderr.write(line + '\n'),
    colour,
    signal: abort.signal,
  });
  process.off('SIGINT', onSigint);
  const reportPath = resolve(opts.report);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, renderReport(result));
  if (opts.json) {
    console.log(JSON.stringify(toJson(result, reportPath), null, 2));
  } else {
    console.log(`\n${formatSummary(result, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR)}`);
    console.log(`\nThe tour took ${(result.durationMs / 1000).toFixed(1)} s on ${result.runtime}.`);
    console.log(`Report: ${reportPath}`);
  }
  if (opts.down) {
    await rt.down(progress);
    process.stderr.write('hakit is down: nothing left behind\n');
  } else {
    process.stderr.write(`The stack is still up: \`${hakit} status\`, \`${hakit} watch\`, and \`${hakit} down\` when you are done.\n`);
  }
  const missed = result.scenarios.filter((s) => !s.ok);
  if (missed.length) {
    throw new HakitError(
      `${missed.length} of ${result.scenarios.length} scenarios missed an expectation: ${missed.map((s) => s.id).join(', ')}`,
      ExitCode.failure,
      `see ${reportPath}`,
    );
  }
}
